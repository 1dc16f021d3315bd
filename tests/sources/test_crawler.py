"""Crawl cycles against the fake portal: seeding, pagination, stop-at-seen, failures, backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conftest import FIXTURES, require_shared
from fakes.portal_server import (
    PortalServer,
    datadome_challenge,
    hang,
    json_page,
    page,
    server_error,
)
from ita_rent_bot.config import Settings
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing, PriceChange
from ita_rent_bot.listings.service import IngestResult
from ita_rent_bot.sources import service as crawl_state
from ita_rent_bot.sources.crawler import crawl_cycle, crawl_target
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.models import CrawlTarget, SourceStatus
from ita_rent_bot.users.models import User
from samples.pages import Flat, render

from .conftest import serve_search_page

Factory = async_sessionmaker[AsyncSession]
CONTENT_TYPES = {"subito": "text/html", "idealista": "text/html"}


class Hook:
    """The after_ingest hook a matcher would be: records what each crawl reported."""

    def __init__(self) -> None:
        self.calls: list[IngestResult] = []

    async def __call__(self, session: AsyncSession, result: IngestResult) -> None:
        assert session.in_transaction()
        self.calls.append(result)


async def add_filter(
    factory: Factory, *, city: str, sources: list[str] | None = None, paused: bool = False,
    user_active: bool = True, chat: int = 1,
) -> None:  # fmt: skip
    async with factory() as session, session.begin():
        user = User(telegram_chat_id=chat, is_active=user_active)
        session.add(user)
        await session.flush()
        session.add(
            SearchFilter(
                user_id=user.id, name="casa", city=city, sources=sources or [], paused=paused
            )
        )


def serve(
    portal: PortalServer, settings: Settings, source: str, city: str, pages: list[list[Flat]]
) -> list[str]:
    paths = []
    for number, flats in enumerate(pages, start=1):
        body = render(source, flats, page=number, total_pages=len(pages))
        reply = page(body, content_type=CONTENT_TYPES.get(source, "application/json"))
        paths.append(
            serve_search_page(portal, settings, source=source, city=city, page=number, reply=reply)
        )
    return paths


def flats(*ids: int) -> list[Flat]:
    return [Flat(str(i)) for i in ids]


async def stored_ids(factory: Factory, source: str) -> set[str]:
    async with factory() as session:
        return set(await session.scalars(select(Listing.source_id).where(Listing.source == source)))


async def status_of(factory: Factory, source: str) -> SourceStatus | None:
    async with factory() as session:
        return await session.get(SourceStatus, source)


@pytest.mark.parametrize("source", ["subito", "immobiliare", "idealista", "idealista_api"])
async def test_pagination_stops_at_the_first_known_listing(
    session_factory: Factory,
    portal: PortalServer,
    crawl_settings: Settings,
    fetcher: PoliteFetcher,
    source: str,
) -> None:
    if source == "idealista_api":
        portal.serve(
            "/oauth/token",
            json_page(b'{"access_token": "t0k", "expires_in": 3600}'),
            method="POST",
        )
        crawl_settings = crawl_settings.model_copy(
            update={"idealista_api_key": SecretStr("k"), "idealista_api_secret": SecretStr("s")}
        )
    hook = Hook()
    portal_name = "idealista" if source == "idealista_api" else source

    async def crawl() -> int:
        before = len(portal.requests)
        report = await crawl_target(
            session_factory, crawl_settings, source=source, city="roma",
            fetcher=fetcher, after_ingest=hook,
        )  # fmt: skip
        assert report.status == "ok", report.error
        return len([r for r in portal.requests[before:] if r.path != "/oauth/token"])

    # first crawl: nothing is known, so it reads every page and notifies nobody
    serve(portal, crawl_settings, source, "roma", [flats(101, 102, 103), flats(104, 105, 106)])
    assert await crawl() == 2
    assert hook.calls == []
    assert await stored_ids(session_factory, portal_name) == {str(i) for i in range(101, 107)}

    # two new listings on top of page 1: page 1 shows known ones, so page 2 is not read
    serve(portal, crawl_settings, source, "roma",
          [flats(107, 108, 101, 102, 103), flats(104, 105, 106)])  # fmt: skip
    assert await crawl() == 1
    assert [x.source_id for x in hook.calls[-1].new] == ["107", "108"]

    # a page and more of new listings: read until the known ones, never beyond
    serve(portal, crawl_settings, source, "roma",
          [flats(109, 110, 111), flats(112, 107, 108), flats(101, 102)])  # fmt: skip
    assert await crawl() == 2
    assert [x.source_id for x in hook.calls[-1].new] == ["109", "110", "111", "112"]


async def test_first_crawl_of_a_target_seeds_without_the_hook(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    await add_filter(session_factory, city="roma", sources=["immobiliare"])
    serve(portal, crawl_settings, "immobiliare", "roma", [flats(1, 2)])
    hook = Hook()

    first = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher, after_ingest=hook)
    serve(portal, crawl_settings, "immobiliare", "roma", [flats(3, 1, 2)])
    second = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher, after_ingest=hook)

    assert [(r.seeded, r.found, r.new) for r in first] == [(True, 2, 2)]
    assert [(r.seeded, r.found, r.new) for r in second] == [(False, 3, 1)]
    assert len(hook.calls) == 1
    assert [x.source_id for x in hook.calls[0].new] == ["3"]
    async with session_factory() as session:
        target = await session.get(CrawlTarget, ("immobiliare", "roma"))
        assert target is not None
        assert target.seeded_at is not None
        assert (target.last_found, target.last_new) == (3, 1)


async def test_targets_come_from_active_filters_not_from_users(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    for chat in range(1, 6):  # five users watching Rome on subito: still one target
        await add_filter(session_factory, city="roma", sources=["subito"], chat=chat)
    await add_filter(session_factory, city="milano", paused=True, chat=10)
    await add_filter(session_factory, city="napoli", user_active=False, chat=11)
    await add_filter(session_factory, city="torino", sources=["idealista"], chat=12)
    serve(portal, crawl_settings, "subito", "roma", [flats(1)])
    serve(portal, crawl_settings, "idealista", "torino", [flats(2)])

    async with session_factory() as session:
        targets = await crawl_state.active_targets(session)
    reports = await crawl_cycle(session_factory, crawl_settings, fetcher=fetcher)

    assert [(t.portal, t.city) for t in targets] == [("idealista", "torino"), ("subito", "roma")]
    assert sorted((r.source, r.city, r.status) for r in reports) == [
        ("idealista", "torino", "ok"),
        ("subito", "roma", "ok"),
    ]
    assert len(portal.requests) == 2


async def test_an_empty_filter_source_list_means_every_portal(
    session_factory: Factory,
) -> None:
    await add_filter(session_factory, city="roma")

    async with session_factory() as session:
        targets = await crawl_state.active_targets(session)

    assert [(t.portal, t.city) for t in targets] == [
        ("idealista", "roma"),
        ("immobiliare", "roma"),
        ("subito", "roma"),
    ]


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


async def test_price_changes_reach_the_hook_and_the_history(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    serve(portal, crawl_settings, "subito", "roma", [[Flat("1", price=1000)]])
    await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )
    serve(portal, crawl_settings, "subito", "roma", [[Flat("1", price=900)]])
    hook = Hook()

    await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher,
        after_ingest=hook,
    )  # fmt: skip

    (event,) = hook.calls[0].price_changed
    assert (event.old_price, event.new_price, event.dropped) == (1000, 900, True)
    async with session_factory() as session:
        prices = await session.scalars(select(PriceChange.price_eur).order_by(PriceChange.id))
        assert list(prices) == [1000, 900]


async def test_listings_unseen_for_a_week_go_inactive_and_stay_old_news(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    serve(portal, crawl_settings, "subito", "roma", [flats(1, 2)])
    await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Listing)
            .where(Listing.source_id == "2")
            .values(last_seen_at=datetime.now(UTC) - timedelta(days=8))
        )
    serve(portal, crawl_settings, "subito", "roma", [flats(1)])

    report = await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher
    )
    async with session_factory() as session:
        active = dict((await session.execute(select(Listing.source_id, Listing.is_active))).all())
    assert report.deactivated == 1
    assert active == {"1": True, "2": False}

    serve(portal, crawl_settings, "subito", "roma", [flats(2, 1)])
    hook = Hook()
    await crawl_target(
        session_factory, crawl_settings, source="subito", city="roma", fetcher=fetcher,
        after_ingest=hook,
    )  # fmt: skip
    assert hook.calls[0].new == []  # a gone listing that shows up again is not news


async def test_real_fixture_pages_crawled_and_cross_portal_twins_linked(
    session_factory: Factory, portal: PortalServer, crawl_settings: Settings,
    fetcher: PoliteFetcher,
) -> None:  # fmt: skip
    one_page = crawl_settings.model_copy(update={"crawl_max_pages": 1})
    pages = {
        "subito": ("subito/search_roma_affitto_appartamenti.html", "text/html"),
        "immobiliare": ("immobiliare/api_search_list_roma_rent.json", "application/json"),
        "idealista": ("idealista/search_roma_rent_cards_1-15.html", "text/html"),
    }
    for source, (path, content_type) in pages.items():
        body = require_shared(FIXTURES / path).read_bytes()
        serve_search_page(
            portal, one_page, source=source, city="roma", page=1,
            reply=page(body, content_type=content_type),
        )  # fmt: skip
    await add_filter(session_factory, city="roma")

    reports = await crawl_cycle(session_factory, one_page, fetcher=fetcher)

    assert sorted((r.source, r.status, r.found, r.new) for r in reports) == [
        ("idealista", "ok", 15, 15),
        ("immobiliare", "ok", 25, 25),
        ("subito", "ok", 39, 39),
    ]
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Listing)) == 79
        albricci = {
            row.source: row
            for row in await session.scalars(
                select(Listing).where(Listing.source_id.in_(["36635487", "131911224"]))
            )
        }
    # the same flat in Via Alberico Albricci: 2 rooms, 60 m², 1100 € on both portals
    first, second = sorted(albricci.values(), key=lambda x: x.id)
    assert (first.twin_of_id, second.twin_of_id) == (None, first.id)
    assert sum(r.twins_linked for r in reports) >= 1
