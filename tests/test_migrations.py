"""Migrations: they build the whole schema on an empty database, twice is a no-op, and they agree
with the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine
from ita_rent_bot.migrate import alembic_config, head_revision, migration_state, upgrade_to_head
from ita_rent_bot.models import Base


def _diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_the_schema_and_agree_with_models(database_url: str) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:  # the shared PostgreSQL database may hold a schema
            await conn.run_sync(Base.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        before = await migration_state(engine, settings)
        assert before.current is None
        assert not before.up_to_date

        state = await upgrade_to_head(engine, settings)
        assert state.up_to_date
        assert state.current == head_revision(settings)

        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            assert set(Base.metadata.tables) <= tables
            assert await conn.run_sync(_diff) == []

        again = await upgrade_to_head(engine, settings)
        assert again == state
    finally:
        await engine.dispose()


async def test_0003_keeps_the_outbox_and_its_downgrade_keeps_the_latest_drop(
    database_url: str,
) -> None:
    """A note per price drop: existing rows survive the upgrade (drop price 0); going back,
    only the latest price-drop row of a user, listing and channel is kept."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    config = alembic_config(settings)
    engine = create_engine(settings)

    def migrate(conn: Connection, revision: str, *, down: bool = False) -> None:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)

    row = "INSERT INTO deliveries (user_id, listing_id, channel, kind, status, attempts, "
    row += "next_attempt_at, created_at, updated_at{extra}) VALUES (1, 2, 'telegram', "
    row += "'{kind}', 'sent', 1, '2026-11-29', '2026-11-29', '2026-11-29'{value})"
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            await conn.run_sync(migrate, "0002")
            for kind in ("new", "price_drop"):
                await conn.exec_driver_sql(row.format(extra="", kind=kind, value=""))
            await conn.run_sync(migrate, "0003")
            drops = "SELECT kind, drop_price FROM deliveries ORDER BY id"
            assert list(await conn.exec_driver_sql(drops)) == [("new", 0), ("price_drop", 0)]
            for price in (900, 800):
                later = row.format(extra=", drop_price", kind="price_drop", value=f", {price}")
                await conn.exec_driver_sql(later)
            rows = "SELECT kind, id FROM deliveries ORDER BY id"
            latest = list(await conn.exec_driver_sql(rows))[-1]
            await conn.run_sync(migrate, "0002", down=True)
            kept = list(await conn.exec_driver_sql(rows))
            assert [kind for kind, _ in kept] == ["new", "price_drop"]
            assert tuple(kept[-1]) == tuple(latest)
            await conn.run_sync(migrate, "head")
    finally:
        await engine.dispose()
