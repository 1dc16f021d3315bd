"""Plain stand-ins for filters and listings, for tests that need no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count

_ids = count(1)


@dataclass
class FakeFilter:
    city: str = "roma"
    id: int = field(default_factory=lambda: next(_ids))
    user_id: int = 1
    name: str = "f"
    zones: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    price_min: int | None = None
    price_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    max_price_per_m2: int | None = None
    include_words: list[str] = field(default_factory=list)
    exclude_words: list[str] = field(default_factory=list)
    private_only: bool = False
    with_photos: bool = False
    furnished: bool = False
    include_unknown: bool = False
    paused: bool = False
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class FakeListing:
    city: str | None = "roma"
    source: str = "subito"
    zone: str | None = None
    price_eur: int | None = None
    rooms: int | None = None
    area_m2: int | None = None
    title: str | None = None
    description: str | None = None
    photos: list[str] = field(default_factory=list)
    advertiser: str | None = None
    furnished: bool | None = None
