"""The small normalisers every parser relies on."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.listings.normalise import (
    city_slug,
    coordinates,
    first_int,
    parse_time,
    street_key,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1.300 €/mese", 1300),
        ("€ 2.150/mese", 2150),
        ("700€/mese", 700),
        ("13 locali", 13),
        ("5+", 5),
        ("50 m²", 50),
        ("55,5 m²", 55),
        ("1 234 567", 1234567),
        ("Prezzo su richiesta", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_first_int(text: str, number: int | None) -> None:
    assert first_int(text) == number


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Roma", "roma"),
        ("  MILANO ", "milano"),
        ("Forlì", "forli"),
        ("Reggio nell'Emilia", "reggio-nell-emilia"),
        ("Anguillara Sabazia", "anguillara-sabazia"),
        ("Alicante / Alacant", "alicante"),
        ("Bolzano/Bozen", "bolzano"),
        ("", None),
        ("---", None),
    ],
)
def test_city_slug(name: str, slug: str | None) -> None:
    assert city_slug(name) == slug


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Via Alberico Albricci, 13", "via alberico albricci"),
        ("V.le Marconi 12a", "viale marconi"),
        ("p.zza Irnerio 67", "piazza irnerio"),
        ("Via S. Fabiano s.n.c", "via s fabiano"),
        ("Via Castell'Umberto, 27", "via castellumberto"),
        ("Via Carezzano, 00166 Roma RM, Italia", "via carezzano"),
        ("", None),
        ("12", None),
    ],
)
def test_street_key(address: str, key: str | None) -> None:
    assert street_key(address) == key


def test_parse_time_reads_italian_local_time_and_offsets() -> None:
    assert parse_time("2026-08-24 20:25:57") == datetime(2026, 8, 24, 18, 25, 57, tzinfo=UTC)
    assert parse_time("2026-01-15 09:30:00") == datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
    assert parse_time("2026-08-31T20:50:16.991+0200") == datetime(
        2026, 8, 31, 18, 50, 16, 991000, tzinfo=UTC
    )
    assert parse_time("ieri") is None
    assert parse_time(20260101) is None


def test_coordinates() -> None:
    assert coordinates("41.9", "12.5") == (41.9, 12.5)
    assert coordinates(0, 0) == (None, None)
    assert coordinates("91", "12") == (None, None)
    assert coordinates("nan", "12") == (None, None)
    assert coordinates(None, 12.5) == (None, None)


@given(st.text())
def test_normalisers_never_raise(text: str) -> None:
    number = first_int(text)
    slug = city_slug(text)
    key = street_key(text)

    assert number is None or number >= 0
    assert slug is None or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert key is None or key == key.strip()
    assert parse_time(text) is None or parse_time(text) is not None
