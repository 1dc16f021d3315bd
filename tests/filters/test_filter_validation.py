"""One set of rules for the API, the bot and the CLI, with messages in ru, en and it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ita_rent_bot.filters.schemas import FilterIn, FilterPatch
from ita_rent_bot.filters.validation import (
    FilterValidationError,
    errors_from_pydantic,
    parse_city,
    parse_range,
    parse_words,
    validate_range,
)
from ita_rent_bot.locales import LANGUAGES
from ita_rent_bot.locales.filters import CATALOG


def _errors(**data: Any) -> list[FilterValidationError]:
    with pytest.raises(ValidationError) as caught:
        FilterIn(**data)
    return errors_from_pydantic(caught.value)


def test_filter_in_normalises() -> None:
    f = FilterIn(
        name="  Near   the river ",
        city="Флоренция",
        zones=[" Santo Spirito", "santo spirito", "Oltrarno"],
        sources=["subito", "subito", "idealista"],
        price_min="800",
        price_max=1500,
        include_words=["Balcone", "balcone ", "posto  auto"],
        exclude_words=None,
    )
    assert f.name == "Near the river"
    assert f.city == "firenze"
    assert f.zones == ["Santo Spirito", "Oltrarno"]
    assert f.sources == ["subito", "idealista"]
    assert (f.price_min, f.price_max) == (800, 1500)
    assert f.include_words == ["Balcone", "posto auto"]
    assert f.exclude_words == []
    assert f.include_unknown is False
    assert FilterIn(name="x", city="Roma", price_max="1.500 €").price_max == 1500


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "", "city": "Roma"}, "name", "required"),
        ({"name": "x" * 65, "city": "Roma"}, "name", "too_long"),
        ({"city": "Roma"}, "name", "required"),
        ({"name": "x", "city": "Atlantis"}, "city", "unknown_city"),
        ({"name": "x", "city": "Roma", "price_min": -1}, "price_min", "negative"),
        ({"name": "x", "city": "Roma", "price_min": "-1"}, "price_min", "negative"),
        ({"name": "x", "city": "Roma", "rooms_max": 21}, "rooms_max", "too_large"),
        ({"name": "x", "city": "Roma", "area_min": "lots"}, "area_min", "not_a_number"),
        ({"name": "x", "city": "Roma", "price_min": 900, "price_max": 800}, "price", "min_gt_max"),
        ({"name": "x", "city": "Roma", "rooms_min": 3, "rooms_max": 2}, "rooms", "min_gt_max"),
        ({"name": "x", "city": "Roma", "area_min": 90, "area_max": 80}, "area", "min_gt_max"),
        ({"name": "x", "city": "Roma", "sources": ["ebay"]}, "sources", "bad_choice"),
        (
            {"name": "x", "city": "Roma", "zones": ["z"] * 1 + [f"z{i}" for i in range(20)]},
            "zones",
            "too_many",
        ),
        ({"name": "x", "city": "Roma", "include_words": ["w" * 41]}, "include_words", "too_long"),
        ({"name": "x", "city": "Roma", "exclude_words": ["!!"]}, "exclude_words", "no_letters"),
        (
            {"name": "x", "city": "Roma", "include_words": ["Cane"], "exclude_words": ["càne"]},
            "exclude_words",
            "word_conflict",
        ),
        ({"name": "x", "city": "Roma", "colour": "red"}, "colour", "unknown_field"),
        ({"name": "x", "city": "Roma", "max_price_per_m2": 1001}, "max_price_per_m2", "too_large"),
    ],
)
def test_each_rule_names_its_field(data: dict[str, Any], field: str, code: str) -> None:
    errors = _errors(**data)
    assert (errors[0].field, errors[0].code) == (field, code)
    for language in LANGUAGES:
        text = errors[0].message(language)
        assert text
        assert "{" not in text


def test_unknown_city_message_offers_suggestions_in_the_users_language() -> None:
    with pytest.raises(FilterValidationError) as caught:
        parse_city("Milna")
    error = caught.value
    assert error.field == "city"
    assert "milano" in error.params["suggestions"]
    assert "Милан" in error.message("ru")
    assert "Milan" in error.message("en")
    assert "Milano" in error.message("it")
    assert error.message("ru").startswith("Город: ")
    assert error.message("it").startswith("Città: ")
    with pytest.raises(FilterValidationError) as nothing:
        parse_city("Qqqqqqqqqq")
    assert nothing.value.params["suggestions"] == []
    assert nothing.value.message("en") == "City: unknown city “Qqqqqqqqqq”"


def test_every_language_has_every_message() -> None:
    assert CATALOG.keys("ru") == CATALOG.keys("en") == CATALOG.keys("it")
    params = {"max": 5, "value": "v", "min": 9, "suggestions": "a, b", "choices": "c", "word": "w"}
    for language in LANGUAGES:
        for key in CATALOG.keys(language):
            assert CATALOG.text(language, key, **params)


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("800-1500", "price", (800, 1500)),
        ("800 - 1500", "price", (800, 1500)),
        ("800–1500 €", "price", (800, 1500)),
        ("800-", "price", (800, None)),
        ("-1500", "price", (None, 1500)),
        ("any", "price", (None, None)),
        ("-", "price", (None, None)),
        ("Любой", "rooms", (None, None)),
        ("1.200", "price", (None, 1200)),
        ("1200€", "price", (None, 1200)),
        ("1 200 - 2 000", "price", (1200, 2000)),
        ("1,5k", "price", (None, 1500)),
        ("2k-3k", "price", (2000, 3000)),
        ("от 800 до 1500", "price", (800, 1500)),
        ("da 800 a 1500", "price", (800, 1500)),
        ("from 900", "price", (900, None)),
        ("2", "rooms", (2, 2)),
        ("2-", "rooms", (2, None)),
        ("60", "area", (60, None)),
        ("60 m²", "area", (60, None)),
        ("50..90", "area", (50, 90)),
    ],
)
def test_parse_range_accepts_what_people_type(
    text: str, field: str, expected: tuple[int | None, int | None]
) -> None:
    assert parse_range(text, field) == expected


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        ("1500-800", "price", "min_gt_max"),
        ("cheap", "price", "not_a_number"),
        ("2.5", "rooms", "not_a_number"),
        ("30", "rooms", "too_large"),
        ("1-2-3", "price", "not_a_number"),
    ],
)
def test_parse_range_rejects_with_a_reason(text: str, field: str, code: str) -> None:
    with pytest.raises(FilterValidationError) as caught:
        parse_range(text, field)
    assert caught.value.code == code
    assert caught.value.field.startswith(field)


def test_validate_range() -> None:
    assert validate_range("price", None, None) == (None, None)
    assert validate_range("price", 0, 0) == (0, 0)
    with pytest.raises(FilterValidationError, match="negative"):
        validate_range("area", -5, None)


def test_parse_words() -> None:
    assert parse_words("balcone, Terrazzo; posto auto\nbalcone") == [
        "balcone",
        "Terrazzo",
        "posto auto",
    ]
    assert parse_words("-") == []
    assert parse_words("нет") == []
    with pytest.raises(FilterValidationError) as caught:
        parse_words(",".join(f"w{i}" for i in range(21)), "exclude_words")
    assert (caught.value.field, caught.value.code) == ("exclude_words", "too_many")


def test_patch_changes_only_what_it_sends_and_revalidates() -> None:
    current = FilterIn(name="a", city="Roma", price_min=800, price_max=1500, zones=["Monti"])
    merged = FilterPatch(price_max=None, city="Milan").merged_with(current)
    assert (merged.city, merged.price_min, merged.price_max) == ("milano", 800, None)
    assert merged.zones == ["Monti"]
    with pytest.raises(ValidationError) as caught:
        FilterPatch(price_min=2000).merged_with(current)
    assert errors_from_pydantic(caught.value)[0].code == "min_gt_max"
    with pytest.raises(ValidationError):
        FilterPatch.model_validate({"paused": True})  # not a field a patch may set
