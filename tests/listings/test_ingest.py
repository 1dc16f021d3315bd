"""Ingestion on SQLite and PostgreSQL: upsert, history, price events, staleness, bulk cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ita_rent_bot.listings.models import Listing, PriceChange
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.service import deactivate_stale, ingest, known_ids

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def flat(source_id: str, *, source: str = "subito", **fields: object) -> ListingData:
    data = ListingData(
        source=source,
        source_id=source_id,
        url=f"https://example.org/{source}/{source_id}",
        title=f"Flat {source_id}",
        price_eur=1000,
        rooms=2,
        area_m2=60,
        city="roma",
        address="Via Appia Nuova, 10",
    )
    for name, value in fields.items():
        setattr(data, name, value)
    return data


async def prices(session: AsyncSession, listing_id: int) -> list[int | None]:
    rows = await session.scalars(
        select(PriceChange.price_eur)
        .where(PriceChange.listing_id == listing_id)
        .order_by(PriceChange.id)
    )
    return list(rows)


async def test_new_listings_are_stored_with_their_first_price(session: AsyncSession) -> None:
    result = await ingest(session, [flat("1"), flat("2", price_eur=None)], now=NOW)
    await session.commit()

    assert [x.source_id for x in result.new] == ["1", "2"]
    assert (result.seen, result.price_changed, result.twins_linked) == (2, [], 0)
    stored = (await session.scalars(select(Listing).order_by(Listing.id))).all()
    assert [(x.first_seen_at, x.last_seen_at, x.is_active) for x in stored] == [
        (NOW, NOW, True)
    ] * 2
    assert await prices(session, stored[0].id) == [1000]
    assert await prices(session, stored[1].id) == []


async def test_seen_again_updates_without_announcing_and_keeps_known_values(
    session: AsyncSession,
) -> None:
    await ingest(session, [flat("1", zone="Appio Latino", photos=["https://p/1.jpg"])], now=NOW)
    later = NOW + timedelta(hours=1)

    result = await ingest(
        session, [flat("1", zone=None, title="Bilocale rinnovato", photos=[])], now=later
    )
    await session.commit()

    assert (result.new, result.seen, result.price_changed) == ([], 1, [])
    listing = await session.scalar(select(Listing))
    assert listing is not None
    assert (listing.first_seen_at, listing.last_seen_at) == (NOW, later)
    assert listing.title == "Bilocale rinnovato"
    assert listing.zone == "Appio Latino"  # a page without the zone does not erase it
    assert listing.photos == ["https://p/1.jpg"]


async def test_price_changes_are_history_and_events(session: AsyncSession) -> None:
    await ingest(session, [flat("1"), flat("2", price_eur=None)], now=NOW)

    result = await ingest(session, [flat("1", price_eur=950), flat("2", price_eur=700)], now=NOW)
    again = await ingest(session, [flat("1", price_eur=950), flat("2", price_eur=None)], now=NOW)
    await session.commit()

    (change,) = result.price_changed  # a first known price is history, not a change
    assert (change.listing.source_id, change.old_price, change.new_price) == ("1", 1000, 950)
    assert change.dropped
    assert again.price_changed == []
    by_id = {x.source_id: x for x in (await session.scalars(select(Listing))).all()}
    assert await prices(session, by_id["1"].id) == [1000, 950]
    assert await prices(session, by_id["2"].id) == [700]
    assert by_id["2"].price_eur == 700


async def test_the_same_listing_twice_in_a_batch_is_one_listing(session: AsyncSession) -> None:
    result = await ingest(session, [flat("1"), flat("1", price_eur=2000)], now=NOW)

    assert (len(result.new), result.seen) == (1, 1)
    assert result.new[0].price_eur == 1000


async def test_same_id_on_two_portals_is_two_listings(session: AsyncSession) -> None:
    result = await ingest(session, [flat("1"), flat("1", source="immobiliare")], now=NOW)

    assert len(result.new) == 2
    assert await known_ids(session, source="immobiliare", source_ids=["1", "2"]) == {"1"}


async def test_stale_listings_go_inactive_and_come_back_silently(session: AsyncSession) -> None:
    await ingest(session, [flat("1"), flat("2"), flat("3", source="idealista")], now=NOW)
    later = NOW + timedelta(days=8)
    await ingest(session, [flat("1")], now=later)

    gone = await deactivate_stale(session, source="subito", now=later, older_than=timedelta(days=7))
    back = await ingest(session, [flat("2")], now=later + timedelta(hours=1))
    await session.commit()

    assert gone == 1
    assert back.new == []
    active = dict((await session.execute(select(Listing.source_id, Listing.is_active))).all())
    assert active == {"1": True, "2": True, "3": True}  # idealista was not this crawl's portal


async def test_bulk_ingest_costs_a_handful_of_queries(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]).split(None, 1)[0].upper())

    batch = [flat(str(i), area_m2=30 + i % 90, price_eur=500 + i) for i in range(1000)]
    batch += [flat(str(i), source="immobiliare", area_m2=31 + i % 90) for i in range(200)]
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        first = await ingest(session, batch, now=NOW)
        second = await ingest(session, batch, now=NOW + timedelta(minutes=5))
        await session.commit()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert (len(first.new), len(second.new), second.seen) == (1200, 0, 1200)
    assert statements.count("SELECT") <= 12  # never one per listing
    assert statements.count("UPDATE") <= 4  # batched (executemany), never one per listing
    if engine.dialect.name == "postgresql":  # SQLite's RETURNING forces row-by-row inserts
        assert statements.count("INSERT") <= 12
