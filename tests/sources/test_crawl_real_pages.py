"""Crawls of the real saved pages served on 127.0.0.1, with the failures portals show."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conftest import FIXTURES, require_shared
from fakes.portal_server import PortalServer, Reply, datadome_challenge, hang, page, server_error
from ita_rent_bot.config import Settings
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.sources.crawler import crawl_target
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.models import SourceStatus

from .conftest import serve_search_page

Factory = async_sessionmaker[AsyncSession]
REAL_PAGES = {
    "subito": ("subito/search_roma_affitto_appartamenti.html", "text/html", 39),
    "immobiliare": ("immobiliare/api_search_list_roma_rent.json", "application/json", 25),
    "idealista": ("idealista/search_roma_rent_cards_1-15.html", "text/html", 15),
}


def serve_real(
    portal: PortalServer, settings: Settings, source: str, *, pages: tuple[int, ...] = (1,)
) -> str:
    name, content_type, _ = REAL_PAGES[source]
    reply = page(require_shared(FIXTURES / name).read_bytes(), content_type=content_type)
    path = ""
    for number in pages:
        path = serve_search_page(
            portal, settings, source=source, city="roma", page=number, reply=reply
        )
    return path


async def count_listings(factory: Factory, source: str) -> int:
    async with factory() as session:
        found = await session.scalar(
            select(func.count()).select_from(Listing).where(Listing.source == source)
        )
        return found or 0


@pytest.mark.parametrize("source", list(REAL_PAGES))
async def test_real_pages_page_on_then_stop_at_what_is_known(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher, source: str,
) -> None:  # fmt: skip
    # every page of the fake answers with the same real page: page 2 brings nothing new
    serve_real(portal, crawl_settings, source, pages=(1, 2, 3))
    expected = REAL_PAGES[source][2]

    seed = await crawl_target(
        session_factory, crawl_settings, source=source, city="roma", fetcher=fetcher
    )
    again = await crawl_target(
        session_factory, crawl_settings, source=source, city="roma", fetcher=fetcher
    )

    has_next = source != "idealista"  # the idealista cards page has no pagination block
    assert (seed.status, seed.pages, seed.found, seed.new) == (
        "ok", 2 if has_next else 1, expected, expected,
    )  # fmt: skip
    assert (again.status, again.pages, again.found, again.new) == ("ok", 1, expected, 0)
    assert await count_listings(session_factory, source) == expected


@pytest.mark.parametrize(
    ("source", "fault"),
    [
        ("subito", server_error(502)),
        ("immobiliare", server_error(503)),
        ("idealista", hang(2.0)),
        ("subito", hang(2.0)),
    ],
    ids=["subito-502", "immobiliare-503", "idealista-timeout", "subito-timeout"],
)
async def test_a_fault_then_the_real_page_is_a_normal_crawl(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher, source: str, fault: Reply,
) -> None:  # fmt: skip
    one_page = crawl_settings.model_copy(update={"crawl_max_pages": 1})
    path = serve_real(portal, one_page, source)
    portal.fail_next(path, fault)

    report = await crawl_target(
        session_factory, one_page, source=source, city="roma", fetcher=fetcher
    )

    assert (report.status, report.found) == ("ok", REAL_PAGES[source][2])
    assert len(portal.requests_to(path)) == 2


async def test_datadome_instead_of_the_real_page_stores_nothing(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    path = serve_real(portal, crawl_settings, "idealista")
    portal.fail_next(path, datadome_challenge())

    report = await crawl_target(
        session_factory, crawl_settings, source="idealista", city="roma", fetcher=fetcher
    )

    assert (report.status, report.found, report.seeded) == ("blocked", 0, False)
    assert await count_listings(session_factory, "idealista") == 0
    async with session_factory() as session:
        status = await session.get(SourceStatus, "idealista")
    assert status is not None
    assert status.status == "blocked"
