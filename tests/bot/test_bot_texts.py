"""The bot's catalog: every text in ru, en and it, real plurals, escaping, and no key missing."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.bot.settings import parse_quiet_hours
from ita_rent_bot.locales import LANGUAGES
from ita_rent_bot.locales.bot import BOT, Html, t, tn

BOT_SOURCES = Path(__file__).resolve().parents[2] / "src" / "ita_rent_bot" / "bot"
# Keys built at run time (f-strings), spelled out so that each is checked.
DYNAMIC_KEYS = {
    *(f"btn.edit_{step}" for step in ("city", "price", "rooms", "area", "options")),
    *(f"wiz.{step}" for step in ("price", "area", "include_words", "exclude_words")),
    "btn.wa_instant",
    "btn.wa_digest",
    "filters.paused",
    "filters.resumed",
    "settings.ask_tz",
    "settings.ask_quiet",
}


def test_every_language_has_the_same_keys() -> None:
    reference = BOT.keys("en")
    for language in LANGUAGES:
        assert BOT.keys(language) == reference, language


def test_plural_entries_have_each_languages_forms() -> None:
    for language in LANGUAGES:
        for key, entry in BOT.messages[language].items():
            if isinstance(entry, tuple):
                assert len(entry) == (3 if language == "ru" else 2), (language, key)


def test_every_key_the_bot_uses_exists() -> None:
    used: set[str] = set(DYNAMIC_KEYS)
    pattern = re.compile(
        r"""["']((?:btn|wiz|filters|card|saved|settings|wa|leave|start|help|"""
        r"""error|fallback|summary|range|listing|n)\.[a-z_.]+)["']"""
    )
    for path in BOT_SOURCES.glob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 60
    for language in LANGUAGES:
        missing = sorted(key for key in used if key not in BOT.keys(language))
        assert missing == [], (language, missing)


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("ru", 1, "1 комната"),
        ("ru", 3, "3 комнаты"),
        ("ru", 5, "5 комнат"),
        ("ru", 11, "11 комнат"),
        ("ru", 21, "21 комната"),
        ("ru", 22, "22 комнаты"),
        ("en", 1, "1 room"),
        ("en", 2, "2 rooms"),
        ("it", 1, "1 locale"),
        ("it", 4, "4 locali"),
    ],
)
def test_room_plurals(language: str, n: int, expected: str) -> None:
    assert tn(language, "n.rooms", n) == expected


def test_parameters_are_escaped_unless_marked_safe() -> None:
    text = t("en", "filters.confirm_delete", name="<b>x</b> & y")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text
    assert "<b>ok</b>" in t("en", "wiz.summary", summary=Html("<b>ok</b>"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23-7", (time(23), time(7))),
        ("22:30 - 07:00", (time(22, 30), time(7))),
        ("0.15–6.45", (time(0, 15), time(6, 45))),
        ("25-7", None),
        ("23-7-8", None),
        ("tonight", None),
        ("", None),
    ],
)
def test_quiet_hours_parsing(text: str, expected: tuple[time, time] | None) -> None:
    assert parse_quiet_hours(text) == expected


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 23), st.integers(0, 59))
def test_quiet_hours_round_trip(h1: int, m1: int, h2: int, m2: int) -> None:
    assert parse_quiet_hours(f"{h1}:{m1:02d}-{h2:02d}:{m2:02d}") == (time(h1, m1), time(h2, m2))
