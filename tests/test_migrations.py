"""Migrations: they build the whole schema on an empty database, twice is a no-op, and they agree
with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine
from ita_rent_bot.migrate import head_revision, migration_state, upgrade_to_head
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
