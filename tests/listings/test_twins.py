"""Cross-portal twins: linked to the group's oldest listing, only when the flat is the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.listings.models import Listing
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.service import ingest

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def flat(source: str, source_id: str, **fields: object) -> ListingData:
    data = ListingData(
        source=source,
        source_id=source_id,
        url=f"https://example.org/{source}/{source_id}",
        price_eur=1100,
        rooms=2,
        area_m2=60,
        city="roma",
        address="Via Alberico Albricci, 13",
        latitude=41.9415,
        longitude=12.4608,
    )
    for name, value in fields.items():
        setattr(data, name, value)
    return data


async def twin_of(session: AsyncSession, source: str, source_id: str) -> int | None:
    listing = await session.scalar(
        select(Listing).where(Listing.source == source, Listing.source_id == source_id)
    )
    assert listing is not None
    return listing.twin_of_id


async def listing_id(session: AsyncSession, source: str, source_id: str) -> int:
    found = await session.scalar(
        select(Listing.id).where(Listing.source == source, Listing.source_id == source_id)
    )
    assert found is not None
    return found


@pytest.mark.parametrize(
    "other",
    [
        {},  # identical
        {"price_eur": 1130, "area_m2": 63},  # 2.7% dearer, 3 m² bigger
        {"latitude": 41.9425, "longitude": 12.4612, "address": None},  # ~115 m away, no street
        {"latitude": None, "longitude": None, "address": "V. Alberico Albricci"},  # no pin
        {"latitude": None, "longitude": None, "address": "via alberico albricci 13/b"},
    ],
)
async def test_the_same_flat_on_another_portal_is_a_twin(
    session: AsyncSession, other: dict[str, object]
) -> None:
    await ingest(session, [flat("immobiliare", "131911224")], now=NOW)
    result = await ingest(session, [flat("idealista", "36635487", **other)], now=NOW)

    assert result.twins_linked == 1
    assert await twin_of(session, "idealista", "36635487") == await listing_id(
        session, "immobiliare", "131911224"
    )


@pytest.mark.parametrize(
    "other",
    [
        {"price_eur": 1140},  # 3.5% apart
        {"area_m2": 64},  # 4 m² apart
        {"rooms": 3},
        {"city": "milano"},
        {"latitude": 41.95, "longitude": 12.47, "address": "Via Flaminia"},  # 1 km, other street
        {"latitude": None, "longitude": None, "address": None},  # nothing places it
        {"price_eur": None},
    ],
)
async def test_a_different_flat_is_not_a_twin(
    session: AsyncSession, other: dict[str, object]
) -> None:
    await ingest(session, [flat("immobiliare", "131911224")], now=NOW)
    result = await ingest(session, [flat("idealista", "36635487", **other)], now=NOW)

    assert result.twins_linked == 0
    assert await twin_of(session, "idealista", "36635487") is None


async def test_same_portal_lookalikes_are_not_twins(session: AsyncSession) -> None:
    result = await ingest(
        session, [flat("immobiliare", "131906312"), flat("immobiliare", "131906304")], now=NOW
    )

    assert result.twins_linked == 0


async def test_a_twin_points_at_the_oldest_listing_of_its_group(session: AsyncSession) -> None:
    await ingest(session, [flat("subito", "1")], now=NOW)
    await ingest(session, [flat("immobiliare", "2")], now=NOW + timedelta(minutes=5))
    await ingest(session, [flat("idealista", "3")], now=NOW + timedelta(minutes=10))
    await ingest(session, [flat("subito", "4")], now=NOW + timedelta(minutes=15))

    canonical = await listing_id(session, "subito", "1")
    assert await twin_of(session, "subito", "1") is None
    assert await twin_of(session, "immobiliare", "2") == canonical
    assert await twin_of(session, "idealista", "3") == canonical
    assert await twin_of(session, "subito", "4") == canonical  # via the immobiliare twin


async def test_twins_within_one_batch_are_linked(session: AsyncSession) -> None:
    result = await ingest(session, [flat("subito", "1"), flat("idealista", "2")], now=NOW)

    assert result.twins_linked == 1
    assert await twin_of(session, "idealista", "2") == await listing_id(session, "subito", "1")


async def test_a_long_gone_listing_is_not_a_twin(session: AsyncSession) -> None:
    await ingest(session, [flat("subito", "1")], now=NOW)

    result = await ingest(session, [flat("idealista", "2")], now=NOW + timedelta(days=90))

    assert result.twins_linked == 0
