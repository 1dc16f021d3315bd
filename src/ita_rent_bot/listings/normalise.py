"""Small normalisers shared by every source: city slugs, numbers in portal text, street keys.

`city_slug` is a plain lowercase/accent-free slug ("Roma" -> "roma", "Reggio nell'Emilia" ->
"reggio-nell-emilia"); translating "Rome" or "Milan" is the filters domain's city list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
MAX_CITY_CHARS = 64  # Listing.city; no Italian municipality comes close
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_FIRST_NUMBER = re.compile(r"\d{1,3}(?:[. \u00a0\u202f]\d{3})+(?!\d)|\d+")
_SPACES = re.compile(r"\s+")

# Street-type abbreviations portals and agents use interchangeably.
_STREET_ABBREVIATIONS = {
    "v": "via",
    "v.le": "viale",
    "vle": "viale",
    "p.za": "piazza",
    "p.zza": "piazza",
    "pza": "piazza",
    "pzza": "piazza",
    "p.le": "piazzale",
    "ple": "piazzale",
    "c.so": "corso",
    "cso": "corso",
    "l.go": "largo",
    "lgo": "largo",
    "l.re": "lungotevere",
    "lgt": "lungotevere",
    "vic": "vicolo",
    "v.lo": "vicolo",
}
_STREET_NOISE = {"snc", "sn", "civico", "n", "nr", "int", "scala"}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def city_slug(name: str | None) -> str | None:
    """The canonical key of a municipality: lowercase, no accents, words joined by '-'.

    A bilingual name ("Bolzano / Bozen", "Alicante / Alacant") keeps its first form.
    """
    if not name:
        return None
    first = name.split("/", 1)[0]
    slug = _NON_ALNUM.sub("-", strip_accents(first).lower()).strip("-")
    return slug if 0 < len(slug) <= MAX_CITY_CHARS else None


def first_int(text: str | None) -> int | None:
    """The first number in a portal's text: "1.300 €/mese" -> 1300, "5+" -> 5, "50 m²" -> 50.

    A dot or space before a group of three digits is an Italian thousands separator.
    """
    if not text:
        return None
    match = _FIRST_NUMBER.search(text)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) > 12:
        return None
    return int(digits)


def as_int(value: object) -> int | None:
    """An integer from a JSON value (int, float or numeric string); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value) if math.isfinite(value) and abs(value) < 1e12 else None
    if isinstance(value, str):
        return first_int(value)
    return None


def as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def coordinates(lat: object, lon: object) -> tuple[float | None, float | None]:
    """A valid (latitude, longitude) pair, or (None, None); (0, 0) is a missing pin."""
    latitude, longitude = as_float(lat), as_float(lon)
    if latitude is None or longitude is None:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    if latitude == 0 and longitude == 0:
        return None, None
    return latitude, longitude


def clean_text(value: object, *, limit: int | None = None) -> str | None:
    """Whitespace collapsed and trimmed; empty or non-string values are None."""
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", value).strip()
    if not text:
        return None
    return text[:limit] if limit else text


def text_block(value: object) -> str | None:
    """A multi-line text (a description) trimmed, its line breaks kept; empty is None."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


@lru_cache(maxsize=16384)
def street_key(address: str | None) -> str | None:
    """The street of an address, comparable across portals: "V.le Marconi, 12" -> "viale marconi".

    House numbers, "s.n.c." and everything after the first comma are dropped.
    """
    if not address:
        return None
    street = strip_accents(address.split(",", 1)[0]).lower()
    words = []
    for raw in street.split():
        word = _STREET_ABBREVIATIONS.get(raw, raw)
        word = _NON_ALNUM.sub("", word.replace("'", ""))
        if not word or word.isdigit() or word in _STREET_NOISE:
            continue
        if word[0].isdigit() and len(word) <= 5:  # "12a", "3b": a house number
            continue
        words.append(_STREET_ABBREVIATIONS.get(word, word))
    return " ".join(words) or None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine); plenty for "the same building"."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as UTC; a time without an offset is Italian local time."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ROME)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
