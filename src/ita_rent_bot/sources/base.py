"""The Source contract: build a portal search request, fetch it politely, parse the answer.

A source module subclasses `Source`, states its facts as class attributes, and is listed in
`registry.py`. Parsing is a pure function of the page's bytes, so saved pages test it fully.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, TypeVar

from ita_rent_bot.listings.schemas import ListingData

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings
    from ita_rent_bot.sources.http import PoliteFetcher

T = TypeVar("T")

# DataDome's challenge page loads its captcha from these hosts; a real page never does.
CHALLENGE_MARKERS = (b"captcha-delivery.com",)
CHALLENGE_MAX_BYTES = 200_000


def looks_like_challenge(body: bytes) -> bool:
    """A small page carrying DataDome's captcha: an anti-bot refusal, whatever its status."""
    return len(body) <= CHALLENGE_MAX_BYTES and any(m in body for m in CHALLENGE_MARKERS)


MAX_ID_CHARS = 64  # Listing.source_id
MAX_URL_CHARS = 1024  # Listing.url


class NotAResultPageError(Exception):
    """The document is not a search-result page of this portal (the message says what it is)."""


class ChallengePageError(NotAResultPageError):
    """An anti-bot challenge (DataDome) came instead of results: the source is blocked."""


class CardError(ValueError):
    """One result card lacks what a listing needs (an id, a url); the card is skipped."""


class SourceUnavailableError(Exception):
    """A crawl of this source cannot run now; `kind` is the SourceStatus it leads to."""

    kind: ClassVar[Literal["blocked", "failing"]] = "failing"

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class SourceBlockedError(SourceUnavailableError):
    """The portal refused us (403/429, a challenge page): back off, maybe add proxies."""

    kind = "blocked"


class SourceFailingError(SourceUnavailableError):
    """The portal answered with errors or nothing usable, even after retries."""

    kind = "failing"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One page of a crawl target's search: flats to rent in a city, newest first."""

    city: str
    page: int = 1
    price_min: int | None = None
    price_max: int | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    method: Literal["GET", "POST"]
    url: str
    params: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ParseResult:
    """The listings of one page; `skipped` damaged cards; `promoted` ids are sticky ads."""

    listings: list[ListingData] = field(default_factory=list)
    skipped: int = 0
    has_next: bool = False
    total: int | None = None
    promoted: frozenset[str] = frozenset()


def parse_cards(
    cards: list[T], to_listing: Callable[[T], ListingData | None]
) -> tuple[list[ListingData], int]:
    """Map each card; a card that does not fit the expected shape is counted, not fatal.

    `to_listing` returns None for an entry that is not a listing at all (an ad slot).
    """
    listings: list[ListingData] = []
    skipped = 0
    for card in cards:
        try:
            listing = to_listing(card)
        except (CardError, KeyError, TypeError, ValueError, AttributeError, IndexError):
            skipped += 1
            continue
        if listing is None:
            continue
        if not fits_storage(listing):
            skipped += 1
            continue
        listings.append(listing)
    return listings, skipped


def fits_storage(listing: ListingData) -> bool:
    """Whether the identity fits its columns (a 2 KB "id" is a damaged card, not a listing)."""
    return 0 < len(listing.source_id) <= MAX_ID_CHARS and len(listing.url) <= MAX_URL_CHARS


def unique_listings(listings: list[ListingData]) -> list[ListingData]:
    """Each listing once, at its first place (promoted copies repeat an ad on the same page)."""
    seen: set[str] = set()
    unique = []
    for listing in listings:
        if listing.source_id not in seen:
            seen.add(listing.source_id)
            unique.append(listing)
    return unique


class Source(ABC):
    """One way of reading one portal. `portal` is the `source` value of its listings."""

    name: ClassVar[str]
    portal: ClassVar[str]
    label: ClassVar[str]

    def is_configured(self, settings: Settings) -> bool:
        """Whether the operator's settings allow this source (API keys present...)."""
        return True

    @abstractmethod
    def build_request(self, query: SearchQuery, settings: Settings) -> PageRequest:
        """The request for one page of a city's rent search."""

    @abstractmethod
    def parse(self, body: bytes) -> ParseResult:
        """Listings of a result page; anything else raises NotAResultPageError."""

    async def fetch_page(
        self, fetcher: PoliteFetcher, query: SearchQuery, settings: Settings
    ) -> ParseResult:
        """Fetch and parse one page; a challenge means blocked, any other non-result failing."""
        response = await fetcher.fetch(self.build_request(query, settings))
        return self.parse_response(response.content)

    def parse_response(self, body: bytes) -> ParseResult:
        try:
            return self.parse(body)
        except ChallengePageError as exc:
            raise SourceBlockedError(f"{self.label}: {exc}") from None
        except NotAResultPageError as exc:
            raise SourceFailingError(f"{self.label}: not a result page ({exc})") from None
