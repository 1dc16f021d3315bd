"""The polite fetcher against the fake portal: retries, refusals, proxies, spacing, headers."""

from __future__ import annotations

import asyncio

import pytest

from fakes.portal_server import PortalServer, datadome_challenge, hang, page, server_error
from ita_rent_bot.config import Settings
from ita_rent_bot.sources.base import PageRequest, SourceBlockedError, SourceFailingError
from ita_rent_bot.sources.http import BROWSER_USER_AGENT, PoliteFetcher


def get(portal: PortalServer, path: str = "/search") -> PageRequest:
    return PageRequest("GET", portal.base_url + path)


async def test_a_5xx_is_retried_then_the_page_is_returned(
    portal: PortalServer, fetcher: PoliteFetcher
) -> None:
    portal.serve("/search", page(b"<html>results</html>"))
    portal.fail_next("/search", server_error(503), server_error(502))

    response = await fetcher.fetch(get(portal))

    assert (response.status, response.content) == (200, b"<html>results</html>")
    assert len(portal.requests_to("/search")) == 3


async def test_persistent_5xx_fails_after_bounded_retries(
    portal: PortalServer, fetcher: PoliteFetcher
) -> None:
    portal.serve("/search", server_error(500))

    with pytest.raises(SourceFailingError, match=r"HTTP 500 after 3 attempts") as failure:
        await fetcher.fetch(get(portal))

    assert failure.value.status_code == 500
    assert len(portal.requests_to("/search")) == 3


async def test_a_timeout_is_retried(portal: PortalServer, fetcher: PoliteFetcher) -> None:
    portal.serve("/search", page(b"late but fine"))
    portal.fail_next("/search", hang(2.0))

    response = await fetcher.fetch(get(portal))

    assert response.content == b"late but fine"


async def test_persistent_timeouts_fail(portal: PortalServer, fetcher: PoliteFetcher) -> None:
    portal.serve("/search", hang(2.0))

    with pytest.raises(SourceFailingError, match="timed out after 3 attempts"):
        await fetcher.fetch(get(portal))


async def test_a_datadome_challenge_is_blocked_and_not_retried(
    portal: PortalServer, fetcher: PoliteFetcher
) -> None:
    portal.serve("/search", datadome_challenge())

    with pytest.raises(SourceBlockedError, match="DataDome") as refusal:
        await fetcher.fetch(get(portal))

    assert refusal.value.kind == "blocked"
    assert len(portal.requests_to("/search")) == 1


async def test_a_challenge_served_with_200_is_still_a_refusal(
    portal: PortalServer, fetcher: PoliteFetcher
) -> None:
    challenge = datadome_challenge()
    portal.serve("/search", page(challenge.body))

    with pytest.raises(SourceBlockedError):
        await fetcher.fetch(get(portal))


@pytest.mark.parametrize("status", [403, 429])
async def test_plain_refusals_are_blocked(
    portal: PortalServer, fetcher: PoliteFetcher, status: int
) -> None:
    portal.serve("/search", server_error(status))

    with pytest.raises(SourceBlockedError, match=f"HTTP {status}"):
        await fetcher.fetch(get(portal))


async def test_a_404_fails_without_retrying(portal: PortalServer, fetcher: PoliteFetcher) -> None:
    with pytest.raises(SourceFailingError, match="HTTP 404"):
        await fetcher.fetch(get(portal, "/missing"))

    assert len(portal.requests_to("/missing")) == 1


async def test_requests_look_like_a_browser(portal: PortalServer, fetcher: PoliteFetcher) -> None:
    portal.serve("/search", page(b"ok"))

    await fetcher.fetch(get(portal))

    headers = portal.requests_to("/search")[0].headers
    assert headers["User-Agent"] == BROWSER_USER_AGENT
    assert headers["Accept-Language"].startswith("it-IT")


async def test_requests_to_one_host_are_spaced_by_the_minimum_interval(
    portal: PortalServer, crawl_settings: Settings
) -> None:
    portal.serve("/search", page(b"ok"))
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    spaced = crawl_settings.model_copy(update={"crawl_min_host_interval_seconds": 3.0})
    async with PoliteFetcher(spaced, sleep=record) as fetcher:
        await asyncio.gather(*(fetcher.fetch(get(portal)) for _ in range(3)))

    assert len(waits) == 2  # the first request goes at once, the next two wait their turn
    assert all(2.9 <= wait <= 3 * 1.3 * 2 for wait in waits)
    assert len(portal.requests_to("/search")) == 3


async def test_proxies_are_used_in_turn(crawl_settings: Settings) -> None:
    proxies = [PortalServer(), PortalServer()]
    for proxy in proxies:
        await proxy.start()
        proxy.serve("/listing", page(b"via proxy"))
    rotating = crawl_settings.model_copy(update={"proxy_urls": [p.base_url for p in proxies]})
    try:
        async with PoliteFetcher(rotating) as fetcher:
            for _ in range(4):
                response = await fetcher.fetch(PageRequest("GET", "http://portal.test/listing"))
                assert response.content == b"via proxy"
    finally:
        for proxy in proxies:
            await proxy.close()

    assert [len(p.requests) for p in proxies] == [2, 2]
    assert proxies[0].requests[0].headers["Host"] == "portal.test"
