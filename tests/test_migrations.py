"""Migrations: they build the whole schema on an empty database, twice is a no-op, and they agree
with the models."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, inspect, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.config import Settings, sqlite_path
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.migrate import alembic_config, head_revision, migration_state, upgrade_to_head
from ita_rent_bot.models import Base
from ita_rent_bot.read_revision import TRIGGERS, ReadRevision
from ita_rent_bot.users.models import User


def _diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _migrator(settings: Settings) -> Callable[..., None]:
    """Upgrade (or, with down=True, downgrade) to a revision on a connection (conn.run_sync)."""
    config = alembic_config(settings)

    def migrate(conn: Connection, revision: str, *, down: bool = False) -> None:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)

    return migrate


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
    migrate, engine = _migrator(settings), create_engine(settings)

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


async def test_the_read_revision_moves_on_with_each_change_to_users_and_searches(
    sqlite_url: str,
) -> None:
    """Migrated to head, or made from the models: the SQLite triggers are there, and each
    change to a user or a search moves the counter on when it commits, not before."""
    settings = Settings(_env_file=None, database_url=sqlite_url)  # type: ignore[call-arg]
    engine = create_engine(settings)
    probe = ReadRevision(sqlite_path(sqlite_url))  # type: ignore[arg-type]

    async def change(step: Callable[[AsyncSession], Awaitable[object]], moves: int) -> None:
        before = probe.current()
        assert before is not None
        async with unit_of_work(create_session_factory(engine)) as session:
            await step(session)
            await session.flush()
            assert probe.current() == before  # not before the commit
        assert probe.current() == before + moves

    try:
        for build in ("migrations", "models"):
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.drop_all)
                await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
                if build == "models":
                    await conn.run_sync(Base.metadata.create_all)
            if build == "migrations":
                await upgrade_to_head(engine, settings)
            async with engine.connect() as conn:
                names = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                assert set(TRIGGERS) <= {name for (name,) in await conn.exec_driver_sql(names)}
            # a new user has no token yet, so nothing of theirs can be cached
            await change(lambda s: _add(s, User(id=7, telegram_chat_id=7)), 0)
            await change(lambda s: s.execute(update(User).values(language="it")), 1)
            await change(lambda s: _add(s, SearchFilter(user_id=7, name="Roma", city="roma")), 1)
            await change(lambda s: s.execute(update(SearchFilter).values(price_max=900)), 1)
            await change(lambda s: s.execute(delete(SearchFilter)), 1)
            await change(lambda s: s.execute(delete(User)), 1)
    finally:
        probe.close()
        await engine.dispose()


async def _add(session: AsyncSession, row: object) -> None:
    session.add(row)


async def test_0004_downgrade_takes_the_counter_and_its_triggers_away(sqlite_url: str) -> None:
    settings = Settings(_env_file=None, database_url=sqlite_url)  # type: ignore[call-arg]
    migrate, engine = _migrator(settings), create_engine(settings)

    objects = "SELECT type, name FROM sqlite_master WHERE name LIKE 'read_revision%'"
    try:
        async with engine.begin() as conn:
            await conn.run_sync(migrate, "0004")
            made = {name for _, name in await conn.exec_driver_sql(objects)}
            assert made == {"read_revision", *TRIGGERS}
            await conn.run_sync(migrate, "0003", down=True)
            assert list(await conn.exec_driver_sql(objects)) == []
            await conn.run_sync(migrate, "head")
    finally:
        await engine.dispose()
