"""Crawl cycles against the fake portal: seeding, pagination, stop-at-seen, history, twins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update

from conftest import FIXTURES, require_shared
from fakes.portal_server import (
    PortalServer,
    json_page,
    page,
)
from ita_rent_bot.config import Settings
from ita_rent_bot.listings.models import Listing, PriceChange
from ita_rent_bot.sources import service as crawl_state
from ita_rent_bot.sources.crawler import crawl_cycle, crawl_target
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.models import CrawlTarget
from samples.pages import Flat

from .conftest import serve_search_page
from .crawl_helpers import Factory, Hook, add_filter, flats, serve, stored_ids


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
