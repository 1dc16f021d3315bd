"""The index returns exactly what testing every active filter one by one returns."""

from __future__ import annotations

import dataclasses
import random

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


RANGE_PAIRS = {
    field: _maybe(st.tuples(values, values), (None, None))
    for field, values in (("price", PRICES), ("rooms", ROOMS), ("area", AREAS))
}
FILTER_FIELDS = {
    "city": st.sampled_from(CITIES),
    "user_id": st.integers(1, 5),
    "zones": _maybe(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2), []),
    "sources": _maybe(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2), []),
    # on the index's grid (whole euros to 100) and off it, where the predicate decides
    "max_price_per_m2": _maybe(
        st.one_of(st.integers(0, 60), st.sampled_from([99, 100, 101, 137, 1000, 1001, 5000])),
        None,
    ),
    "include_words": _maybe(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2), []),
    "exclude_words": _maybe(st.lists(st.sampled_from(WORDS), min_size=1, max_size=1), []),
    "private_only": _maybe(st.just(True), False),
    "with_photos": _maybe(st.just(True), False),
    "furnished": _maybe(st.just(True), False),
    "include_unknown": st.booleans(),
    "paused": _maybe(st.just(True), False),
}


@st.composite
def filters(draw: st.DrawFn) -> FakeFilter:
    fields = {name: draw(strategy) for name, strategy in FILTER_FIELDS.items()}
    for field, pairs in RANGE_PAIRS.items():
        fields[f"{field}_min"], fields[f"{field}_max"] = draw(pairs)
    return FakeFilter(**fields)


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


def by_id(matches: list[FilterMatch]) -> list[FilterMatch]:
    return sorted(matches, key=lambda m: m.filter_id)


def _unique(fs: list[FakeFilter]) -> list[FakeFilter]:
    return [dataclasses.replace(f, id=i) for i, f in enumerate(fs, start=1)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(filters(), min_size=5, max_size=40).map(_unique),
    st.lists(listings, min_size=1, max_size=8),
)
def test_index_equals_one_by_one(all_filters: list[FakeFilter], batch: list[FakeListing]) -> None:
    index = FilterIndex()
    index.load(all_filters)
    for listing in batch:
        assert by_id(index.match(listing)) == naive(all_filters, listing)


@settings(max_examples=100, deadline=None)
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
        assert by_id(index.match(listing)) == naive(list(current.values()), listing)
    assert len(index) == sum(not f.paused for f in current.values())
    assert index.active_in("roma") == sum(
        not f.paused and f.city == "roma" for f in current.values()
    )


def test_many_filters_per_city_against_one_by_one() -> None:
    """Thousands of slots (bitsets far wider than a machine word) and a bulk rebuild."""
    rng = random.Random(7)
    all_filters = [_random_filter(rng, i) for i in range(1, 2001)]
    index = FilterIndex()
    index.load(all_filters)
    batch = [_random_listing(rng) for _ in range(120)]
    hits = 0
    for listing in batch:
        expected = naive(all_filters, listing)
        hits += len(expected)
        assert by_id(index.match(listing)) == expected
    assert hits > 500  # the comparison covered plenty of matches
    edited = [dataclasses.replace(_random_filter(rng, f.id), id=f.id) for f in all_filters[:400]]
    index.load(edited)  # many changes at once: the city is rebuilt
    index.discard(range(1500, 1600))
    current = {f.id: f for f in all_filters} | {f.id: f for f in edited}
    for gone in range(1500, 1600):
        del current[gone]
    for listing in batch[:50]:
        assert by_id(index.match(listing)) == naive(list(current.values()), listing)


def _random_filter(rng: random.Random, filter_id: int) -> FakeFilter:
    lo = rng.choice([None, None, 500, 700, 800, 1000, 1234])
    return FakeFilter(
        id=filter_id,
        user_id=rng.randint(1, 500),
        city=rng.choice(["roma", "roma", "milano"]),
        price_min=lo,
        price_max=rng.choice([None, 1200, 1500, 1999, 2500]),
        rooms_min=rng.choice([None, 1, 2, 3]),
        area_min=rng.choice([None, None, 40, 55, 70]),
        zones=rng.choice([[], [], ["Monti"], ["Trastevere", "Prati"]]),
        include_words=rng.choice([[], [], [], ["balcon"]]),
        exclude_words=rng.choice([[], [], ["seminterrato"]]),
        max_price_per_m2=rng.choice([None, None, None, 25]),
        private_only=rng.random() < 0.1,
        with_photos=rng.random() < 0.3,
        furnished=rng.random() < 0.2,
        include_unknown=rng.random() < 0.3,
        paused=rng.random() < 0.05,
    )


def _random_listing(rng: random.Random) -> FakeListing:
    return FakeListing(
        city=rng.choice(["roma", "milano", "napoli"]),
        source=rng.choice(SOURCES),
        zone=rng.choice([None, "Monti", "Trastevere", "Prati - Cola di Rienzo", "Esquilino"]),
        price_eur=rng.choice([None, rng.randint(400, 3000), 1500, 1200]),
        rooms=rng.choice([None, 1, 2, 3, 4]),
        area_m2=rng.choice([None, rng.randint(25, 140)]),
        title=rng.choice([None, "Bilocale con balcone", "Monolocale seminterrato"]),
        photos=rng.choice([[], ["p"]]),
        advertiser=rng.choice([None, "private", "agency"]),
        furnished=rng.choice([None, True, False]),
    )


def test_price_per_m2_bound_is_exact_at_the_euro() -> None:
    """1,000 € for 40 m² is 25 €/m²; 1,001 € is just over it (the index rounds up)."""
    bounds = [24, 25, 26, 137, None]
    all_filters = [
        FakeFilter(id=n, user_id=n, city="roma", max_price_per_m2=b)
        for n, b in enumerate(bounds, start=1)
    ]
    index = FilterIndex()
    index.load(all_filters)
    for price, area, expected in [
        (1000, 40, {2, 3, 4, 5}),
        (1001, 40, {3, 4, 5}),
        (960, 40, {1, 2, 3, 4, 5}),
        (5480, 40, {4, 5}),
        (5481, 40, {5}),
        (None, 40, {5}),
        (1000, 0, {5}),
    ]:
        listing = FakeListing(city="roma", price_eur=price, area_m2=area)
        found = by_id(index.match(listing))
        assert [m.filter_id for m in found] == sorted(expected)
        assert found == naive(all_filters, listing)
