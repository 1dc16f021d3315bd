"""immobiliare.it: the `api-next/search-list` JSON, or the same answer embedded in a search page.

Each result is `{realEstate, seo}`; the flat itself is `realEstate.properties[0]`. The list gives
no publication time. Photos come in named sizes; the largest one given is kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ita_rent_bot.listings.normalise import (
    as_int,
    city_slug,
    clean_text,
    coordinates,
    first_int,
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
from ita_rent_bot.sources.pagedata import (
    JsonDict,
    as_dict,
    as_list,
    dig,
    find_dict,
    load_json,
    looks_like_json,
    script_json,
)

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings

SIZE_ORDER = ("xxl", "xl", "large", "l", "medium", "m", "small", "s", "xs", "xxs")
# The CDN serves every photo id at every size; the list answer names only the thumbnail.
_CDN_PHOTO = re.compile(r"^(https://pwm\.im-cdn\.it/image/\d+/)[a-z0-9-]+\.jpg$")
LARGEST_CDN_SIZE = "xxl.jpg"


def _largest(urls: object) -> str | None:
    named = as_dict(urls)
    for size in SIZE_ORDER:
        url = named.get(size)
        if isinstance(url, str) and url.startswith("http"):
            match = _CDN_PHOTO.match(url)
            return match.group(1) + LARGEST_CDN_SIZE if match else url
    return None


def _photos(prop: JsonDict) -> list[str]:
    photos = []
    for photo in as_list(dig(prop, "multimedia", "photos")):
        url = _largest(as_dict(photo).get("urls"))
        if url is not None and url not in photos:
            photos.append(url)
    if not photos:
        main = _largest(dig(prop, "photo", "urls"))
        if main is not None:
            photos.append(main)
    return photos


def _advertiser(real_estate: JsonDict) -> Advertiser | None:
    advertiser = as_dict(real_estate.get("advertiser"))
    if isinstance(advertiser.get("agency"), dict):
        return "agency"
    label = dig(advertiser, "supervisor", "label")
    if isinstance(label, str) and label.strip().lower() == "privato":
        return "private"
    return None


def _furnished(prop: JsonDict) -> bool | None:
    for feature in as_list(prop.get("featureList")):
        if as_dict(feature).get("type") == "furniture":
            label = str(as_dict(feature).get("label", "")).lower()
            return not label.startswith("non")
    return None


def result_to_listing(result: object) -> ListingData:
    real_estate = as_dict(dig(result, "realEstate"))
    source_id = as_int(real_estate.get("id"))
    url = dig(result, "seo", "url")
    if source_id is None:
        raise CardError("no realEstate.id")
    if not isinstance(url, str) or not url.startswith("http"):
        raise CardError("no seo.url")
    properties = as_list(real_estate.get("properties"))
    prop = as_dict(properties[0]) if properties else {}
    location = as_dict(prop.get("location"))
    latitude, longitude = coordinates(location.get("latitude"), location.get("longitude"))
    price: Any = dig(real_estate, "price", "value")
    if price is None:
        price = dig(prop, "price", "value")
    rooms = prop.get("rooms")
    surface = prop.get("surface")
    return ListingData(
        source="immobiliare",
        source_id=str(source_id),
        url=url,
        title=clean_text(real_estate.get("title"), limit=512),
        price_eur=as_int(price),
        rooms=first_int(rooms) if isinstance(rooms, str) else as_int(rooms),
        area_m2=first_int(surface) if isinstance(surface, str) else as_int(surface),
        city=city_slug(location.get("city") if isinstance(location.get("city"), str) else None),
        zone=clean_text(location.get("microzone") or location.get("macrozone"), limit=128),
        address=clean_text(location.get("address"), limit=256),
        latitude=latitude,
        longitude=longitude,
        photos=_photos(prop),
        published_at=None,
        advertiser=_advertiser(real_estate),
        description=text_block(prop.get("description")),
        furnished=_furnished(prop),
    )


def _search_answer(body: bytes) -> JsonDict:
    if looks_like_json(body):
        data = load_json(body, "the immobiliare answer")
    else:
        data = script_json(body, b"__NEXT_DATA__")
        if data is None:
            raise NotAResultPageError("no embedded search data")
    if isinstance(dig(data, "results"), list):
        return as_dict(data)
    answer = find_dict(data, _holds_real_estates) or find_dict(
        data, lambda d: isinstance(d.get("results"), list)
    )
    if answer is None:
        raise NotAResultPageError("no 'results' list")
    return answer


def _holds_real_estates(candidate: JsonDict) -> bool:
    results = candidate.get("results")
    return isinstance(results, list) and any(
        isinstance(r, dict) and "realEstate" in r for r in results[:3]
    )


class ImmobiliareSource(Source):
    name = "immobiliare"
    portal = "immobiliare"
    label = "immobiliare.it"

    def build_request(self, query: SearchQuery, settings: Settings) -> PageRequest:
        params = [
            ("fkRegione", ""),
            ("idContratto", "2"),  # rent
            ("idCategoria", "1"),  # homes
            ("criterio", "data"),
            ("ordine", "desc"),
            ("__lang", "it"),
            ("pag", str(query.page)),
            ("path", f"/affitto-case/{query.city}/"),
        ]
        if query.price_min is not None:
            params.append(("prezzoMinimo", str(query.price_min)))
        if query.price_max is not None:
            params.append(("prezzoMassimo", str(query.price_max)))
        return PageRequest(
            "GET",
            settings.immobiliare_base_url + "/api-next/search-list/listings/",
            params=tuple(params),
            headers=(("Accept", "application/json"),),
        )

    def parse(self, body: bytes) -> ParseResult:
        answer = _search_answer(body)
        results = answer["results"]
        listings, skipped = parse_cards(results, result_to_listing)
        unique = unique_listings(listings)
        page = as_int(answer.get("currentPage")) or 1
        max_pages = as_int(answer.get("maxPages"))
        return ParseResult(
            listings=unique,
            skipped=skipped,
            has_next=max_pages is not None and page < max_pages,
            total=as_int(answer.get("count")),
        )
