"""Bot fixtures: the fake Bot API, and the real bot long polling it on a fresh database.

A plugin module (`pytest_plugins = ("bot_fixtures",)` in each test module) rather than a
conftest.py: other test helpers import the root conftest as `conftest`, which a second
conftest.py on sys.path would shadow.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from bot_harness import BotHarness, HandledUpdates, bot_settings, running_bot
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.telegram_api import FakeTelegramAPI
from ita_rent_bot.log import configure_logging


@pytest.fixture
def program_logging() -> Iterator[None]:
    """Log lines as the program writes them (plain, exceptions as text, secrets redacted);
    the configuration before the test comes back after it."""
    saved = structlog.get_config()
    configure_logging("INFO")
    yield
    structlog.configure(**saved)


@pytest.fixture
def handled_updates() -> Iterator[HandledUpdates]:
    logger = logging.getLogger("aiogram.event")
    handler, level = HandledUpdates(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
async def telegram_api(program_logging: None) -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as fake:
        yield fake
        fake.push_update({})  # answers a long poll still open, so that closing is immediate


@pytest.fixture
async def bot(
    telegram_api: FakeTelegramAPI,
    sqlite_engine: AsyncEngine,
    handled_updates: HandledUpdates,
    sqlite_url: str,
) -> AsyncIterator[BotHarness]:
    """The bot on SQLite (most tests: the database is not their subject)."""
    settings = bot_settings(sqlite_url, telegram_api)
    async with running_bot(telegram_api, sqlite_engine, handled_updates, settings) as harness:
        yield harness


@pytest.fixture
async def bot_on_each_database(
    telegram_api: FakeTelegramAPI,
    engine: AsyncEngine,
    handled_updates: HandledUpdates,
    database_url: str,
) -> AsyncIterator[BotHarness]:
    """The bot on SQLite and on PostgreSQL."""
    settings = bot_settings(database_url, telegram_api)
    async with running_bot(telegram_api, engine, handled_updates, settings) as harness:
        yield harness
