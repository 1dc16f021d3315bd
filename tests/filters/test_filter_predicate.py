"""What "matches" means, case by case: the reference every other path agrees with."""

from __future__ import annotations

import pytest
from filter_factories import FakeFilter, FakeListing

from ita_rent_bot.filters.matcher import filter_matches

FULL = FakeListing(
    city="roma",
    source="immobiliare",
    zone="Trastevere - San Cosimato",
    price_eur=1200,
    rooms=2,
    area_m2=60,
    title="Bilocale luminoso con BALCONE",
    description="Ascensore, riscaldamento autonomo. Città: Roma",
    photos=["https://img/1.jpg"],
    advertiser="private",
    furnished=True,
)
BARE = FakeListing(city="roma", source="subito")  # every optional field unknown


def test_no_conditions_match_any_listing_of_the_city() -> None:
    assert filter_matches(FakeFilter(), FULL)
    assert filter_matches(FakeFilter(), BARE)
    assert not filter_matches(FakeFilter(city="milano"), FULL)
    assert not filter_matches(FakeFilter(), FakeListing(city=None))


def test_listing_city_in_another_spelling_still_matches() -> None:
    assert filter_matches(FakeFilter(city="roma"), FakeListing(city="Rome"))
    assert filter_matches(FakeFilter(city="firenze"), FakeListing(city="Firenze"))


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"price_min": 1200}, True),  # bounds are inclusive
        ({"price_max": 1200}, True),
        ({"price_min": 1201}, False),
        ({"price_max": 1199}, False),
        ({"price_min": 800, "price_max": None}, True),  # open above
        ({"price_min": None, "price_max": 5000}, True),  # open below
        ({"rooms_min": 2, "rooms_max": 2}, True),
        ({"rooms_min": 3}, False),
        ({"area_min": 61}, False),
        ({"area_max": 60}, True),
        ({"max_price_per_m2": 20}, True),  # 1200 / 60 = 20
        ({"max_price_per_m2": 19}, False),
    ],
)
def test_bounds(bounds: dict[str, int | None], expected: bool) -> None:
    assert filter_matches(FakeFilter(**bounds), FULL) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"price_min": 1},
        {"price_max": 5000},
        {"rooms_min": 1},
        {"rooms_max": 9},
        {"area_min": 1},
        {"area_max": 500},
        {"max_price_per_m2": 100},
        {"zones": ["Trastevere"]},
        {"private_only": True},
        {"furnished": True},
    ],
)
def test_unknown_values_fail_unless_the_user_includes_unknowns(
    condition: dict[str, object],
) -> None:
    assert not filter_matches(FakeFilter(**condition), BARE)
    assert filter_matches(FakeFilter(include_unknown=True, **condition), BARE)
    assert filter_matches(FakeFilter(include_unknown=True, **condition), FULL)


def test_known_values_that_fail_are_not_rescued_by_include_unknown() -> None:
    agency = FakeListing(advertiser="agency", furnished=False, price_eur=3000)
    for condition in ({"private_only": True}, {"furnished": True}, {"price_max": 1000}):
        assert not filter_matches(FakeFilter(include_unknown=True, **condition), agency)


def test_zero_area_counts_as_unknown_for_price_per_m2() -> None:
    listing = FakeListing(price_eur=900, area_m2=0)
    assert not filter_matches(FakeFilter(max_price_per_m2=30), listing)
    assert filter_matches(FakeFilter(max_price_per_m2=30, include_unknown=True), listing)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["balcone"], True),
        (["Balcone"], True),
        (["BALCÒNE"], True),  # accents and case do not matter
        (["balcon"], True),  # a word's beginning is enough: balcon → balcone, balconi
        (["alcone"], False),  # ... but not its middle
        (["citta"], True),  # "Città" in the description
        (["balcone", "ascensore"], True),  # every wanted word must appear
        (["balcone", "terrazzo"], False),
        (["riscaldamento autonomo"], True),  # a phrase
        (["autonomo riscaldamento"], False),
    ],
)
def test_wanted_words(words: list[str], expected: bool) -> None:
    assert filter_matches(FakeFilter(include_words=words), FULL) is expected


def test_excluded_words() -> None:
    assert not filter_matches(FakeFilter(exclude_words=["ascensore"]), FULL)
    assert not filter_matches(FakeFilter(exclude_words=["LUMINOSO", "cantina"]), FULL)
    assert filter_matches(FakeFilter(exclude_words=["cantina"]), FULL)
    assert filter_matches(FakeFilter(exclude_words=["cantina"]), BARE)
    assert not filter_matches(FakeFilter(include_words=["balcone"]), BARE)  # nothing to find


def test_russian_words_fold_too() -> None:
    listing = FakeListing(title="Квартира с БАЛКОНОМ, всё включено")
    assert filter_matches(FakeFilter(include_words=["балкон"]), listing)
    assert filter_matches(FakeFilter(include_words=["все"]), listing)  # ё and е fold together


def test_zones_match_whole_words() -> None:
    assert filter_matches(FakeFilter(zones=["Monti", "trastevere"]), FULL)
    assert filter_matches(FakeFilter(zones=["San Cosimato"]), FULL)
    assert not filter_matches(FakeFilter(zones=["Trast"]), FULL)
    assert not filter_matches(FakeFilter(zones=["Monti"]), FULL)


def test_sources_photos_advertiser() -> None:
    assert filter_matches(FakeFilter(sources=["immobiliare", "subito"]), FULL)
    assert not filter_matches(FakeFilter(sources=["idealista"]), FULL)
    assert filter_matches(FakeFilter(with_photos=True), FULL)
    assert not filter_matches(FakeFilter(with_photos=True), BARE)
    assert not filter_matches(FakeFilter(with_photos=True, include_unknown=True), BARE)
    assert filter_matches(FakeFilter(private_only=True), FULL)
