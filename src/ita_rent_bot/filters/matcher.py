"""The index of active filters that every new listing is matched against.

Design. Filters are grouped by city; inside a city each filter owns a slot, and every condition
is a bitset over slots (Python ints): per portal, per price/rooms/area/price-per-m² bucket (see
RangeBits), per zone (matched against every run of words of the listing's zone), and the yes/no
conditions. Matching a listing ANDs a few bitsets, which leaves a superset of the matches;
filters whose every condition the bitsets decide exactly ("exact": bounds on the grid, no
words) are matches as they are, and the rest are checked with the same predicate
`filter_matches` uses (filters with the same words share one answer per listing). So `match`
returns exactly what testing each active filter one by one returns, at a cost that grows with
the matches, not with the filters.

Freshness across processes: `refresh(session)` runs before each matching round. It reads the
filters whose `updated_at` is at or after the start of the previous refresh less REFRESH_OVERLAP
(a write stamped earlier but committed later, or stamped by a slightly slow clock, is still
caught; a write transaction never lasts that long), applies the ones that changed, and
compares count(id) and sum(id) with what it holds: a difference means rows were deleted (or
inserted with an old stamp), and only then are all ids read to reconcile. The service stamps
`updated_at` on every create, change and pause; a deleted user's filters go by cascade.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.bitsets import RangeBits, from_positions, grid, positions
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.predicate import (
    CompiledFilter,
    ListingLike,
    ListingView,
    filter_matches,
)

__all__ = ["FilterIndex", "FilterMatch", "filter_matches"]

REFRESH_OVERLAP = timedelta(minutes=10)
_CHUNK = 5000

PRICE_GRID = grid(
    [*range(0, 5001, 50), *range(5000, 10001, 250), 12_000, 15_000, 20_000, 50_000, 100_000]
)
ROOMS_GRID = grid(range(21))
AREA_GRID = grid([*range(0, 301, 5), *range(300, 1001, 25), 1500, 2000, 5000, 10_000])
# price per m², rounded up: for a whole-euro bound b, price <= b * area exactly when
# ceil(price / area) <= b, so this is one more range on a whole number
PRICE_PER_M2_GRID = grid([*range(0, 101), 120, 150, 200, 300, 500, 1000])

_FLAGS = (
    "live",
    "exact",
    "source_any",
    "zone_open",
    "zone_unknown_ok",
    "private_any",
    "private_strict",
    "photos",
    "furnished_any",
    "furnished_strict",
)
_COLUMNS = [c for c in SearchFilter.__table__.c if c.key not in ("created_at",)]


@dataclass(frozen=True, slots=True)
class FilterMatch:
    filter_id: int
    user_id: int


@dataclass(slots=True, eq=False)
class _Entry:
    filter_id: int
    user_id: int
    city: str
    paused: bool
    updated_at: datetime
    compiled: CompiledFilter


@dataclass(slots=True, eq=False)
class _Placed:
    """Where one filter sits in its city's bitsets, so it can be taken out again."""

    entry: _Entry
    spans: tuple[tuple[int, int] | None, ...]
    phrases: tuple[str, ...]  # the filter's zones, folded: "centro storico"
    exact: bool  # the bitsets decide every condition
    # when they decide every condition but the words: the words (wanted, excluded), the key
    # under which one listing's answer is shared by every filter with the same words
    words: tuple[tuple[str, ...], tuple[str, ...]] | None


def _entry(row: Any) -> _Entry:
    return _Entry(
        filter_id=row.id,
        user_id=row.user_id,
        city=row.city,
        paused=row.paused,
        updated_at=row.updated_at,
        compiled=CompiledFilter.of(row),
    )


class _CityIndex:
    """The bitsets of one city's active filters."""

    def __init__(self) -> None:
        self.placed: list[_Placed | None] = []
        self.results: list[FilterMatch | None] = []
        self.slot_of: dict[int, int] = {}
        self.free: list[int] = []
        self.dims = (
            RangeBits(PRICE_GRID),
            RangeBits(ROOMS_GRID),
            RangeBits(AREA_GRID),
            RangeBits(PRICE_PER_M2_GRID),
        )
        self.live = self.exact = 0
        self.source_any = 0
        self.source: dict[str, int] = {}
        self.zone_open = self.zone_unknown_ok = 0
        self.zone_phrase: dict[str, int] = {}
        self.private_any = self.private_strict = 0
        self.photos = 0
        self.furnished_any = self.furnished_strict = 0

    def __len__(self) -> int:
        return len(self.slot_of)

    def _place(self, entry: _Entry) -> _Placed:
        c = entry.compiled
        bounds = (
            (c.price_min, c.price_max),
            (c.rooms_min, c.rooms_max),
            (c.area_min, c.area_max),
            (None, c.max_price_per_m2),
        )
        spans = tuple(d.span(lo, hi) for d, (lo, hi) in zip(self.dims, bounds, strict=True))
        on_grid = all(d.exact(lo, hi) for d, (lo, hi) in zip(self.dims, bounds, strict=True))
        has_words = bool(c.include or c.exclude)
        phrases = tuple(sorted({z.strip() for z in c.zones}))
        words = (c.include, c.exclude) if on_grid and has_words else None
        return _Placed(entry, spans, phrases, on_grid and not has_words, words)

    @staticmethod
    def _flags(p: _Placed) -> tuple[bool, ...]:
        """Membership of the yes/no bitsets, in the order of _FLAGS."""
        c = p.entry.compiled
        return (
            True,
            p.exact,
            not c.sources,
            not c.zones,
            bool(c.zones) and c.include_unknown,
            c.private_only,
            c.private_only and not c.include_unknown,
            c.with_photos,
            c.furnished,
            c.furnished and not c.include_unknown,
        )

    def add(self, entry: _Entry) -> None:
        slot = self.free.pop() if self.free else len(self.placed)
        if slot == len(self.placed):
            self.placed.append(None)
            self.results.append(None)
        p = self._place(entry)
        self.placed[slot] = p
        self.results[slot] = FilterMatch(entry.filter_id, entry.user_id)
        self.slot_of[entry.filter_id] = slot
        bit = 1 << slot
        c = entry.compiled
        for dim, span in zip(self.dims, p.spans, strict=True):
            dim.add(bit, span, c.include_unknown)
        for name, on in zip(_FLAGS, self._flags(p), strict=True):
            if on:
                setattr(self, name, getattr(self, name) | bit)
        for source in c.sources:
            self.source[source] = self.source.get(source, 0) | bit
        for phrase in p.phrases:
            self.zone_phrase[phrase] = self.zone_phrase.get(phrase, 0) | bit

    def remove(self, filter_id: int) -> None:
        slot = self.slot_of.pop(filter_id)
        p = self.placed[slot]
        assert p is not None
        bit, clear = 1 << slot, ~(1 << slot)
        for dim, span in zip(self.dims, p.spans, strict=True):
            dim.remove(bit, span)
        for name in _FLAGS:
            setattr(self, name, getattr(self, name) & clear)
        for source in p.entry.compiled.sources:
            self.source[source] &= clear
        for phrase in p.phrases:
            left = self.zone_phrase[phrase] & clear
            if left:
                self.zone_phrase[phrase] = left
            else:
                del self.zone_phrase[phrase]
        self.placed[slot] = None
        self.results[slot] = None
        self.free.append(slot)

    def build(self, entries: Sequence[_Entry]) -> None:
        """Fill an empty city from scratch, one pass per bitset (how a city is (re)loaded)."""
        placed = [self._place(e) for e in entries]
        self.placed = list(placed)
        self.results = [FilterMatch(e.filter_id, e.user_id) for e in entries]
        self.slot_of = {e.filter_id: i for i, e in enumerate(entries)}
        for d, dim in enumerate(self.dims):
            dim.build(
                (i, p.spans[d], p.entry.compiled.include_unknown) for i, p in enumerate(placed)
            )
        flags: list[list[int]] = [[] for _ in _FLAGS]
        sources: dict[str, list[int]] = {}
        phrases: dict[str, list[int]] = {}
        for i, p in enumerate(placed):
            for members, on in zip(flags, self._flags(p), strict=True):
                if on:
                    members.append(i)
            for source in p.entry.compiled.sources:
                sources.setdefault(source, []).append(i)
            for phrase in p.phrases:
                phrases.setdefault(phrase, []).append(i)
        for name, members in zip(_FLAGS, flags, strict=True):
            setattr(self, name, from_positions(members))
        self.source = {k: from_positions(v) for k, v in sources.items()}
        self.zone_phrase = {k: from_positions(v) for k, v in phrases.items()}

    def match(self, v: ListingView) -> list[FilterMatch]:
        c = self.live & (self.source_any | self.source.get(v.source, 0))
        per_m2 = None if v.price is None or not v.area else -(-v.price // v.area)
        for dim, value in zip(self.dims, (v.price, v.rooms, v.area, per_m2), strict=True):
            if not c:
                return []
            c &= dim.candidates(value)
        if v.zone is None:
            c &= self.zone_open | self.zone_unknown_ok
        elif c & ~self.zone_open:
            zones = self.zone_open
            for phrase in _phrases(v.zone):
                zones |= self.zone_phrase.get(phrase, 0)
            c &= zones
        if v.advertiser != "private":
            c &= ~(self.private_strict if v.advertiser is None else self.private_any)
        if not v.has_photos:
            c &= ~self.photos
        if v.furnished is not True:
            c &= ~(self.furnished_strict if v.furnished is None else self.furnished_any)
        if not c:
            return []
        results, placed = self.results, self.placed
        found = [results[i] for i in positions(c & self.exact)]
        text_ok: dict[tuple[tuple[str, ...], tuple[str, ...]], bool] = {}
        for i in positions(c & ~self.exact):
            p = placed[i]
            if p is None:
                continue
            if p.words is None:
                ok = p.entry.compiled.accepts(v)
            elif (ok := text_ok.get(p.words)) is None:  # type: ignore[assignment]
                ok = text_ok[p.words] = p.entry.compiled.accepts_text(v)
            if ok:
                found.append(results[i])
        return found  # type: ignore[return-value]  # slots in `live` are never None


def _phrases(zone: str) -> set[str]:
    """Every run of consecutive words of a folded zone: what a filter's zone may equal."""
    words = zone.split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


class FilterIndex:
    """Every active filter, by city; see the module docstring for how it stays current."""

    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}  # every filter, paused ones too
        self._cities: dict[str, _CityIndex] = {}
        self._id_sum = 0
        self._since: datetime | None = None  # stamps before this were all read already
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        """How many active (unpaused) filters the index holds."""
        return sum(len(city) for city in self._cities.values())

    def active_in(self, city: str) -> int:
        """How many active filters search this city (a slug)."""
        index = self._cities.get(city)
        return 0 if index is None else len(index)

    def match(self, listing: ListingLike) -> list[FilterMatch]:
        """Every active filter the listing matches (in no particular order)."""
        return self.match_view(ListingView.of(listing))

    def match_view(self, view: ListingView) -> list[FilterMatch]:
        city = self._cities.get(view.city) if view.city is not None else None
        return [] if city is None else city.match(view)

    def load(self, filters: Iterable[Any]) -> None:
        """Put or replace filters (objects with SearchFilter's attributes) without a database."""
        self._apply([_entry(f) for f in filters], removed=())

    def discard(self, filter_ids: Iterable[int]) -> None:
        self._apply([], removed=filter_ids)

    async def refresh(self, session: AsyncSession) -> int:
        """Catch up with the database; returns how many filters were added, changed or removed."""
        async with self._lock:
            return await self._refresh(session)

    async def _refresh(self, session: AsyncSession) -> int:
        started = utcnow()
        query = select(*_COLUMNS)
        if self._since is not None:
            query = query.where(SearchFilter.updated_at >= self._since)
        rows = (await session.execute(query)).all()
        changed = [
            _entry(r)
            for r in rows
            if (known := self._entries.get(r.id)) is None or known.updated_at != r.updated_at
        ]
        removed: list[int] = []
        if self._since is not None:
            changed_ids = {e.filter_id for e in changed}
            count, total = (
                await session.execute(
                    select(func.count(SearchFilter.id), func.coalesce(func.sum(SearchFilter.id), 0))
                )
            ).one()
            known_count = len(self._entries.keys() | changed_ids)
            known_sum = self._id_sum + sum(i for i in changed_ids if i not in self._entries)
            if (count, int(total)) != (known_count, known_sum):
                ids = set((await session.scalars(select(SearchFilter.id))).all())
                removed = [i for i in self._entries if i not in ids]
                missing = sorted(ids - self._entries.keys() - changed_ids)
                for start in range(0, len(missing), _CHUNK):
                    chunk = missing[start : start + _CHUNK]
                    more = await session.execute(
                        select(*_COLUMNS).where(SearchFilter.id.in_(chunk))
                    )
                    changed.extend(_entry(r) for r in more)
        self._apply(changed, removed=removed)
        self._since = started - REFRESH_OVERLAP
        return len(changed) + len(removed)

    def _apply(self, changed: Sequence[_Entry], removed: Iterable[int]) -> None:
        touched: dict[str, list[tuple[int, _Entry | None]]] = {}
        for filter_id in removed:
            old = self._entries.pop(filter_id, None)
            if old is not None:
                self._id_sum -= filter_id
                if not old.paused:
                    touched.setdefault(old.city, []).append((filter_id, None))
        for entry in changed:
            old = self._entries.get(entry.filter_id)
            if old is None:
                self._id_sum += entry.filter_id
            elif not old.paused:
                touched.setdefault(old.city, []).append((entry.filter_id, None))
            self._entries[entry.filter_id] = entry
            if not entry.paused:
                touched.setdefault(entry.city, []).append((entry.filter_id, entry))
        rebuild = {
            city
            for city, ops in touched.items()
            if city not in self._cities or len(ops) > max(64, len(self._cities[city]) // 20)
        }
        if rebuild:
            members: dict[str, list[_Entry]] = {city: [] for city in rebuild}
            for e in self._entries.values():
                if e.city in members and not e.paused:
                    members[e.city].append(e)
            for city, entries in members.items():
                self._rebuild(city, entries)
        for city, ops in touched.items():
            if city in rebuild:
                continue
            index = self._cities[city]
            for filter_id, new in ops:
                if new is None:
                    if filter_id in index.slot_of:
                        index.remove(filter_id)
                elif filter_id not in index.slot_of:
                    index.add(new)

    def _rebuild(self, city: str, entries: list[_Entry]) -> None:
        if not entries:
            self._cities.pop(city, None)
            return
        entries.sort(key=lambda e: e.filter_id)
        index = _CityIndex()
        index.build(entries)
        self._cities[city] = index
