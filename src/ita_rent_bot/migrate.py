"""Alembic, driven from code: apply pending migrations and tell where the schema stands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from ita_rent_bot.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(settings: Settings) -> Config:
    if not MIGRATIONS_DIR.is_dir():
        raise RuntimeError(f"migrations folder not found at {MIGRATIONS_DIR}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


@dataclass(frozen=True)
class MigrationState:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def migration_state(engine: AsyncEngine, settings: Settings) -> MigrationState:
    def current(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    async with engine.connect() as conn:
        revision = await conn.run_sync(current)
    return MigrationState(current=revision, head=head_revision(settings))


async def upgrade_to_head(engine: AsyncEngine, settings: Settings) -> MigrationState:
    """Apply every pending migration on the given engine's database; running it twice is a no-op."""
    config = alembic_config(settings)

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    async with engine.begin() as conn:
        await conn.run_sync(run)
    return await migration_state(engine, settings)
