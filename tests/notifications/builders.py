"""Rows for engine tests: users, listings, searches and outbox deliveries, written for the tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User

_numbers = itertools.count(1)


def make_user(**fields: Any) -> User:
    n = next(_numbers)
    values: dict[str, Any] = {
        "telegram_chat_id": 10_000 + n,
        "language": "en",
        "telegram_enabled": True,
    }
    values.update(fields)
    return User(**values)


def make_listing(**fields: Any) -> Listing:
    n = next(_numbers)
    values: dict[str, Any] = {
        "source": "immobiliare",
        "source_id": f"t{n}",
        "url": f"https://www.immobiliare.it/annunci/{n}/",
        "title": f"Bilocale luminoso {n}",
        "price_eur": 900 + n,
        "rooms": 2,
        "area_m2": 55,
        "city": "Roma",
        "zone": "Trastevere",
        "photos": [],
    }
    values.update(fields)
    return Listing(**values)


async def add_world(
    factory: async_sessionmaker[AsyncSession],
    *,
    users: int = 1,
    listings_per_user: int = 1,
    channels: Sequence[str] = ("telegram",),
    user_fields: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> tuple[list[User], list[Delivery]]:
    """Users with a search each, and one pending delivery per (user, listing, channel)."""
    created = created_at or utcnow()
    async with factory() as session, session.begin():
        made_users = [make_user(**(user_fields or {})) for _ in range(users)]
        session.add_all(made_users)
        await session.flush()
        deliveries = []
        for user in made_users:
            search = SearchFilter(user_id=user.id, name=f"Roma {user.id}", city="Roma")
            session.add(search)
            found = [make_listing() for _ in range(listings_per_user)]
            session.add_all(found)
            await session.flush()
            for i, listing in enumerate(found):
                for channel in channels:
                    deliveries.append(
                        Delivery(
                            user_id=user.id,
                            listing_id=listing.id,
                            filter_id=search.id,
                            channel=channel,
                            created_at=created + timedelta(milliseconds=i),
                            next_attempt_at=created,
                        )
                    )
        session.add_all(deliveries)
    return made_users, deliveries


async def statuses(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with factory() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return {status: count for status, count in rows.all()}


async def all_deliveries(factory: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with factory() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def reload_user(factory: async_sessionmaker[AsyncSession], user_id: int) -> User:
    async with factory() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user
