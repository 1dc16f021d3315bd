"""City names in any language and spelling come back as one slug; the shipped list is complete."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from ita_rent_bot.filters.cities import (
    COMUNI_CSV,
    display_name,
    get_comune,
    normalise_city,
    slugify,
    suggest_cities,
)


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("Roma", "roma"),
        ("Rome", "roma"),
        ("Рим", "roma"),
        ("  rOmA ", "roma"),
        ("Rom", "roma"),
        ("Rzym", "roma"),
        ("Milano", "milano"),
        ("Milan", "milano"),
        ("Милан", "milano"),
        ("Mailand", "milano"),
        ("Firenze", "firenze"),
        ("Florence", "firenze"),
        ("Флоренция", "firenze"),
        ("Florenz", "firenze"),
        ("Napoli", "napoli"),
        ("Naples", "napoli"),
        ("Неаполь", "napoli"),
        ("Torino", "torino"),
        ("Turin", "torino"),
        ("Турин", "torino"),
        ("Venezia", "venezia"),
        ("Venice", "venezia"),
        ("Венеция", "venezia"),
        ("Genova", "genova"),
        ("Genoa", "genova"),
        ("Генуя", "genova"),
        ("Gênes", "genova"),
        ("Bologna", "bologna"),
        ("Болонья", "bologna"),
        ("Padova", "padova"),
        ("Padua", "padova"),
        ("Mantova", "mantova"),
        ("Mantua", "mantova"),
        ("Siracusa", "siracusa"),
        ("Syracuse", "siracusa"),
        ("Сиракузы", "siracusa"),
        ("Reggio nell'Emilia", "reggio-nell-emilia"),
        ("Reggio Emilia", "reggio-nell-emilia"),
        ("reggio-nell-emilia", "reggio-nell-emilia"),
        ("Reggio Calabria", "reggio-di-calabria"),
        ("Forlì", "forli"),
        ("FORLI", "forli"),
        ("L'Aquila", "l-aquila"),
        ("Bozen", "bolzano"),
        ("Brixen", "bressanone"),
        ("Rome, Italy", "roma"),
        ("Roma RM", "roma"),
        ("Castro (LE)", "castro-le"),
        ("castro, bg", "castro-bg"),
        ("castro-le", "castro-le"),
        ("Agliè", "aglie"),
        ("San Remo", "sanremo"),
    ],
)
def test_names_in_every_language_give_one_slug(typed: str, slug: str) -> None:
    assert normalise_city(typed) == slug


@pytest.mark.parametrize("typed", ["", "   ", "Atlantis", "Castro", "Roma XX", "Paris"])
def test_unknown_or_ambiguous_names_give_none(typed: str) -> None:
    assert normalise_city(typed) is None


def test_suggestions_put_the_likely_city_first() -> None:
    assert suggest_cities("Rom")[0] == "roma"
    assert suggest_cities("Flornce")[0] == "firenze"
    assert suggest_cities("Napols")[0] == "napoli"
    assert suggest_cities("Мила")[0] == "milano"
    assert suggest_cities("Castro")[:2] == ["castro-bg", "castro-le"]
    assert len(suggest_cities("San", limit=3)) == 3
    assert suggest_cities("") == []
    assert suggest_cities("qqqqqqqq") == []


def test_display_names() -> None:
    assert display_name("roma") == "Roma"
    assert display_name("roma", language="ru") == "Рим"
    assert display_name("roma", language="en") == "Rome"
    assert display_name("reggio-nell-emilia") == "Reggio nell'Emilia"
    assert display_name("castro-le") == "Castro (LE)"
    assert display_name("aglie", language="ru") == "Agliè"  # no Russian name: the Italian one
    assert display_name("not-a-city") == "not-a-city"


def test_the_shipped_list_is_istat_complete() -> None:
    with COMUNI_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 7800
    assert len({r["province"] for r in rows}) == 107
    assert len({r["region"] for r in rows}) == 20
    assert sum(r["capital"] == "1" for r in rows) >= 107
    slugs = Counter(r["slug"] for r in rows)
    assert max(slugs.values()) == 1
    for r in rows:
        base = slugify(r["name"])
        assert r["slug"] in (base, f"{base}-{r['province'].lower()}")
        assert r["slug"].isascii()
        assert r["slug"] == r["slug"].lower()
    roma = get_comune("roma")
    assert roma is not None
    assert (roma.region, roma.province, roma.capital) == ("Lazio", "RM", True)
