"""Parser benchmark: each saved page parsed repeatedly, ours against BeautifulSoup + lxml.

    .venv/bin/python bench/parse.py [--runs N]

The baseline is what peer projects do: BeautifulSoup(page, "lxml") to find the embedded JSON
script (or the result cards), stdlib `json` to decode it, then the same field mapping, so
both sides return identical listings (checked before timing). Target: the ~1 MB subito page
in <= 15 ms median and >= 10x faster than the baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from ita_rent_bot.listings.normalise import city_slug, clean_text, first_int
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.sources import idealista, idealista_api, immobiliare, subito
from ita_rent_bot.sources.base import CardError, ParseResult, parse_cards, unique_listings
from ita_rent_bot.sources.registry import get_source

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
SAMPLES = ROOT / "tests" / "samples"
TARGET_MS = 15.0
TARGET_RATIO = 10.0


# --- the baseline: BeautifulSoup + lxml + json, then the same mapping -------------------------


def _bs4_next_data(page: bytes) -> Any:
    soup = BeautifulSoup(page, "lxml")
    script = soup.find("script", id="__NEXT_DATA__")
    if not isinstance(script, Tag) or script.string is None:
        raise ValueError("no __NEXT_DATA__ script")
    return json.loads(script.string)


def baseline_subito_html(page: bytes) -> list[ListingData]:
    items = _bs4_next_data(page)["props"]["pageProps"]["initialState"]["items"]
    entries = items.get("originalList", items.get("list", [])) + items.get("galleryList", [])
    ads = [e.get("item", e) for e in entries if (e.get("kind") or "AdItem") == "AdItem"]
    listings, _ = parse_cards(ads, subito.ad_to_listing)
    return unique_listings(listings)


def baseline_subito_hades(page: bytes) -> list[ListingData]:
    listings, _ = parse_cards(json.loads(page)["ads"], subito.ad_to_listing)
    return unique_listings(listings)


def baseline_immobiliare(page: bytes) -> list[ListingData]:
    listings, _ = parse_cards(json.loads(page)["results"], immobiliare.result_to_listing)
    return unique_listings(listings)


def baseline_idealista_api(page: bytes) -> list[ListingData]:
    listings, _ = parse_cards(json.loads(page)["elementList"], idealista_api.element_to_listing)
    return unique_listings(listings)


def _bs4_card(card: Tag) -> ListingData:
    source_id = str(card.get("data-element-id") or "")
    link = card.select_one("a.item-link")
    if not source_id.isdigit() or link is None:
        raise CardError("no id or link")
    href = str(link.get("href") or "")
    title = clean_text(str(link.get("title") or link.get_text()))
    address, zone, city = idealista.split_title(title) if title else (None, None, None)
    rooms = area = None
    for detail in card.select(".item-detail-char .item-detail"):
        text = detail.get_text(strip=True)
        if rooms is None and (match := idealista._ROOMS.match(text)):
            rooms = int(match.group(1))
        elif area is None and (match := idealista._AREA.match(text)):
            area = first_int(match.group(1))
    photos: list[str] = []
    for img in card.select(".item-gallery img"):
        src = str(img.get("src") or "")
        if src.startswith("https://img") and src not in photos:
            photos.append(src)
    price = card.select_one(".item-price")
    description = card.select_one(".item-description")
    professional = card.get("data-is-professional-ad")
    return ListingData(
        source="idealista",
        source_id=source_id,
        url=href if href.startswith("http") else idealista.SITE + "/" + href.lstrip("/"),
        title=title,
        price_eur=first_int(price.get_text()) if price is not None else None,
        rooms=rooms,
        area_m2=area,
        city=city_slug(city),
        zone=clean_text(zone),
        address=clean_text(address),
        photos=photos,
        advertiser="agency" if professional == "true" else "private",
        description=clean_text(description.get_text()) if description is not None else None,
    )


def baseline_idealista_html(page: bytes) -> list[ListingData]:
    cards = BeautifulSoup(page, "lxml").select("article[data-element-id]")
    listings, _ = parse_cards(cards, _bs4_card)
    return unique_listings(listings)


# --- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: Path
    source: str
    baseline: Callable[[bytes], list[ListingData]]


CASES = [
    ("subito/search_roma_affitto_appartamenti.html", "subito", baseline_subito_html),
    ("subito/hades_search_appartamenti_umbria_sale.json", "subito", baseline_subito_hades),
    ("immobiliare/api_search_list_roma_rent.json", "immobiliare", baseline_immobiliare),
    ("idealista/search_roma_rent_cards_1-15.html", "idealista", baseline_idealista_html),
    ("idealista_api/search_rent_alicante_p2.json", "idealista_api", baseline_idealista_api),
]
SAMPLE_CASES = [
    ("subito_gallery.html", "subito", baseline_subito_html),
    ("subito_hades.json", "subito", baseline_subito_hades),
    ("immobiliare_search_list.json", "immobiliare", baseline_immobiliare),
    ("idealista_cards.html", "idealista", baseline_idealista_html),
    ("idealista_api_search.json", "idealista_api", baseline_idealista_api),
]


def cases() -> list[Case]:
    if FIXTURES.is_dir():
        return [Case(FIXTURES / name, source, base) for name, source, base in CASES]
    print(f"note: {FIXTURES} is absent; timing our own small samples instead\n")
    return [Case(SAMPLES / name, source, base) for name, source, base in SAMPLE_CASES]


def median_ms(parse: Callable[[bytes], object], page: bytes, runs: int) -> float:
    parse(page)  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        parse(page)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed parses per page (ours)")
    args = parser.parse_args()

    real_pages = FIXTURES.is_dir()
    selected = cases()
    print(
        f"{'page':<52}{'KB':>7}{'items':>7}{'ours ms':>10}{'items/s':>10}"
        f"{'bs4 ms':>10}{'items/s':>10}{'ratio':>8}"
    )
    largest: tuple[int, str, float, float] | None = None
    for case in selected:
        page = case.path.read_bytes()
        source = get_source(case.source)
        ours: ParseResult = source.parse(page)
        theirs = case.baseline(page)
        if [x.to_json_dict() for x in ours.listings] != [x.to_json_dict() for x in theirs]:
            print(f"error: the baseline disagrees with our parser on {case.path.name}")
            return 1
        count = len(ours.listings)
        ours_ms = median_ms(source.parse, page, args.runs)
        base_ms = median_ms(case.baseline, page, max(5, args.runs // 5))
        ratio = base_ms / ours_ms
        name = f"{case.path.parent.name}/{case.path.name}"
        print(
            f"{name[:51]:<52}{len(page) / 1024:>7.0f}{count:>7}{ours_ms:>10.2f}"
            f"{count / ours_ms * 1000:>10.0f}{base_ms:>10.2f}{count / base_ms * 1000:>10.0f}"
            f"{ratio:>7.1f}x"
        )
        if largest is None or len(page) > largest[0]:
            largest = (len(page), name, ours_ms, ratio)
    assert largest is not None
    size, name, ours_ms, ratio = largest
    passed = ours_ms <= TARGET_MS and ratio >= TARGET_RATIO
    verdict = ("PASS" if passed else "FAIL") if real_pages else "not judged on samples"
    print(
        f"\nlargest page {name} ({size / 1024:.0f} KB): {ours_ms:.2f} ms median "
        f"(target <= {TARGET_MS:.0f} ms), {ratio:.1f}x the BeautifulSoup+lxml baseline "
        f"(target >= {TARGET_RATIO:.0f}x): {verdict}"
    )
    return 0 if passed or not real_pages else 1


if __name__ == "__main__":
    sys.exit(main())
