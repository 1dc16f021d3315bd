"""Fixtures for crawl tests: the fake portal on 127.0.0.1, settings pointing at it, a fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fakes.portal_server import PortalServer, Reply
from ita_rent_bot.config import Settings
from ita_rent_bot.sources.base import SearchQuery
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.registry import get_source


@pytest.fixture
async def portal() -> AsyncIterator[PortalServer]:
    server = PortalServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def crawl_settings(settings: Settings, portal: PortalServer) -> Settings:
    """Every portal (and idealista's API) at the fake; no waiting between requests."""
    return settings.model_copy(
        update={
            "subito_base_url": portal.base_url,
            "immobiliare_base_url": portal.base_url,
            "idealista_base_url": portal.base_url,
            "idealista_api_url": portal.base_url,
            "crawl_min_host_interval_seconds": 0.0,
            "crawl_timeout_seconds": 0.3,
            "crawl_max_pages": 3,
        }
    )


@pytest.fixture
async def fetcher(crawl_settings: Settings) -> AsyncIterator[PoliteFetcher]:
    async with PoliteFetcher(crawl_settings, retries=2, retry_base_seconds=0.01) as polite:
        yield polite


def serve_search_page(
    portal: PortalServer,
    settings: Settings,
    *,
    source: str,
    city: str,
    page: int,
    reply: Reply,
) -> str:
    """Answer exactly the request `source` makes for that page; returns the path served."""
    request = get_source(source).build_request(SearchQuery(city=city, page=page), settings)
    path = request.url.removeprefix(portal.base_url)
    params = dict(request.form if request.method == "POST" else request.params)
    portal.serve(path, reply, method=request.method, match=params)
    return path
