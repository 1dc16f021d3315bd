"""Matches become Delivery rows for the right users and channels, once, inside the ingest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from filter_db import T0, FakeIngestResult, FakePriceChange, make_listing, make_user
from sqlalchemy import Integer, String, bindparam, delete, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from ita_rent_bot.filters import service
from ita_rent_bot.filters.matcher import FilterIndex
from ita_rent_bot.filters.outbox import EnqueueReport, _array_literal, enqueue_matches
from ita_rent_bot.filters.schemas import FilterIn
from ita_rent_bot.listings.models import MARK_HIDDEN, Listing, ListingMark
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.service import ingest
from ita_rent_bot.notifications.models import KIND_NEW, KIND_PRICE_DROP, SENT, Delivery
from ita_rent_bot.users.models import User

NOW = T0 + timedelta(hours=1)
ROMA = FilterIn(name="Roma", city="Roma", price_max=1500)

Row = tuple[int, int, str, str]  # user, listing, channel, kind


async def _rows(session: AsyncSession) -> set[Row]:
    result = await session.execute(
        select(Delivery.user_id, Delivery.listing_id, Delivery.channel, Delivery.kind)
    )
    return {(u, li, ch, k) for u, li, ch, k in result}


async def _enqueue(
    factory: async_sessionmaker[AsyncSession], index: FilterIndex, result: FakeIngestResult
) -> EnqueueReport:
    async with factory() as s, s.begin():
        return await enqueue_matches(s, index, result, now=NOW)


async def _add_filter(session: AsyncSession, user: User, data: FilterIn = ROMA) -> int:
    return (await service.create_filter(session, user_id=user.id, data=data)).id


async def test_each_matching_user_gets_a_row_per_enabled_channel(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        tg = await make_user(s)
        both = await make_user(s, whatsapp_enabled=True, whatsapp_verified_at=T0)
        blocked = await make_user(s, telegram_blocked_at=T0)
        no_chat = await make_user(s, telegram_chat_id=None)
        wa_unverified = await make_user(
            s, telegram_enabled=False, whatsapp_enabled=True, whatsapp_number="+393331112222"
        )
        wa_opted_out = await make_user(
            s,
            telegram_enabled=False,
            whatsapp_enabled=True,
            whatsapp_verified_at=T0,
            whatsapp_opted_out_at=T0,
        )
        for user in (tg, both, blocked, no_chat, wa_unverified, wa_opted_out):
            await _add_filter(s, user)
        second = await _add_filter(s, both, FilterIn(name="cheap", city="Rome", price_max=1200))
        cheap = await make_listing(s, price_eur=1000)
        dear = await make_listing(s, price_eur=2000)
        elsewhere = await make_listing(s, city="milano", price_eur=900)
    report = await _enqueue(
        session_factory, FilterIndex(), FakeIngestResult([cheap, dear, elsewhere])
    )
    async with session_factory() as s:
        assert await _rows(s) == {
            (tg.id, cheap.id, "telegram", KIND_NEW),
            (both.id, cheap.id, "telegram", KIND_NEW),
            (both.id, cheap.id, "whatsapp", KIND_NEW),
        }
        filter_ids = set(
            await s.scalars(select(Delivery.filter_id).where(Delivery.user_id == both.id))
        )
        assert second not in filter_ids  # one row per user even when two of their filters match
        assert len(filter_ids) == 1
    assert (report.listings, report.matched_listings, report.filter_matches) == (3, 1, 7)
    assert (report.deliveries, report.inserted) == (3, 3)
    assert report.skipped == {"user_off": 4}


async def test_paused_inactive_and_deleted_users_and_paused_filters_get_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        paused_user = await make_user(s, paused=True)
        inactive = await make_user(s, is_active=False)
        leaving = await make_user(s)
        paused_filter_owner = await make_user(s)
        active = await make_user(s)
        for user in (paused_user, inactive, leaving, paused_filter_owner, active):
            await _add_filter(s, user)
    async with session_factory() as s:
        await index.refresh(s)  # the index knows every filter before the changes below
    async with session_factory() as s, s.begin():
        [first] = await service.list_filters(s, user_id=paused_filter_owner.id)
        await service.set_paused(s, user_id=paused_filter_owner.id, filter_id=first.id, paused=True)
        await s.delete(await s.get(User, leaving.id))
        listing = await make_listing(s)
    await _enqueue(session_factory, index, FakeIngestResult([listing]))
    async with session_factory() as s:
        assert await _rows(s) == {(active.id, listing.id, "telegram", KIND_NEW)}


async def test_twins_count_once_and_hidden_listings_never_come_back(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        told = await make_user(s)
        hider = await make_user(s)
        fresh = await make_user(s)
        for user in (told, hider, fresh):
            await _add_filter(s, user)
        original = await make_listing(s, source="immobiliare")
    await _enqueue(session_factory, index, FakeIngestResult([original]))
    async with session_factory() as s, s.begin():
        await s.execute(delete(Delivery).where(Delivery.user_id.in_([hider.id, fresh.id])))
        s.add(ListingMark(user_id=hider.id, listing_id=original.id, kind=MARK_HIDDEN))
        twin_a = await make_listing(s, source="subito", twin_of_id=original.id)
        twin_b = await make_listing(s, source="idealista", twin_of_id=original.id)
    report = await _enqueue(session_factory, index, FakeIngestResult([twin_a, twin_b]))
    async with session_factory() as s:
        assert await _rows(s) == {
            (told.id, original.id, "telegram", KIND_NEW),
            (fresh.id, twin_a.id, "telegram", KIND_NEW),  # once for the group, not for twin_b
        }
    assert report.skipped == {"already_told": 3, "hidden": 2}


async def test_price_drops_and_harmless_retries(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        sent = await make_user(s, whatsapp_enabled=True, whatsapp_verified_at=T0)
        pending = await make_user(s)
        no_alerts = await make_user(s, price_drop_alerts=False)
        not_told = await make_user(s)
        for user in (sent, pending, no_alerts):
            await _add_filter(s, user)
        await _add_filter(s, not_told, FilterIn(name="dear", city="Roma", price_min=1400))
        listing = await make_listing(s, price_eur=1400)
    await _enqueue(session_factory, index, FakeIngestResult([listing]))
    async with session_factory() as s, s.begin():
        await s.execute(delete(Delivery).where(Delivery.user_id == not_told.id))
        for d in await s.scalars(select(Delivery).where(Delivery.user_id != pending.id)):
            d.status = SENT
        stored = await s.get(Listing, listing.id)
        assert stored is not None
        stored.price_eur = 1250
    drop = FakeIngestResult(price_changed=[FakePriceChange(stored, 1400, 1250)])
    first = await _enqueue(session_factory, index, drop)
    again = await _enqueue(session_factory, index, drop)
    rise = await _enqueue(
        session_factory,
        index,
        FakeIngestResult(price_changed=[FakePriceChange(stored, 1250, 1300)]),
    )
    async with session_factory() as s:
        drops = {r for r in await _rows(s) if r[3] == KIND_PRICE_DROP}
    assert drops == {
        (sent.id, listing.id, "telegram", KIND_PRICE_DROP),
        (sent.id, listing.id, "whatsapp", KIND_PRICE_DROP),
    }
    assert (first.price_drop_deliveries, first.inserted) == (2, 2)
    assert (again.price_drop_deliveries, again.inserted) == (2, 0)  # ON CONFLICT DO NOTHING
    assert rise.price_drop_deliveries == 0
    assert first.skipped == {"price_drop_off": 1, "price_drop_not_told": 1}


async def test_each_drop_to_a_new_price_is_a_note_and_replaces_one_still_waiting(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        user = await make_user(s)
        await _add_filter(s, user)
        listing = await make_listing(s, price_eur=1400)
    await _enqueue(session_factory, index, FakeIngestResult([listing]))
    async with session_factory() as s, s.begin():
        await s.execute(update(Delivery).values(status=SENT))

    async def drop_to(old: int, new: int) -> EnqueueReport:
        async with session_factory() as s, s.begin():
            stored = await s.get(Listing, listing.id)
            assert stored is not None
            stored.price_eur = new
        change = FakePriceChange(stored, old, new)
        return await _enqueue(session_factory, index, FakeIngestResult(price_changed=[change]))

    async def drops() -> list[tuple[int, str, str | None]]:
        async with session_factory() as s:
            rows = await s.execute(
                select(Delivery.drop_price, Delivery.status, Delivery.error_code)
                .where(Delivery.kind == KIND_PRICE_DROP)
                .order_by(Delivery.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]

    first = await drop_to(1400, 1300)
    async with session_factory() as s, s.begin():  # the first note went out
        await s.execute(update(Delivery).values(status=SENT))
    second = await drop_to(1300, 1200)
    assert (first.inserted, second.inserted, second.superseded) == (1, 1, 0)
    assert await drops() == [(1300, SENT, None), (1200, "pending", None)]

    third = await drop_to(1200, 1100)  # the 1,200 note has not gone yet: 1,100 replaces it
    assert (third.inserted, third.superseded) == (1, 1)
    assert await drops() == [
        (1300, SENT, None),
        (1200, "cancelled", "superseded"),
        (1100, "pending", None),
    ]
    replay = await drop_to(1200, 1100)
    assert (replay.inserted, replay.superseded) == (0, 0)


async def test_replaying_an_ingest_adds_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        user = await make_user(s, whatsapp_enabled=True, whatsapp_verified_at=T0)
        await _add_filter(s, user)
        listings = [await make_listing(s) for _ in range(3)]
    first = await _enqueue(session_factory, index, FakeIngestResult(listings))
    second = await _enqueue(session_factory, FilterIndex(), FakeIngestResult(listings))
    async with session_factory() as s:
        assert len(await _rows(s)) == 6
    assert (first.inserted, second.inserted, second.deliveries) == (6, 0, 0)


async def test_with_the_ingest_of_the_sources(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """listings.service.ingest's result is what enqueue_matches takes: new, then a price drop."""
    index = FilterIndex()
    async with session_factory() as s, s.begin():
        user = await make_user(s)
        await _add_filter(s, user)

    def seen(price: int) -> ListingData:
        return ListingData(
            source="subito",
            source_id="ad-1",
            url="https://listing.example/ad-1",
            title="Bilocale",
            city="roma",
            price_eur=price,
        )

    async with session_factory() as s, s.begin():
        result = await ingest(s, [seen(1450)], now=NOW)
        first = await enqueue_matches(s, index, result, now=NOW)
        await s.execute(update(Delivery).values(status=SENT))
    async with session_factory() as s, s.begin():
        later = NOW + timedelta(hours=1)
        result = await ingest(s, [seen(1300)], now=later)
        drop = await enqueue_matches(s, index, result, now=later)
    assert (first.deliveries, first.inserted) == (1, 1)
    assert (drop.price_drop_deliveries, drop.inserted) == (1, 1)
    async with session_factory() as s:
        assert {r[3] for r in await _rows(s)} == {KIND_NEW, KIND_PRICE_DROP}


@pytest.mark.postgres
async def test_array_literals_carry_any_text_to_postgres(postgres_url: str) -> None:
    """The outbox sends PostgreSQL each column as one array literal; quotes, backslashes,
    commas and braces in a value come back as they went in."""
    texts = ["telegram", 'say "hi"', "back\\slash", "a,b", "{x}", "", "NULL", "è ü"]
    numbers = [1, -2, 2**31 - 1]
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            for values, kind in ((texts, String), (numbers, Integer)):
                as_array = sql_cast(bindparam("v", type_=String), ARRAY(kind))
                back = await conn.scalar(select(as_array), {"v": _array_literal(values)})
                assert back == values
    finally:
        await engine.dispose()
