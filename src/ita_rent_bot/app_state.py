"""What one process holds while it runs: settings, the database, and the background runtime."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # for API requests: the same engine, with small reads inline on SQLite (see sqlite_driver)
    request_session_factory: async_sessionmaker[AsyncSession]

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        engine = create_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            request_session_factory=create_session_factory(engine, inline_reads=True),
        )

    async def aclose(self) -> None:
        await self.engine.dispose()
