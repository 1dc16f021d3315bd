"""The async engine and session factory: SQLite (WAL) by default, PostgreSQL at scale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from ita_rent_bot import sqlite_driver
from ita_rent_bot.config import Settings, sqlite_path

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A fixed set of SQLite connections, never more: each aiosqlite connection is a thread, and
# opening and closing overflow connections under load costs more than waiting for one. API
# reads run inline (sqlite_driver), so most of these threads sit idle; 24 lets a process's
# concurrent requests each hold one (bench/api.py, /filters: 1,700-1,900 req/s against
# 1,350-1,450 with 8).
SQLITE_POOL_SIZE = 24


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which keeps naive text) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.database_url
    if settings.is_sqlite:
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_deserializer=orjson.loads,
            module=sqlite_driver.dbapi(),
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=0,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine.pool, "checkin", _reads_on_thread)
        return engine
    return create_async_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_deserializer=orjson.loads
    )


class InlineReadSession(Session):
    """A session whose SQLite reads run inline (see sqlite_driver); on PostgreSQL, a Session."""


@event.listens_for(InlineReadSession, "after_begin")
def _reads_inline(_session: Session, _transaction: Any, connection: Connection) -> None:
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite_driver.InlineReadConnection):
        driver.inline_reads = True


def _reads_on_thread(_dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    driver = record.driver_connection
    if isinstance(driver, sqlite_driver.InlineReadConnection):
        driver.inline_reads = False


def create_session_factory(
    engine: AsyncEngine, *, inline_reads: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep their objects usable after commit. `inline_reads`: for sessions
    whose reads touch a few rows by index (API requests); a scan would hold up the loop."""
    session_class = InlineReadSession if inline_reads else Session
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    async with factory() as session, session.begin():
        yield session
