"""The index returns exactly what testing every active filter one by one returns."""

from __future__ import annotations

import dataclasses

from filter_factories import FakeFilter, FakeListing
from hypothesis import given, settings
from hypothesis import strategies as st

from ita_rent_bot.filters.matcher import FilterIndex, FilterMatch, filter_matches

CITIES = ["roma", "milano", "napoli"]
SOURCES = ["subito", "immobiliare", "idealista"]
ZONES = ["Trastevere", "Centro Storico", "Centro", "Monti", "San Lorenzo", "Città Studi"]
LISTING_ZONES = [None, "", "Trastevere", "centro storico - Pantheon", "MONTI", "Citta studi"]
WORDS = ["balcone", "balcon", "terrazzo", "ascensore", "posto auto", "Àscensore", "cane"]
TEXTS = [
    None,
    "Bilocale con BALCONE",
    "Trilocale, ascensore e posto auto",
    "Attico con terrazzo; no cani",
    "Monolocale arredato",
]


def _number(round_values: list[int], top: int) -> st.SearchStrategy[int | None]:
    """Values on the index's grid, next to it and off it, plus None (no bound / unknown)."""
    return st.one_of(
        st.none(),
        st.sampled_from(round_values),
        st.sampled_from(round_values).map(lambda v: v + 1),
        st.sampled_from(round_values).map(lambda v: max(0, v - 1)),
        st.integers(0, top),
    )


PRICES = _number([0, 50, 500, 800, 1000, 1500, 5000, 5250, 12_000, 100_000], 6000)
ROOMS = _number([0, 1, 2, 3, 5, 20], 25)
AREAS = _number([0, 5, 40, 50, 300, 325, 1000, 10_000], 400)


def _maybe(strategy: st.SearchStrategy[object], empty: object) -> st.SearchStrategy[object]:
    """Usually unconstrained, so random filters and listings still match often."""
    return st.one_of(st.just(empty), st.just(empty), strategy)


@st.composite
def filters(draw: st.DrawFn) -> FakeFilter:
    bounds = {}
    for field, values in (("price", PRICES), ("rooms", ROOMS), ("area", AREAS)):
        lo, hi = draw(_maybe(st.tuples(values, values), (None, None)))
        bounds[f"{field}_min"], bounds[f"{field}_max"] = lo, hi
    return FakeFilter(
        city=draw(st.sampled_from(CITIES)),
        user_id=draw(st.integers(1, 5)),
        zones=draw(_maybe(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2), [])),
        sources=draw(_maybe(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2), [])),
        max_price_per_m2=draw(_maybe(st.integers(0, 60), None)),
        include_words=draw(_maybe(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2), [])),
        exclude_words=draw(_maybe(st.lists(st.sampled_from(WORDS), min_size=1, max_size=1), [])),
        private_only=draw(_maybe(st.just(True), False)),
        with_photos=draw(_maybe(st.just(True), False)),
        furnished=draw(_maybe(st.just(True), False)),
        include_unknown=draw(st.booleans()),
        paused=draw(_maybe(st.just(True), False)),
        **bounds,
    )


listings = st.builds(
    FakeListing,
    city=st.sampled_from([*CITIES, *CITIES, None, "Rome", "torino"]),
    source=st.sampled_from(["subito", "immobiliare", "idealista", "other"]),
    zone=st.sampled_from(LISTING_ZONES),
    price_eur=PRICES,
    rooms=ROOMS,
    area_m2=AREAS,
    title=st.sampled_from(TEXTS),
    description=st.sampled_from(TEXTS),
    photos=st.sampled_from([[], ["https://img/1.jpg"]]),
    advertiser=st.sampled_from([None, "private", "agency"]),
    furnished=st.sampled_from([None, True, False]),
)


def naive(all_filters: list[FakeFilter], listing: FakeListing) -> list[FilterMatch]:
    return sorted(
        (
            FilterMatch(f.id, f.user_id)
            for f in all_filters
            if not f.paused and filter_matches(f, listing)
        ),
        key=lambda m: m.filter_id,
    )


def _unique(fs: list[FakeFilter]) -> list[FakeFilter]:
    return [dataclasses.replace(f, id=i) for i, f in enumerate(fs, start=1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(filters(), min_size=5, max_size=40).map(_unique), st.lists(listings, min_size=1, max_size=8))
def test_index_equals_one_by_one(all_filters: list[FakeFilter], batch: list[FakeListing]) -> None:
    index = FilterIndex()
    index.load(all_filters)
    for listing in batch:
        assert index.match(listing) == naive(all_filters, listing)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(filters(), min_size=1, max_size=30).map(_unique),
    st.lists(st.tuples(st.sampled_from(["put", "pause", "drop"]), st.integers(0, 29), filters())),
    st.lists(listings, min_size=1, max_size=5),
)
def test_index_stays_exact_through_changes(
    start: list[FakeFilter],
    ops: list[tuple[str, int, FakeFilter]],
    batch: list[FakeListing],
) -> None:
    """Creates, edits, pauses and deletes applied one at a time (the incremental path)."""
    index = FilterIndex()
    index.load(start)
    current = {f.id: f for f in start}
    for op, n, template in ops:
        filter_id = n + 1
        if op == "drop":
            current.pop(filter_id, None)
            index.discard([filter_id])
            continue
        old = current.get(filter_id)
        if op == "pause" and old is not None:
            new = dataclasses.replace(old, paused=not old.paused)
        else:
            new = dataclasses.replace(template, id=filter_id)
        current[filter_id] = new
        index.load([new])
    for listing in batch:
        assert index.match(listing) == naive(list(current.values()), listing)
    assert len(index) == sum(not f.paused for f in current.values())
