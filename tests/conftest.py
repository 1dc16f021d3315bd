"""Shared fixtures: settings, and a fresh database on SQLite and (when present) PostgreSQL.

PostgreSQL and Redis are real servers on 127.0.0.1. Outside CI a test that needs one is skipped
with the reason when it is absent; in CI (CI=true) its absence is a failure.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory
from ita_rent_bot.models import Base

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = SHARED / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_server(name: str, host: str, port: int) -> None:
    """Skip (outside CI) or fail (in CI) when a real server the test needs is not listening."""
    if _port_open(host, port):
        return
    message = f"{name} is not listening on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


def require_shared(path: Path) -> Path:
    """The real saved pages live in ../shared; a clone elsewhere skips the tests that read them."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing; CI lays ../shared beside the clone")
        pytest.skip(f"{path} is absent (../shared is not beside this clone)")
    return path


@pytest.fixture
def require_redis() -> str:
    require_server("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test session, created in the server and dropped after."""
    require_server("PostgreSQL", PG_HOST, PG_PORT)
    name = f"itarb_{uuid.uuid4().hex[:10]}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    async def admin(sql: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    """Settings for a test: an empty environment's defaults on a temporary SQLite file, with the
    crawler off so an app started by a test can never reach a real portal."""
    return Settings(_env_file=None, database_url=sqlite_url, crawl_enabled=False)  # type: ignore[call-arg]


async def _fresh_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh schema on SQLite and on PostgreSQL (each test runs on both)."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    eng = create_engine(settings)
    await _fresh_schema(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
async def sqlite_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A fresh schema on SQLite only, for tests where the database is not the subject."""
    eng = create_engine(settings)
    await _fresh_schema(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as s:
        yield s
