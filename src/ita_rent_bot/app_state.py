"""What one process holds while it runs: settings, the database, and the background runtime."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings, sqlite_path
from ita_rent_bot.db import create_engine, create_session_factory
from ita_rent_bot.read_revision import ReadRevision


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # for API requests: the same engine, with small reads inline on SQLite (see sqlite_driver)
    request_session_factory: async_sessionmaker[AsyncSession]
    # the counter of changes to users and searches, on a SQLite file (see read_revision)
    read_revision: ReadRevision | None = None

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        engine = create_engine(settings)
        path = sqlite_path(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            request_session_factory=create_session_factory(engine, inline_reads=True),
            read_revision=ReadRevision(path) if path is not None else None,
        )

    async def aclose(self) -> None:
        if self.read_revision is not None:
            self.read_revision.close()
        await self.engine.dispose()
