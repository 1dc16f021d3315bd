"""The real app with its lifespan, an httpx client over ASGI, and helpers that seed rows.

`api` runs on SQLite only; `api_db` runs each test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings
from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.main import create_app
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User

ADMIN_TOKEN = "adm-test-0123456789abcdef0123456789"


@dataclass
class Api:
    """A running app, a client to it, and the app's own session factory for seeding rows."""

    app: FastAPI
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]

    async def user(self, **fields: Any) -> tuple[User, str]:
        """A user with a personal token; returns the user and the token's headers value."""
        async with unit_of_work(self.sessions) as session:
            user = User(telegram_chat_id=fields.pop("telegram_chat_id", None), **fields)
            session.add(user)
            await session.flush()
            token = await users.issue_api_token(session, user=user)
        return user, token

    async def add(self, *rows: Any) -> None:
        async with unit_of_work(self.sessions) as session:
            session.add_all(rows)

    async def search(self, user: User, **fields: Any) -> SearchFilter:
        name, city = fields.pop("name", "Roma"), fields.pop("city", "roma")
        row = SearchFilter(user_id=user.id, name=name, city=city, **fields)
        await self.add(row)
        return row

    async def listing(self, n: int, **fields: Any) -> Listing:
        seen = fields.pop("first_seen_at", utcnow() - timedelta(minutes=1000 - n))
        row = Listing(
            source=fields.pop("source", "immobiliare"),
            source_id=str(n),
            url=f"https://www.immobiliare.it/annunci/{n}/",
            title=fields.pop("title", f"Bilocale {n}"),
            city="roma",
            first_seen_at=seen,
            **fields,
        )
        await self.add(row)
        return row

    async def delivery(
        self,
        user: User,
        listing: Listing,
        *,
        channel: str = "telegram",
        created_at: datetime | None = None,
        **fields: Any,
    ) -> Delivery:
        row = Delivery(
            user_id=user.id,
            listing_id=listing.id,
            channel=channel,
            created_at=created_at or utcnow(),
            **fields,
        )
        await self.add(row)
        return row


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


def api_settings(database_url: str, **overrides: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        embedded_workers=False,
        api_admin_token=ADMIN_TOKEN,
        **overrides,
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Api]:
    """The app from main.py with its lifespan, reached over ASGI (client address 127.0.0.1).

    The lifespan configures logging for the process; it is put back afterwards, so no later
    test inherits a log stream bound to this test's captured stderr.
    """
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield Api(app=app, client=c, sessions=app.state.app_state.session_factory)
    finally:
        structlog.reset_defaults()


@pytest.fixture
async def api(sqlite_engine: AsyncEngine, settings: Settings) -> AsyncIterator[Api]:
    async with running(api_settings(settings.database_url)) as started:
        yield started


@pytest.fixture
async def api_db(engine: AsyncEngine, database_url: str) -> AsyncIterator[Api]:
    async with running(api_settings(database_url)) as started:
        yield started
