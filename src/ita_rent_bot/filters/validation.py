"""The rules a search filter obeys, in one place: FilterIn applies them, and the Telegram wizard
calls the step helpers (parse_city, parse_range, parse_words) on each answer it receives.

A broken rule raises FilterValidationError(field, code, params); `message(language)` renders it
from locales/filters.py. It subclasses ValueError, so inside a pydantic validator it becomes
part of a ValidationError that `errors_from_pydantic` turns back into these errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ita_rent_bot.filters import cities
from ita_rent_bot.filters.text import fold
from ita_rent_bot.locales.filters import CATALOG, field_label

NAME_MAX_LEN = 64
MAX_ZONES = 20
ZONE_MAX_LEN = 64
MAX_WORDS = 20
WORD_MAX_LEN = 40
MAX_FILTERS_PER_USER = 20
CITY_MAX_LEN = 100
SUGGESTIONS = 5

# the largest value each bound accepts (euros per month, rooms, m², euros per m²)
BOUND_MAX = {"price": 100_000, "rooms": 20, "area": 10_000, "max_price_per_m2": 1_000}
RANGES = ("price", "rooms", "area")

_ANY = frozenset(
    {"", "-", "—", "–", "*", "any", "all", "любой", "любая", "любые", "все", "qualsiasi"}
)
_NONE_WORDS = frozenset({"-", "—", "–", "no", "none", "нет", "nessuna", "nessuno"})
_WORD_SPLIT = re.compile(r"[,;\n]+")
_RANGE_SPLIT = re.compile(r"\s*(?:\.\.|[-–—]|\bto\b|\bдо\b|\ba\b)\s*")
_FROM = re.compile(r"^(?:from|от|da|dal)\s+")
_NUMBER = re.compile(r"^(\d{1,3}(?:[.,' ]\d{3})+|\d+)(?:[.,](\d+))?(k)?$")
_UNITS = re.compile(r"(€|eur|euro|евро|m2|m²|mq|м2|м²|кв\.?м|sqm|rooms?|locali|комн\w*)", re.I)


class FilterValidationError(ValueError):
    """One broken rule: which field, which rule (a catalog key), and the values to show."""

    def __init__(self, field: str, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.field = field
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        params = dict(self.params)
        if "suggestions" in params:
            names = [cities.display_name(s, language=language) for s in params["suggestions"]]
            params["suggestions"] = ", ".join(names)
            code = self.code if names else f"{self.code}_no_suggestions"
        else:
            code = self.code
        if "choices" in params:
            params["choices"] = ", ".join(str(c) for c in params["choices"])
        text = CATALOG.text(language, code, **params)
        return f"{field_label(language, self.field)}: {text}"


def check_bound(field: str, value: int | None) -> int | None:
    """One bound of a range (`price_min`...) or a single cap (`max_price_per_m2`)."""
    if value is None:
        return None
    limit = BOUND_MAX[_range_of(field)]
    if value < 0:
        raise FilterValidationError(field, "negative")
    if value > limit:
        raise FilterValidationError(field, "too_large", {"max": limit})
    return value


def validate_range(field: str, lo: int | None, hi: int | None) -> tuple[int | None, int | None]:
    """Both bounds of `field` ("price", "rooms", "area") valid and in order; either may be open."""
    check_bound(f"{field}_min", lo)
    check_bound(f"{field}_max", hi)
    if lo is not None and hi is not None and lo > hi:
        raise FilterValidationError(field, "min_gt_max", {"min": lo, "max": hi})
    return lo, hi


def parse_city(text: str) -> str:
    """The slug of the city the user typed, in any language; unknown → error with suggestions."""
    value = text.strip()
    if not value:
        raise FilterValidationError("city", "required")
    if len(value) > CITY_MAX_LEN:
        raise FilterValidationError("city", "too_long", {"max": CITY_MAX_LEN})
    slug = cities.normalise_city(value)
    if slug is None:
        suggestions = cities.suggest_cities(value, limit=SUGGESTIONS)
        raise FilterValidationError(
            "city", "unknown_city", {"value": value, "suggestions": suggestions}
        )
    return slug


def parse_number(text: str, field: str) -> int:
    """One amount as people type it: "1.200", "1 200", "1200€", "1,5k", "60 m²"."""
    raw = _UNITS.sub("", text).strip().lower().replace("\u00a0", " ")
    sign = -1 if raw.startswith("-") else 1  # read, so that the error says "negative"
    match = _NUMBER.match(raw.removeprefix("-").strip())
    if match is None:
        raise FilterValidationError(field, "not_a_number", {"value": text.strip()})
    whole, fraction, thousands = match.groups()
    digits = re.sub(r"[.,' ]", "", whole)
    if thousands:
        value = int(digits) * 1000 + (int(fraction.ljust(3, "0")[:3]) if fraction else 0)
    elif fraction:
        raise FilterValidationError(field, "not_a_number", {"value": text.strip()})
    else:
        value = int(digits)
    return sign * value


def parse_range(text: str, field: str) -> tuple[int | None, int | None]:
    """ "800-1500", "800-", "-1500", "from 800", "1.200", "1200€", "1,5k", "any" or "-" (open).

    A single number means: price → at most; area → at least; rooms → exactly.
    """
    if field not in RANGES:
        raise ValueError(f"not a range field: {field}")
    value = text.strip().lower()
    if value in _ANY:
        return None, None
    at_least = _FROM.match(value) is not None
    value = _FROM.sub("", value)
    parts = _RANGE_SPLIT.split(value, maxsplit=1)
    if len(parts) == 2:
        lo_text, hi_text = parts
        lo = parse_number(lo_text, field) if lo_text.strip() else None
        hi = parse_number(hi_text, field) if hi_text.strip() else None
        if lo is None and hi is None:
            return None, None
    else:
        number = parse_number(value, field)
        if at_least or field == "area":
            lo, hi = number, None
        elif field == "price":
            lo, hi = None, number
        else:
            lo, hi = number, number
    return validate_range(field, lo, hi)


def clean_words(field: str, words: list[str], *, max_count: int, max_len: int) -> list[str]:
    """Trimmed, de-duplicated (by folded form) and bounded; each must contain a letter or digit."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for word in words:
        word = " ".join(word.split())
        if not word:
            continue
        if len(word) > max_len:
            raise FilterValidationError(field, "too_long", {"max": max_len})
        key = fold(word)
        if not key:
            raise FilterValidationError(field, "no_letters", {"value": word})
        if key not in seen:
            seen.add(key)
            cleaned.append(word)
    if len(cleaned) > max_count:
        raise FilterValidationError(field, "too_many", {"max": max_count})
    return cleaned


def parse_words(text: str, field: str = "include_words") -> list[str]:
    """Comma-, semicolon- or line-separated words or phrases; "-" or "no" means none."""
    if text.strip().lower() in _NONE_WORDS:
        return []
    return clean_words(field, _WORD_SPLIT.split(text), max_count=MAX_WORDS, max_len=WORD_MAX_LEN)


def check_word_conflict(include: list[str], exclude: list[str]) -> None:
    wanted = {fold(w): w for w in include}
    for word in exclude:
        if fold(word) in wanted:
            raise FilterValidationError("exclude_words", "word_conflict", {"word": word})


def _range_of(field: str) -> str:
    return field.removesuffix("_min").removesuffix("_max")


_PYDANTIC_CODES = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "greater_than_equal": "negative",
    "less_than_equal": "too_large",
    "int_parsing": "not_a_number",
    "int_from_float": "not_a_number",
    "int_type": "not_a_number",
    "literal_error": "bad_choice",
    "extra_forbidden": "unknown_field",
}


def errors_from_pydantic(exc: ValidationError) -> list[FilterValidationError]:
    """Each of pydantic's errors as a FilterValidationError (ours come back unchanged)."""
    result: list[FilterValidationError] = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        original = ctx.get("error")
        if isinstance(original, FilterValidationError):
            result.append(original)
            continue
        names = [str(p) for p in err["loc"] if isinstance(p, str)]
        field = names[0] if names else "filter"
        code = _PYDANTIC_CODES.get(err["type"], "invalid")
        params: dict[str, Any] = {}
        if code == "too_long" or code == "too_many":
            params["max"] = ctx.get("max_length")
        elif code == "too_large":
            params["max"] = ctx.get("le")
        elif code == "bad_choice":
            params["choices"] = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        elif code == "not_a_number":
            params["value"] = str(err.get("input"))[:40]
        result.append(FilterValidationError(field, code, params))
    return result


def first_error(exc: ValidationError) -> FilterValidationError:
    errors = errors_from_pydantic(exc)
    return errors[0] if errors else FilterValidationError("filter", "invalid")
