"""Ingestion: upsert parsed listings by (portal, portal id), keep price history, link twins.

Everything is done in bulk (one select per portal, one for twin candidates) so a crawl of
thousands of listings costs a handful of queries. Nothing here commits: the caller's unit of work
does, together with whatever it does with the result (matching, the outbox).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.listings.models import Listing, PriceChange
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.listings.twins import TwinIndex

# SQLite allows 32766 bound parameters; stay far below, PostgreSQL 65535.
CHUNK = 500
# Fields a later crawl may fill in or correct; a None never erases a known value.
_UPDATABLE = (
    "url",
    "title",
    "rooms",
    "area_m2",
    "city",
    "zone",
    "address",
    "latitude",
    "longitude",
    "published_at",
    "advertiser",
    "description",
    "furnished",
)


@dataclass(frozen=True, slots=True)
class PriceChangeEvent:
    listing: Listing
    old_price: int
    new_price: int

    @property
    def dropped(self) -> bool:
        return self.new_price < self.old_price


@dataclass(slots=True)
class IngestResult:
    new: list[Listing] = field(default_factory=list)
    price_changed: list[PriceChangeEvent] = field(default_factory=list)
    seen: int = 0
    twins_linked: int = 0


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


async def existing_listings(
    session: AsyncSession, *, source: str, source_ids: Iterable[str]
) -> dict[str, Listing]:
    """The stored listings of one portal among these ids, by portal id."""
    ids = sorted(set(source_ids))
    found: dict[str, Listing] = {}
    for chunk in _chunks(ids):
        rows = await session.scalars(
            select(Listing).where(Listing.source == source, Listing.source_id.in_(chunk))
        )
        found.update({row.source_id: row for row in rows})
    return found


async def known_ids(session: AsyncSession, *, source: str, source_ids: Iterable[str]) -> set[str]:
    """Which of these portal ids are already stored (the crawler stops paging at them)."""
    ids = sorted(set(source_ids))
    known: set[str] = set()
    for chunk in _chunks(ids):
        rows = await session.scalars(
            select(Listing.source_id).where(Listing.source == source, Listing.source_id.in_(chunk))
        )
        known.update(rows)
    return known


def _refresh(listing: Listing, item: ListingData, now: datetime) -> None:
    listing.last_seen_at = now
    listing.is_active = True
    for name in _UPDATABLE:
        value = getattr(item, name)
        if value is not None and value != getattr(listing, name):
            setattr(listing, name, value)
    if item.photos and item.photos != listing.photos:
        listing.photos = list(item.photos)


def _new_listing(item: ListingData, now: datetime) -> Listing:
    return Listing(
        source=item.source,
        source_id=item.source_id,
        url=item.url,
        title=item.title,
        price_eur=item.price_eur,
        rooms=item.rooms,
        area_m2=item.area_m2,
        city=item.city,
        zone=item.zone,
        address=item.address,
        latitude=item.latitude,
        longitude=item.longitude,
        photos=list(item.photos),
        published_at=item.published_at,
        advertiser=item.advertiser,
        description=item.description,
        furnished=item.furnished,
        is_active=True,
        first_seen_at=now,
        last_seen_at=now,
    )


async def ingest(session: AsyncSession, items: list[ListingData], *, now: datetime) -> IngestResult:
    """Upsert `items` (seen at `now`); report what is new, what changed price, twins linked."""
    result = IngestResult()
    unique: dict[tuple[str, str], ListingData] = {}
    for item in items:
        unique.setdefault((item.source, item.source_id), item)
    by_source: dict[str, list[ListingData]] = defaultdict(list)
    for item in unique.values():
        by_source[item.source].append(item)
    result.seen = len(unique)

    history: list[dict[str, object]] = []
    fresh: list[Listing] = []
    for source, batch in by_source.items():
        stored = await existing_listings(
            session, source=source, source_ids=[i.source_id for i in batch]
        )
        for item in batch:
            listing = stored.get(item.source_id)
            if listing is None:
                fresh.append(_new_listing(item, now))
                continue
            old_price = listing.price_eur
            _refresh(listing, item, now)
            if item.price_eur is not None and item.price_eur != old_price:
                listing.price_eur = item.price_eur
                history.append(
                    {"listing_id": listing.id, "price_eur": item.price_eur, "seen_at": now}
                )
                if old_price is not None:
                    result.price_changed.append(
                        PriceChangeEvent(listing, old_price=old_price, new_price=item.price_eur)
                    )
    if fresh:
        result.twins_linked = await _store_fresh(session, fresh)
        result.new = fresh
        history.extend(
            {"listing_id": x.id, "price_eur": x.price_eur, "seen_at": now}
            for x in fresh
            if x.price_eur is not None
        )
    if history:
        await session.execute(insert(PriceChange), history)
    await session.flush()
    return result


async def _store_fresh(session: AsyncSession, fresh: list[Listing]) -> int:
    """Insert new listings with their twin links; returns how many were linked.

    Links to stored listings are set before the insert (no extra UPDATE per row); a twin of
    another listing of this same batch is linked after it, once ids exist.
    """
    twins = await TwinIndex.load(session, fresh)
    for listing in fresh:
        listing.twin_of_id = twins.match(listing)
    session.add_all(fresh)
    await session.flush()
    if len({x.source for x in fresh}) > 1:
        for listing in fresh:
            if listing.twin_of_id is None:
                listing.twin_of_id = twins.match(listing)
            twins.add(listing)
    return sum(1 for x in fresh if x.twin_of_id is not None)


async def deactivate_stale(
    session: AsyncSession, *, source: str, now: datetime, older_than: timedelta
) -> int:
    """Mark a portal's listings unseen for `older_than` inactive; they are never news again."""
    outcome = await session.execute(
        update(Listing)
        .where(
            Listing.source == source,
            Listing.is_active.is_(True),
            Listing.last_seen_at < now - older_than,
        )
        .values(is_active=False)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(outcome, "rowcount", 0) or 0)
