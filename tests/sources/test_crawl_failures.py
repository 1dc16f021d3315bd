"""Crawls that meet trouble: 5xx, timeouts, DataDome, empty and broken pages, a failing hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from fakes.portal_server import (
    PortalServer,
    datadome_challenge,
    hang,
    json_page,
    page,
    server_error,
)
from ita_rent_bot.config import Settings
from ita_rent_bot.listings.service import IngestResult
from ita_rent_bot.sources.crawler import crawl_cycle, crawl_target
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.models import SourceStatus

from .conftest import serve_search_page
from .crawl_helpers import Factory, add_filter, flats, serve, status_of, stored_ids


async def test_a_5xx_then_success_is_a_normal_crawl(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    (path,) = serve(portal, crawl_settings, "subito", "roma", [flats(1, 2)])
    portal.fail_next(path, server_error(503))

    report = await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )

    assert (report.status, report.found, report.new) == ("ok", 2, 2)
    status = await status_of(session_factory, "subito")
    assert status is not None
    assert (status.status, status.consecutive_failures) == ("ok", 0)


async def test_a_timeout_marks_the_source_failing_with_backoff(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    await add_filter(session_factory, city="roma", sources=["immobiliare"])
    (path,) = serve(portal, crawl_settings, "immobiliare", "roma", [flats(1)])
    portal.fail_next(path, hang(2.0), hang(2.0), hang(2.0))

    reports = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)

    assert [(r.status, r.found) for r in reports] == [("failing", 0)]
    assert reports[0].error is not None
    assert "timed out" in reports[0].error
    status = await status_of(session_factory, "immobiliare")
    assert status is not None
    assert status.status == "failing"
    assert status.last_error is not None
    assert "timed out" in status.last_error
    assert status.backoff_until is not None
    assert status.backoff_until > datetime.now(UTC)
    assert await stored_ids(session_factory, "immobiliare") == set()


async def test_datadome_blocks_the_source_until_its_backoff_passes(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    await add_filter(session_factory, city="roma", sources=["idealista"])
    await add_filter(session_factory, city="milano", sources=["idealista"], chat=2)
    serve(portal, crawl_settings, "idealista", "roma", [flats(1)])
    (milano,) = serve(portal, crawl_settings, "idealista", "milano", [flats(2)])
    portal.fail_next(milano, datadome_challenge())  # targets run in order: milano first

    blocked = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)
    requests_after_block = len(portal.requests)
    waiting = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)

    assert [(r.city, r.status) for r in blocked] == [
        ("milano", "blocked"),
        ("roma", "skipped"),  # the rest of a blocked source's targets wait too
    ]
    assert requests_after_block == 1
    assert {r.status for r in waiting} == {"skipped"}
    assert len(portal.requests) == 1  # nothing sent while backing off
    status = await status_of(session_factory, "idealista")
    assert status is not None
    assert status.status == "blocked"
    assert status.last_error is not None
    assert "DataDome" in status.last_error
    assert await stored_ids(session_factory, "idealista") == set()  # blocked is not empty

    async with session_factory() as session, session.begin():
        await session.execute(
            update(SourceStatus).values(backoff_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    recovered = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)

    assert sorted((r.city, r.status, r.found) for r in recovered) == [
        ("milano", "ok", 1),
        ("roma", "ok", 1),
    ]
    status = await status_of(session_factory, "idealista")
    assert status is not None
    assert (status.status, status.backoff_until) == ("ok", None)


async def test_an_empty_result_page_is_ok_and_seeds_the_target(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    serve(portal, crawl_settings, "subito", "roma", [[]])

    report = await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )

    assert (report.status, report.pages, report.found, report.seeded) == ("ok", 1, 0, True)


async def test_a_page_of_unreadable_cards_is_a_failing_source(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    broken = b'{"results": [{"realEstate": {}}, {"seo": {}}], "count": 2}'
    serve_search_page(
        portal, crawl_settings, source="immobiliare", city="roma", page=1, reply=json_page(broken)
    )

    report = await crawl_target(
        session_factory, crawl_settings, source="immobiliare", city="roma", fetcher=fetcher
    )

    assert report.status == "failing"
    assert report.error is not None
    assert "none of the 2 cards" in report.error


async def test_a_page_that_is_not_a_result_page_is_failing(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    serve_search_page(
        portal, crawl_settings, source="subito", city="roma", page=1,
        reply=page(b"<html><body>Manutenzione in corso</body></html>"),
    )  # fmt: skip

    report = await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )

    assert report.status == "failing"
    assert report.error == "subito.it: not a result page (no __NEXT_DATA__ script)"


async def test_a_failing_hook_rolls_the_ingest_back(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    await add_filter(session_factory, city="roma", sources=["subito"])
    serve(portal, crawl_settings, "subito", "roma", [flats(1)])
    await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)  # seeds
    serve(portal, crawl_settings, "subito", "roma", [flats(2, 1)])

    async def broken_hook(session: AsyncSession, result: IngestResult) -> None:
        raise RuntimeError("matcher exploded")

    reports = await crawl_cycle(
        session_factory, crawl_settings, fetcher=fetcher, after_ingest=broken_hook
    )

    assert [(r.status, r.new) for r in reports] == [("failing", 0)]
    assert reports[0].error is not None
    assert "matcher exploded" in reports[0].error
    assert await stored_ids(session_factory, "subito") == {"1"}  # "2" stays news for next time
