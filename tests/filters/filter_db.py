"""Rows for database tests: users, listings and an ingest result shaped like the sources'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.listings.models import Listing
from ita_rent_bot.users.models import User

_n = count(1)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def make_user(session: AsyncSession, **fields: Any) -> User:
    n = next(_n)
    user = User(**{"telegram_chat_id": 10_000 + n, **fields})
    session.add(user)
    await session.flush()
    return user


async def make_listing(session: AsyncSession, **fields: Any) -> Listing:
    n = next(_n)
    values: dict[str, Any] = {
        "source": "subito",
        "source_id": f"s{n}",
        "url": f"https://listing.example/{n}",
        "title": "Bilocale",
        "city": "roma",
        "price_eur": 1000,
        "rooms": 2,
        "area_m2": 50,
        "first_seen_at": T0 + timedelta(minutes=n),
    }
    values.update(fields)
    listing = Listing(**values)
    session.add(listing)
    await session.flush()
    return listing


@dataclass
class FakePriceChange:
    listing: Listing
    old_price: int | None
    new_price: int | None


@dataclass
class FakeIngestResult:
    new: list[Listing] = field(default_factory=list)
    price_changed: list[FakePriceChange] = field(default_factory=list)
