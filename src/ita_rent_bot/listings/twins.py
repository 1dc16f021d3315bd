"""Cross-portal twins: the same flat listed on two portals is linked, so a user is told once.

Twins share the city and the number of rooms, their areas differ by at most 3 m², their prices
by at most 3%, and they are within a short walk of each other or on the same street. A twin
points at its group's canonical listing (the oldest), never at another twin.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.listings.models import Listing
from ita_rent_bot.listings.normalise import distance_m, street_key

AREA_TOLERANCE_M2 = 3
PRICE_TOLERANCE_PERCENT = 3
NEARBY_METRES = 200.0
# A flat re-listed elsewhere long after it was last seen is a new offer, not a twin.
CANDIDATE_WINDOW = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class _Flat:
    id: int
    source: str
    canonical_id: int
    area_m2: int
    price_eur: int
    latitude: float | None
    longitude: float | None
    address: str | None

    @property
    def street(self) -> str | None:
        return street_key(self.address)


def _flat(listing: Listing) -> _Flat:
    return _Flat(
        id=listing.id or 0,
        source=listing.source,
        canonical_id=listing.twin_of_id or listing.id,
        area_m2=listing.area_m2 or 0,
        price_eur=listing.price_eur or 0,
        latitude=listing.latitude,
        longitude=listing.longitude,
        address=listing.address,
    )


def _prices_close(a: int, b: int) -> bool:
    return abs(a - b) * 100 <= PRICE_TOLERANCE_PERCENT * max(a, b)


def _same_place(a: _Flat, b: _Flat) -> bool:
    if (
        a.latitude is not None
        and a.longitude is not None
        and b.latitude is not None
        and b.longitude is not None
        and distance_m(a.latitude, a.longitude, b.latitude, b.longitude) <= NEARBY_METRES
    ):
        return True
    street = a.street
    return street is not None and street == b.street


def _comparable(listing: Listing) -> bool:
    return None not in (listing.city, listing.rooms, listing.area_m2, listing.price_eur)


def _group_key(listing: Listing) -> tuple[str, int] | None:
    """(city, rooms) of a listing with every field twins are compared on, else None."""
    if listing.city is None or listing.rooms is None or not _comparable(listing):
        return None
    return listing.city, listing.rooms


class TwinIndex:
    """Candidate flats bucketed by (city, rooms, area) and sorted by price, loaded once per ingest.

    A lookup touches 7 area buckets and, in each, only the 3% price window (bisect).
    """

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, int, int], list[tuple[int, int, _Flat]]] = defaultdict(list)

    @classmethod
    async def load(cls, session: AsyncSession, fresh: list[Listing]) -> TwinIndex:
        index = cls()
        comparable = [x for x in fresh if _group_key(x) is not None]
        if not comparable:
            return index
        cities = sorted({x.city for x in comparable if x.city is not None})
        rooms = sorted({x.rooms for x in comparable if x.rooms is not None})
        areas = [x.area_m2 for x in comparable if x.area_m2 is not None]
        prices = [x.price_eur for x in comparable if x.price_eur is not None]
        newest = max(x.last_seen_at for x in fresh)
        rows = await session.execute(
            select(
                Listing.id,
                Listing.source,
                Listing.twin_of_id,
                Listing.city,
                Listing.rooms,
                Listing.area_m2,
                Listing.price_eur,
                Listing.latitude,
                Listing.longitude,
                Listing.address,
            ).where(
                Listing.city.in_(cities),
                Listing.rooms.in_(rooms),
                Listing.area_m2.between(
                    min(areas) - AREA_TOLERANCE_M2, max(areas) + AREA_TOLERANCE_M2
                ),
                Listing.price_eur.between(
                    min(prices) * (100 - PRICE_TOLERANCE_PERCENT) // 100,
                    max(prices) * 100 // (100 - PRICE_TOLERANCE_PERCENT) + 1,
                ),
                Listing.last_seen_at >= newest - CANDIDATE_WINDOW,
            )
        )
        for row in rows:
            flat = _Flat(
                id=row.id,
                source=row.source,
                canonical_id=row.twin_of_id or row.id,
                area_m2=row.area_m2,
                price_eur=row.price_eur,
                latitude=row.latitude,
                longitude=row.longitude,
                address=row.address,
            )
            index._buckets[(row.city, row.rooms, row.area_m2)].append(
                (flat.price_eur, flat.id, flat)
            )
        for bucket in index._buckets.values():
            bucket.sort(key=lambda entry: entry[:2])
        return index

    def match(self, listing: Listing) -> int | None:
        """The canonical id of the oldest group this listing twins on another portal, if any."""
        key = _group_key(listing)
        if key is None:
            return None
        flat = _flat(listing)
        low = flat.price_eur * (100 - PRICE_TOLERANCE_PERCENT) // 100
        high = flat.price_eur * 100 // (100 - PRICE_TOLERANCE_PERCENT) + 1
        best: int | None = None
        city, rooms = key
        for area in range(flat.area_m2 - AREA_TOLERANCE_M2, flat.area_m2 + AREA_TOLERANCE_M2 + 1):
            bucket = self._buckets.get((city, rooms, area))
            if not bucket:
                continue
            start = bisect.bisect_left(bucket, low, key=lambda entry: entry[0])
            for price, _, other in bucket[start:]:
                if price > high:
                    break
                if other.source == flat.source:
                    continue
                if not _prices_close(price, flat.price_eur):
                    continue
                if (best is None or other.canonical_id < best) and _same_place(flat, other):
                    best = other.canonical_id
        return best

    def add(self, listing: Listing) -> None:
        """Make a just-stored listing a candidate for the rest of the batch."""
        key = _group_key(listing)
        if key is not None:
            flat = _flat(listing)
            bucket = self._buckets[(key[0], key[1], flat.area_m2)]
            bisect.insort(bucket, (flat.price_eur, flat.id, flat), key=lambda entry: entry[:2])
