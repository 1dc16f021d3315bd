"""idealista.it: the HTML result cards (`article.item[data-element-id]`).

The site sits behind DataDome: a challenge page is recognised (ChallengePageError, so the source is
reported blocked) and never read as "no listings". Card details are matched by pattern, not by
position: "2 locali", "60 m²", floor text and a freshness chip come in varying order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ita_rent_bot.listings.normalise import city_slug, clean_text, first_int
from ita_rent_bot.listings.schemas import Advertiser, ListingData
from ita_rent_bot.sources.base import (
    CardError,
    ChallengePageError,
    NotAResultPageError,
    PageRequest,
    ParseResult,
    SearchQuery,
    Source,
    looks_like_challenge,
    parse_cards,
    unique_listings,
)

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings

SITE = "https://www.idealista.it"
_ROOMS = re.compile(r"^(\d+)\s+local[ei]\b", re.IGNORECASE)
_AREA = re.compile(r"^(\d[\d.]*)\s*(?:m²|m2|mq)$", re.IGNORECASE)
_ID = re.compile(r"^\d{1,20}$")
NEXT_PAGE_SELECTOR = ".pagination li.next a, .pagination .icon-arrow-right-after"
RESULT_PAGE_SELECTORS = ("section.items-container", "main.listing-items", "div.items-container")


def _attr(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    return value if isinstance(value, str) else None


def split_title(title: str) -> tuple[str | None, str | None, str | None]:
    """(address, zone, city) of "Bilocale in Via X, 27, Zona, Roma"; missing parts are None."""
    _, sep, place = title.partition(" in ")
    parts = [p.strip() for p in (place if sep else title).split(",") if p.strip()]
    if len(parts) < 2:
        return None, None, parts[0] if parts and sep else None
    city, zone = parts[-1], parts[-2]
    address = ", ".join(parts[:-2]) or None
    return address, zone, city


def _details(card: LexborNode) -> tuple[int | None, int | None]:
    rooms = area = None
    for detail in card.css(".item-detail-char .item-detail"):
        text = detail.text(strip=True)
        if rooms is None and (match := _ROOMS.match(text)):
            rooms = int(match.group(1))
        elif area is None and (match := _AREA.match(text)):
            area = first_int(match.group(1))
        elif rooms is None and text.lower().startswith("monolocale"):
            rooms = 1
    return rooms, area


def _photos(card: LexborNode) -> list[str]:
    photos: list[str] = []
    for img in card.css(".item-gallery img"):
        src = _attr(img, "src") or _attr(img, "data-src")
        if src and src.startswith("https://img") and src not in photos:
            photos.append(src)
    return photos


def _advertiser(card: LexborNode) -> Advertiser | None:
    professional = _attr(card, "data-is-professional-ad")
    if professional in ("true", "false"):
        return "agency" if professional == "true" else "private"
    return "agency" if card.css_first("picture.logo-branding") is not None else None


def card_to_listing(card: LexborNode) -> ListingData:
    source_id = (_attr(card, "data-element-id") or "").strip()
    if not _ID.match(source_id):
        raise CardError("no data-element-id")
    link = card.css_first("a.item-link")
    href = _attr(link, "href")
    if link is None or not href:
        raise CardError("no item link")
    url = href if href.startswith("http") else SITE + "/" + href.lstrip("/")
    title = clean_text(_attr(link, "title") or link.text(), limit=512)
    address, zone, city = split_title(title) if title else (None, None, None)
    price_node = card.css_first(".item-price")
    rooms, area = _details(card)
    description = card.css_first(".item-description")
    return ListingData(
        source="idealista",
        source_id=source_id,
        url=url,
        title=title,
        price_eur=first_int(price_node.text()) if price_node is not None else None,
        rooms=rooms,
        area_m2=area,
        city=city_slug(city),
        zone=clean_text(zone, limit=128),
        address=clean_text(address, limit=256),
        photos=_photos(card),
        advertiser=_advertiser(card),
        description=clean_text(description.text()) if description is not None else None,
    )


def parse_cards_page(body: bytes) -> ParseResult:
    if looks_like_challenge(body) and b"data-element-id" not in body:
        raise ChallengePageError("a DataDome challenge page, not idealista results")
    tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
    cards = tree.css("article[data-element-id]")
    if not cards and not any(tree.css_first(s) for s in RESULT_PAGE_SELECTORS):
        raise NotAResultPageError("no result cards or result list")
    listings, skipped = parse_cards(cards, card_to_listing)
    has_next = tree.css_first(NEXT_PAGE_SELECTOR) is not None
    return ParseResult(listings=unique_listings(listings), skipped=skipped, has_next=has_next)


class IdealistaSource(Source):
    name = "idealista"
    portal = "idealista"
    label = "idealista.it"

    def build_request(self, query: SearchQuery, settings: Settings) -> PageRequest:
        path = f"/affitto-case/{query.city}-{query.city}/"
        filters = []
        if query.price_max is not None:
            filters.append(f"prezzo_{query.price_max}")
        if query.price_min is not None:
            filters.append(f"prezzo-min_{query.price_min}")
        if filters:
            path += "con-" + ",".join(filters) + "/"
        if query.page > 1:
            path += f"pagina-{query.page}.htm"
        return PageRequest(
            "GET", settings.idealista_base_url + path, params=(("ordine", "pubblicazione-desc"),)
        )

    def parse(self, body: bytes) -> ParseResult:
        return parse_cards_page(body)
