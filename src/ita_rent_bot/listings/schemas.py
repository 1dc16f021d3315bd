"""The normalised listing every source produces; a field the page does not give is None."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Advertiser = Literal["agency", "private"]


@dataclass(slots=True)
class ListingData:
    source: str
    source_id: str
    url: str
    title: str | None = None
    price_eur: int | None = None
    rooms: int | None = None
    area_m2: int | None = None
    city: str | None = None
    zone: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    advertiser: Advertiser | None = None
    description: str | None = None
    furnished: bool | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The keys of `ita-rent-bot parse` output; times as ISO 8601."""
        data = asdict(self)
        data.pop("furnished")
        if self.published_at is not None:
            data["published_at"] = self.published_at.isoformat()
        return data
