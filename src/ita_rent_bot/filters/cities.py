"""Italian municipalities (ISTAT's full list, shipped in data/) and their names in other languages.

The canonical city stored on filters and listings is a slug: the Italian name folded to
lowercase ASCII words joined by "-" ("roma", "reggio-nell-emilia", "l-aquila", "forli").
The five names two comuni share get their province code ("castro-bg", "castro-le").
Lookup accepts the Italian name, a second official name (Bozen), an exonym (Rome, Рим,
Florenz...), the slug itself, any case or accents, and an optional province code ("Castro (LE)").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

from ita_rent_bot.filters.text import fold

DATA_DIR = Path(__file__).parent / "data"
COMUNI_CSV = DATA_DIR / "comuni.csv"
EXONYMS_CSV = DATA_DIR / "exonyms.csv"
COMUNI_FIELDS = ("slug", "name", "name_alt", "province", "province_name", "region", "capital")

_COUNTRY_WORDS = frozenset({"italy", "italia", "italie", "italien", "италия", "италии", "італія"})
_SUGGEST_CUTOFF = 0.72


@dataclass(frozen=True, slots=True)
class Comune:
    slug: str
    name: str
    name_alt: str
    province: str
    province_name: str
    region: str
    capital: bool


def slugify(name: str) -> str:
    """The canonical form of an Italian name: "Reggio nell'Emilia" → "reggio-nell-emilia"."""
    return fold(name).replace(" ", "-")


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    comuni: dict[str, Comune]
    keys: dict[str, tuple[str, ...]]  # folded name → slugs it may mean
    exonyms: dict[tuple[str, str], str]  # (slug, language) → the first name in that language
    provinces: frozenset[str]


@cache
def _gazetteer() -> _Gazetteer:
    with COMUNI_CSV.open(encoding="utf-8", newline="") as fh:
        comuni = {
            row["slug"]: Comune(
                slug=row["slug"],
                name=row["name"],
                name_alt=row["name_alt"],
                province=row["province"],
                province_name=row["province_name"],
                region=row["region"],
                capital=row["capital"] == "1",
            )
            for row in csv.DictReader(fh)
        }
    keys: dict[str, list[str]] = {}

    def add(key: str, slug: str) -> None:
        bucket = keys.setdefault(key, [])
        if key and slug not in bucket:
            bucket.append(slug)

    for comune in comuni.values():
        add(fold(comune.slug), comune.slug)
        add(fold(comune.name), comune.slug)
        if comune.name_alt:
            add(fold(comune.name_alt), comune.slug)
    official = set(keys)
    exonyms: dict[tuple[str, str], str] = {}
    with EXONYMS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            slug, language, name = row["slug"], row["lang"], row["name"]
            if slug not in comuni:
                raise ValueError(f"exonyms.csv names an unknown comune: {slug}")
            exonyms.setdefault((slug, language), name)
            key = fold(name)
            if key not in official:  # an official Italian name always wins over an exonym
                add(key, slug)
    return _Gazetteer(
        comuni=comuni,
        keys={k: tuple(v) for k, v in keys.items() if k},
        exonyms=exonyms,
        provinces=frozenset(c.province.lower() for c in comuni.values()),
    )


def _clean_key(name: str) -> str:
    words = fold(name).split()
    while words and words[-1] in _COUNTRY_WORDS:
        words.pop()
    return " ".join(words)


def normalise_city(name: str) -> str | None:
    """The slug of the comune `name` means, or None when unknown or ambiguous (Castro: BG or LE)."""
    gaz = _gazetteer()
    if name in gaz.comuni:  # already a slug: the common case for stored listings
        return name
    key = _clean_key(name)
    slugs = gaz.keys.get(key, ())
    if len(slugs) == 1:
        return slugs[0]
    words = key.split()
    if len(words) >= 2 and words[-1] in gaz.provinces:
        province = words[-1].upper()
        in_province = [
            s for s in gaz.keys.get(" ".join(words[:-1]), ()) if gaz.comuni[s].province == province
        ]
        if len(in_province) == 1:
            return in_province[0]
    return None


def get_comune(slug: str) -> Comune | None:
    return _gazetteer().comuni.get(slug)


def display_name(slug: str, *, language: str | None = None) -> str:
    """The name to show: the exonym in `language` when there is one, else the Italian name."""
    gaz = _gazetteer()
    comune = gaz.comuni.get(slug)
    if comune is None:
        return slug
    if language is not None and (exonym := gaz.exonyms.get((slug, language))):
        return exonym
    if slug != slugify(comune.name):  # a name two comuni share
        return f"{comune.name} ({comune.province})"
    return comune.name


def suggest_cities(text: str, limit: int = 5) -> list[str]:
    """Slugs of the comuni `text` most likely means: exact, then by prefix, then look-alikes.

    Province capitals come first among equals, so "Rom" offers Roma before Romano Canavese.
    """
    gaz = _gazetteer()
    key = _clean_key(text)
    if not key or limit <= 0:
        return []
    found: list[str] = list(gaz.keys.get(key, ()))

    def rank(slug: str) -> tuple[bool, int]:
        comune = gaz.comuni[slug]
        return (not comune.capital, len(comune.name))

    if len(key) >= 2:
        prefixed = {s for k, slugs in gaz.keys.items() if k.startswith(key) for s in slugs}
        found.extend(sorted(prefixed - set(found), key=lambda s: (rank(s), s)))
    if len(found) < limit:
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        scored: dict[str, float] = {}
        for candidate, slugs in gaz.keys.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < _SUGGEST_CUTOFF:
                continue
            if matcher.quick_ratio() < _SUGGEST_CUTOFF:
                continue
            score = matcher.ratio()
            if score >= _SUGGEST_CUTOFF:
                for slug in slugs:
                    scored[slug] = max(score, scored.get(slug, 0.0))
        extra = sorted(
            (s for s in scored if s not in found), key=lambda s: (-scored[s], rank(s), s)
        )
        found.extend(extra)
    unique = list(dict.fromkeys(found))
    return unique[:limit]
