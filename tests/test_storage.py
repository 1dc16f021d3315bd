"""Storage on SQLite and PostgreSQL: pragmas, UTC times, the unique keys the product relies on."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.db import create_session_factory, unit_of_work
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User


async def test_sqlite_runs_in_wal_with_a_busy_timeout(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 15000
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_times_come_back_as_aware_utc(session: AsyncSession) -> None:
    rome = timezone(timedelta(hours=1))
    seen = datetime(2026, 3, 1, 12, 30, tzinfo=rome)
    session.add(Listing(source="subito", source_id="1", url="https://x", first_seen_at=seen))
    await session.commit()
    session.expunge_all()
    stored = (await session.execute(select(Listing))).scalar_one()
    assert stored.first_seen_at == seen
    assert stored.first_seen_at.tzinfo is not None
    assert stored.first_seen_at.utcoffset() == timedelta(0)


async def test_naive_times_are_refused(session: AsyncSession) -> None:
    session.add(
        Listing(source="subito", source_id="1", url="https://x", first_seen_at=datetime(2026, 1, 1))
    )
    with pytest.raises(Exception, match="naive datetime"):
        await session.flush()


async def test_listing_is_unique_per_portal_and_id(session: AsyncSession) -> None:
    session.add(Listing(source="subito", source_id="42", url="https://a"))
    session.add(Listing(source="immobiliare", source_id="42", url="https://b"))
    await session.commit()
    session.add(Listing(source="subito", source_id="42", url="https://c"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_whatsapp_number_is_unique(session: AsyncSession) -> None:
    session.add(User(telegram_chat_id=1, whatsapp_number="+393401234567"))
    session.add(User(telegram_chat_id=2))
    await session.commit()
    session.add(User(telegram_chat_id=3, whatsapp_number="+393401234567"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_one_delivery_per_user_listing_channel_and_kind(session: AsyncSession) -> None:
    user = User(telegram_chat_id=7)
    listing = Listing(source="idealista", source_id="9", url="https://x")
    session.add_all([user, listing])
    await session.flush()
    for channel in ("telegram", "whatsapp"):
        session.add(Delivery(user_id=user.id, listing_id=listing.id, channel=channel))
    session.add(
        Delivery(user_id=user.id, listing_id=listing.id, channel="telegram", kind="price_drop")
    )
    await session.commit()
    session.add(Delivery(user_id=user.id, listing_id=listing.id, channel="telegram"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_unit_of_work_leaves_no_half_written_rows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async def write_twice() -> None:
        async with unit_of_work(session_factory) as s:
            s.add(Listing(source="subito", source_id="1", url="https://a"))
            await s.flush()
            s.add(Listing(source="subito", source_id="1", url="https://b"))
            await s.flush()

    with pytest.raises(IntegrityError):
        await write_twice()
    async with session_factory() as s:
        assert (await s.execute(select(Listing))).first() is None


async def test_leaving_deletes_the_users_deliveries_and_nobody_elses(engine: AsyncEngine) -> None:
    """The outbox has no foreign keys (see notifications.models): delete_user removes them."""
    factory = create_session_factory(engine)
    async with unit_of_work(factory) as s:
        leaving, staying = User(telegram_chat_id=11), User(telegram_chat_id=12)
        listing = Listing(source="subito", source_id="5", url="https://x")
        s.add_all([leaving, staying, listing])
        await s.flush()
        for user in (leaving, staying):
            s.add(Delivery(user_id=user.id, listing_id=listing.id, channel="telegram"))
    async with unit_of_work(factory) as s:
        await users.delete_user(s, user=await s.get_one(User, leaving.id))
    async with factory() as s:
        owners = (await s.execute(select(Delivery.user_id))).scalars().all()
    assert owners == [staying.id]
