"""subito.it: the search page's `__NEXT_DATA__` JSON, and the `hades` search API's JSON.

Both carry the same ads (camelCase in the page, snake_case in the API). The page holds either
`items.list` (entries `{item, kind}`) or `items.originalList` + `items.galleryList`; a gallery
ad already in the original list is a promoted duplicate and is reported once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ita_rent_bot.listings.normalise import (
    as_int,
    city_slug,
    clean_text,
    coordinates,
    parse_time,
    text_block,
)
from ita_rent_bot.listings.schemas import Advertiser, ListingData
from ita_rent_bot.sources.base import (
    CardError,
    NotAResultPageError,
    PageRequest,
    ParseResult,
    SearchQuery,
    Source,
    parse_cards,
    unique_listings,
)
from ita_rent_bot.sources.geo import CITIES
from ita_rent_bot.sources.pagedata import (
    JsonDict,
    as_dict,
    as_list,
    dig,
    first_present,
    load_json,
    looks_like_json,
    script_json,
)

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings

AD_KIND = "AdItem"
PHOTO_RULE = "?rule=gallery-desktop-2x-auto"
_URN = re.compile(r"^id:ad:([^:]+)(?::list:(\d+))?")


def ad_id(urn: object) -> str:
    """The ad id of an urn "id:ad:<ad id>:list:<list id>" (the stable identity of the ad)."""
    if not isinstance(urn, str):
        raise CardError("no urn")
    match = _URN.match(urn)
    if match is None:
        raise CardError(f"unexpected urn {urn!r}")
    return match.group(1)


def _features(ad: JsonDict) -> dict[str, JsonDict]:
    """Features keyed by uri: the page gives a dict already, the API a list."""
    raw = ad.get("features")
    if isinstance(raw, dict):
        return {k: v for k, v in raw.items() if isinstance(v, dict)}
    return {f["uri"]: f for f in as_list(raw) if isinstance(f, dict) and "uri" in f}


def _feature_key(features: dict[str, JsonDict], uri: str) -> Any:
    values = as_list(features.get(uri, {}).get("values"))
    return as_dict(values[0]).get("key") if values else None


def _advertiser(ad: JsonDict) -> Advertiser | None:
    advertiser = as_dict(ad.get("advertiser"))
    company = advertiser.get("company")
    if isinstance(company, bool):
        return "agency" if company else "private"
    kind = advertiser.get("type")
    if kind in (0, 1):
        return "agency" if kind == 1 else "private"
    return None


def _published(ad: JsonDict) -> Any:
    dates = as_dict(ad.get("dates"))
    when = parse_time(dates.get("display_iso8601")) or parse_time(dates.get("display"))
    return when or parse_time(ad.get("date"))


def ad_to_listing(ad: object) -> ListingData:
    if not isinstance(ad, dict):
        raise CardError("ad is not an object")
    source_id = ad_id(ad.get("urn"))
    url = dig(ad, "urls", "default")
    if not isinstance(url, str) or not url.startswith("http"):
        raise CardError("no url")
    features = _features(ad)
    furnished = _feature_key(features, "/furnished")
    geo = as_dict(ad.get("geo"))
    town = first_present(as_dict(geo.get("town")), "value")
    latitude, longitude = coordinates(dig(geo, "map", "latitude"), dig(geo, "map", "longitude"))
    photos = []
    for image in as_list(ad.get("images")):
        base = first_present(as_dict(image), "cdnBaseUrl", "cdn_base_url")
        if isinstance(base, str) and base.startswith("http"):
            photos.append(base + PHOTO_RULE)
    return ListingData(
        source="subito",
        source_id=source_id,
        url=url,
        title=clean_text(ad.get("subject"), limit=512),
        price_eur=as_int(_feature_key(features, "/price")),
        rooms=as_int(_feature_key(features, "/room")),
        area_m2=as_int(_feature_key(features, "/size")),
        city=city_slug(town if isinstance(town, str) else None),
        zone=clean_text(dig(geo, "zone", "value"), limit=128),
        address=clean_text(dig(geo, "map", "address"), limit=256),
        latitude=latitude,
        longitude=longitude,
        photos=photos,
        published_at=_published(ad),
        advertiser=_advertiser(ad),
        description=text_block(ad.get("body")),
        furnished={"1": True, "0": False}.get(furnished) if isinstance(furnished, str) else None,
    )


def _entry_ad(entry: object) -> JsonDict | None:
    """The ad of a list entry, or None for an entry of another kind (a banner, a slot)."""
    if not isinstance(entry, dict):
        raise CardError("entry is not an object")
    item = entry.get("item")
    ad: JsonDict = item if isinstance(item, dict) else entry
    kind = entry.get("kind") or ad.get("kind")
    if kind is not None and kind != AD_KIND:
        return None
    return ad


def parse_next_data(body: bytes) -> ParseResult:
    data = script_json(body, b"__NEXT_DATA__")
    if data is None:
        raise NotAResultPageError("no __NEXT_DATA__ script")
    state = dig(data, "props", "pageProps", "initialState")
    items = dig(state, "items")
    if not isinstance(items, dict):
        raise NotAResultPageError("the page has no search items")
    if isinstance(items.get("originalList"), list):
        organic, gallery = items["originalList"], as_list(items.get("galleryList"))
    elif isinstance(items.get("list"), list):
        organic, gallery = items["list"], []
    else:
        raise NotAResultPageError("the page's items hold no result list")

    def to_listing(entry: object) -> ListingData | None:
        ad = _entry_ad(entry)
        return ad_to_listing(ad) if ad is not None else None

    listings, skipped = parse_cards(organic, to_listing)
    organic_ids = {listing.source_id for listing in listings}
    extra, extra_skipped = parse_cards(gallery, to_listing)
    unique = unique_listings(listings + extra)
    page = as_int(dig(state, "search", "page")) or 1
    total_pages = as_int(items.get("totalPages"))
    return ParseResult(
        listings=unique,
        skipped=skipped + extra_skipped,
        has_next=total_pages is not None and page < total_pages,
        total=as_int(items.get("total")),
        promoted=frozenset(x.source_id for x in unique if x.source_id not in organic_ids),
    )


def parse_hades(body: bytes) -> ParseResult:
    data = load_json(body, "the subito API answer")
    ads = dig(data, "ads")
    if not isinstance(ads, list):
        raise NotAResultPageError("no 'ads' list")
    listings, skipped = parse_cards(ads, ad_to_listing)
    unique = unique_listings(listings)
    total = as_int(data.get("count_all"))
    start, lines = as_int(data.get("start")) or 0, as_int(data.get("lines")) or len(ads)
    return ParseResult(
        listings=unique,
        skipped=skipped,
        has_next=total is not None and start + lines < total,
        total=total,
    )


class SubitoSource(Source):
    name = "subito"
    portal = "subito"
    label = "subito.it"

    def build_request(self, query: SearchQuery, settings: Settings) -> PageRequest:
        params: list[tuple[str, str]] = []
        city = CITIES.get(query.city)
        if city is not None:
            path = f"/annunci-{city.region}/affitto/appartamenti/{city.slug}/{city.slug}/"
        else:
            path = "/annunci-italia/affitto/appartamenti/"
            params.append(("q", query.city.replace("-", " ")))
        if query.page > 1:
            params.append(("o", str(query.page)))
        if query.price_min is not None:
            params.append(("ps", str(query.price_min)))
        if query.price_max is not None:
            params.append(("pe", str(query.price_max)))
        return PageRequest("GET", settings.subito_base_url + path, params=tuple(params))

    def parse(self, body: bytes) -> ParseResult:
        """A search page (HTML) or a hades API answer (JSON), told apart by the first byte."""
        return parse_hades(body) if looks_like_json(body) else parse_next_data(body)
