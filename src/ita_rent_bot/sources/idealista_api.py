"""idealista's official API v3.5: OAuth2 client credentials, then `POST /3.5/it/search`.

The reliable way to read idealista when the operator has keys (no DataDome). The token is
cached until shortly before it expires; a 401 drops it and retries once. Its listings are
idealista listings (`source` "idealista"), whichever way they were fetched.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ita_rent_bot.listings.normalise import (
    as_float,
    as_int,
    city_slug,
    clean_text,
    coordinates,
    text_block,
)
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.sources.base import (
    CardError,
    NotAResultPageError,
    PageRequest,
    ParseResult,
    SearchQuery,
    Source,
    SourceFailingError,
    parse_cards,
    unique_listings,
)
from ita_rent_bot.sources.geo import CITIES
from ita_rent_bot.sources.pagedata import as_dict, dig, load_json

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings
    from ita_rent_bot.sources.http import PoliteFetcher

COUNTRY = "it"
MAX_ITEMS = 50
SEARCH_RADIUS_M = 15_000
TOKEN_MARGIN_SECONDS = 60


@dataclass(slots=True)
class _Token:
    value: str
    expires_at: float
    issuer: tuple[str, str]  # (API url, client key): a token is only valid where it was issued


def element_to_listing(element: object) -> ListingData:
    if not isinstance(element, dict):
        raise CardError("element is not an object")
    code = element.get("propertyCode")
    source_id = str(code).strip() if isinstance(code, str | int) else ""
    url = element.get("url")
    if not source_id:
        raise CardError("no propertyCode")
    if not isinstance(url, str) or not url.startswith("http"):
        raise CardError("no url")
    price = element.get("price")
    if price is None:
        price = dig(element, "priceInfo", "price", "amount")
    latitude, longitude = coordinates(element.get("latitude"), element.get("longitude"))
    thumbnail = element.get("thumbnail")
    municipality = element.get("municipality")
    return ListingData(
        source="idealista",
        source_id=source_id,
        url=url,
        title=clean_text(dig(element, "suggestedTexts", "title"), limit=512),
        price_eur=as_int(price),
        rooms=as_int(element.get("rooms")),
        area_m2=as_int(as_float(element.get("size"))),
        city=city_slug(municipality if isinstance(municipality, str) else None),
        zone=clean_text(element.get("neighborhood") or element.get("district"), limit=128),
        address=clean_text(element.get("address"), limit=256),
        latitude=latitude,
        longitude=longitude,
        photos=[thumbnail] if isinstance(thumbnail, str) and thumbnail.startswith("http") else [],
        description=text_block(element.get("description")),
    )


def parse_search(body: bytes) -> ParseResult:
    data = load_json(body, "the idealista API answer")
    elements = dig(data, "elementList")
    if not isinstance(elements, list):
        raise NotAResultPageError("no 'elementList'")
    listings, skipped = parse_cards(elements, element_to_listing)
    page = as_int(data.get("actualPage")) or 1
    total_pages = as_int(data.get("totalPages")) or 0
    return ParseResult(
        listings=unique_listings(listings),
        skipped=skipped,
        has_next=page < total_pages,
        total=as_int(data.get("total")),
    )


class IdealistaApiSource(Source):
    name = "idealista_api"
    portal = "idealista"
    label = "idealista API"

    def __init__(self) -> None:
        self._token: _Token | None = None

    def is_configured(self, settings: Settings) -> bool:
        return settings.idealista_api_key is not None and settings.idealista_api_secret is not None

    def build_request(self, query: SearchQuery, settings: Settings) -> PageRequest:
        city = CITIES.get(query.city)
        if city is None:
            raise SourceFailingError(f"idealista API: no search centre known for {query.city!r}")
        form = [
            ("operation", "rent"),
            ("propertyType", "homes"),
            ("center", f"{city.latitude},{city.longitude}"),
            ("distance", str(SEARCH_RADIUS_M)),
            ("locale", "it"),
            ("maxItems", str(MAX_ITEMS)),
            ("numPage", str(query.page)),
            ("order", "publicationDate"),
            ("sort", "desc"),
        ]
        if query.price_min is not None:
            form.append(("minPrice", str(query.price_min)))
        if query.price_max is not None:
            form.append(("maxPrice", str(query.price_max)))
        return PageRequest(
            "POST", f"{settings.idealista_api_url}/3.5/{COUNTRY}/search", form=tuple(form)
        )

    def parse(self, body: bytes) -> ParseResult:
        return parse_search(body)

    async def _access_token(self, fetcher: PoliteFetcher, settings: Settings) -> str:
        """The cached token while it is valid, else a new one (client credentials grant)."""
        key, secret = settings.idealista_api_key, settings.idealista_api_secret
        if key is None or secret is None:
            raise SourceFailingError("idealista API: IDEALISTA_API_KEY/SECRET are not set")
        issuer = (settings.idealista_api_url, key.get_secret_value())
        token = self._token
        if token is not None and token.issuer == issuer and token.expires_at > time.monotonic():
            return token.value
        basic = base64.b64encode(
            f"{key.get_secret_value()}:{secret.get_secret_value()}".encode()
        ).decode()
        response = await fetcher.fetch(
            PageRequest(
                "POST",
                f"{settings.idealista_api_url}/oauth/token",
                form=(("grant_type", "client_credentials"), ("scope", "read")),
                headers=(("Authorization", f"Basic {basic}"),),
            )
        )
        data = as_dict(load_token(response.content))
        value, expires_in = data.get("access_token"), as_int(data.get("expires_in"))
        if not isinstance(value, str) or not value:
            raise SourceFailingError("idealista API: the token answer has no access_token")
        lifetime = max(0, (expires_in or 0) - TOKEN_MARGIN_SECONDS)
        self._token = _Token(value, time.monotonic() + lifetime, issuer)
        return value

    async def fetch_page(
        self, fetcher: PoliteFetcher, query: SearchQuery, settings: Settings
    ) -> ParseResult:
        request = self.build_request(query, settings)
        for attempt in range(2):
            token = await self._access_token(fetcher, settings)
            authorised = PageRequest(
                request.method,
                request.url,
                form=request.form,
                headers=(("Authorization", f"Bearer {token}"),),
            )
            try:
                response = await fetcher.fetch(authorised)
            except SourceFailingError as exc:
                if exc.status_code == 401 and attempt == 0:
                    self._token = None
                    continue
                raise
            return self.parse_response(response.content)
        raise SourceFailingError("idealista API: the token was refused twice")


def load_token(body: bytes) -> object:
    try:
        return load_json(body, "the idealista token answer")
    except NotAResultPageError as exc:
        raise SourceFailingError(f"idealista API: {exc}") from None
