"""What it means for a listing to match a filter: the one definition, used by the index,
the preview and the reference `filter_matches`.

- city: the listing's city, normalised to a slug, equals the filter's.
- every bound is inclusive and optional; a listing whose value is unknown (price, rooms, area,
  price per m², zone, advertiser, furnished) fails a filter that constrains that value, unless
  the filter has include_unknown.
- zones: one of the filter's zones appears as whole words in the listing's zone
  ("Trastevere" matches "Trastevere - San Cosimato").
- words: each wanted word, and no excluded word, begins a word of the title or description
  ("balcon" matches "balconi"); case and accents do not matter.
- sources: empty means every portal; with_photos needs at least one photo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ita_rent_bot.filters.cities import normalise_city
from ita_rent_bot.filters.text import fold


class FilterLike(Protocol):
    @property
    def city(self) -> str: ...
    @property
    def zones(self) -> Sequence[str]: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def price_min(self) -> int | None: ...
    @property
    def price_max(self) -> int | None: ...
    @property
    def rooms_min(self) -> int | None: ...
    @property
    def rooms_max(self) -> int | None: ...
    @property
    def area_min(self) -> int | None: ...
    @property
    def area_max(self) -> int | None: ...
    @property
    def max_price_per_m2(self) -> int | None: ...
    @property
    def include_words(self) -> Sequence[str]: ...
    @property
    def exclude_words(self) -> Sequence[str]: ...
    @property
    def private_only(self) -> bool: ...
    @property
    def with_photos(self) -> bool: ...
    @property
    def furnished(self) -> bool: ...
    @property
    def include_unknown(self) -> bool: ...


class ListingLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def city(self) -> str | None: ...
    @property
    def zone(self) -> str | None: ...
    @property
    def price_eur(self) -> int | None: ...
    @property
    def rooms(self) -> int | None: ...
    @property
    def area_m2(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def photos(self) -> Sequence[str]: ...
    @property
    def advertiser(self) -> str | None: ...
    @property
    def furnished(self) -> bool | None: ...


def city_key(city: str | None) -> str | None:
    """A listing's city as a slug (sources store slugs already; anything else is normalised)."""
    if not city:
        return None
    return normalise_city(city) or city


@dataclass(slots=True)
class ListingView:
    """A listing prepared once for matching against many filters."""

    city: str | None
    source: str
    price: int | None
    rooms: int | None
    area: int | None
    zone: str | None  # folded, padded with spaces: " trastevere san cosimato "
    advertiser: str | None
    furnished: bool | None
    has_photos: bool
    raw_text: tuple[str | None, str | None]
    _text: str | None = field(default=None)

    @classmethod
    def of(cls, listing: ListingLike) -> ListingView:
        zone = fold(listing.zone) if listing.zone else ""
        return cls(
            city=city_key(listing.city),
            source=listing.source,
            price=listing.price_eur,
            rooms=listing.rooms,
            area=listing.area_m2,
            zone=f" {zone} " if zone else None,
            advertiser=listing.advertiser,
            furnished=listing.furnished,
            has_photos=bool(listing.photos),
            raw_text=(listing.title, listing.description),
        )

    @property
    def text(self) -> str:
        """Title and description folded, padded with spaces (computed on first use)."""
        if self._text is None:
            self._text = " " + fold(" ".join(t for t in self.raw_text if t)) + " "
        return self._text


@dataclass(slots=True, eq=False)
class CompiledFilter:
    """A filter's conditions in the form that is quickest to test (treat as read-only)."""

    city: str
    sources: frozenset[str]
    price_min: int | None
    price_max: int | None
    rooms_min: int | None
    rooms_max: int | None
    area_min: int | None
    area_max: int | None
    max_price_per_m2: int | None
    zones: tuple[str, ...]  # folded, padded: " trastevere "
    include: tuple[str, ...]  # folded, with a leading space: " balcon"
    exclude: tuple[str, ...]
    private_only: bool
    with_photos: bool
    furnished: bool
    include_unknown: bool

    @classmethod
    def of(cls, f: FilterLike) -> CompiledFilter:
        return cls(
            city=f.city,
            sources=frozenset(f.sources),
            price_min=f.price_min,
            price_max=f.price_max,
            rooms_min=f.rooms_min,
            rooms_max=f.rooms_max,
            area_min=f.area_min,
            area_max=f.area_max,
            max_price_per_m2=f.max_price_per_m2,
            zones=tuple(f" {z} " for z in map(fold, f.zones) if z),
            include=tuple(f" {w}" for w in map(fold, f.include_words) if w),
            exclude=tuple(f" {w}" for w in map(fold, f.exclude_words) if w),
            private_only=f.private_only,
            with_photos=f.with_photos,
            furnished=f.furnished,
            include_unknown=f.include_unknown,
        )

    def accepts(self, v: ListingView) -> bool:
        if v.city != self.city:
            return False
        if self.sources and v.source not in self.sources:
            return False
        unknown_ok = self.include_unknown
        if not _in_range(v.price, self.price_min, self.price_max, unknown_ok):
            return False
        if not _in_range(v.rooms, self.rooms_min, self.rooms_max, unknown_ok):
            return False
        if not _in_range(v.area, self.area_min, self.area_max, unknown_ok):
            return False
        if self.max_price_per_m2 is not None:
            if v.price is None or not v.area:
                if not unknown_ok:
                    return False
            elif v.price > self.max_price_per_m2 * v.area:
                return False
        if self.zones:
            if v.zone is None:
                if not unknown_ok:
                    return False
            elif not any(z in v.zone for z in self.zones):
                return False
        if (
            self.private_only
            and v.advertiser != "private"
            and (v.advertiser is not None or not unknown_ok)
        ):
            return False
        if self.with_photos and not v.has_photos:
            return False
        if self.furnished and v.furnished is not True and (v.furnished is False or not unknown_ok):
            return False
        return self.accepts_text(v)

    def accepts_text(self, v: ListingView) -> bool:
        """The wanted and excluded words alone."""
        if not (self.include or self.exclude):
            return True
        text = v.text
        for word in self.include:
            if word not in text:
                return False
        return all(word not in text for word in self.exclude)


def _in_range(value: int | None, lo: int | None, hi: int | None, unknown_ok: bool) -> bool:
    if lo is None and hi is None:
        return True
    if value is None:
        return unknown_ok
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def filter_matches(f: FilterLike, listing: ListingLike) -> bool:
    """The reference: does this one filter match this one listing."""
    return CompiledFilter.of(f).accepts(ListingView.of(listing))
