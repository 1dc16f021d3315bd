"""The registry, source statuses as the API reads them, and the periodic crawl job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fakes.portal_server import PortalServer, page
from ita_rent_bot.app_state import AppState
from ita_rent_bot.config import Settings
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.sources import service as crawl_state
from ita_rent_bot.sources.base import SearchQuery
from ita_rent_bot.sources.crawler import make_crawl_job
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.registry import UnknownSourceError, all_sources, get_source
from ita_rent_bot.users.models import User
from samples.pages import Flat, subito_page

from .conftest import serve_search_page


def test_every_source_is_registered_once_with_its_portal() -> None:
    assert [(s.name, s.portal) for s in all_sources()] == [
        ("subito", "subito"),
        ("immobiliare", "immobiliare"),
        ("idealista", "idealista"),
        ("idealista_api", "idealista"),
    ]
    assert get_source("immobiliare") is all_sources()[1]
    with pytest.raises(UnknownSourceError, match="unknown source 'tecnocasa'"):
        get_source("tecnocasa")


@pytest.mark.parametrize(
    ("source", "path", "expected"),
    [
        ("subito", "/annunci-lazio/affitto/appartamenti/roma/roma/", {"o": "2", "pe": "1500"}),
        (
            "immobiliare",
            "/api-next/search-list/listings/",
            {"pag": "2", "prezzoMassimo": "1500", "path": "/affitto-case/roma/"},
        ),
        ("idealista", "/affitto-case/roma-roma/con-prezzo_1500/pagina-2.htm", {}),
        (
            "idealista_api",
            "/3.5/it/search",
            {"numPage": "2", "maxPrice": "1500", "operation": "rent", "propertyType": "homes"},
        ),
    ],
)
def test_search_requests_go_to_the_configured_base_url(
    crawl_settings: Settings,
    portal: PortalServer,
    source: str,
    path: str,
    expected: dict[str, str],
) -> None:
    request = get_source(source).build_request(
        SearchQuery(city="roma", page=2, price_max=1500), crawl_settings
    )

    assert request.url == portal.base_url + path
    sent = dict(request.form if request.method == "POST" else request.params)
    assert {key: sent.get(key) for key in expected} == expected


async def test_statuses_list_every_source_and_record_failures(session: AsyncSession) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    await crawl_state.record_failure(
        session, source="idealista", kind="blocked", error="DataDome challenge page", now=now
    )
    second = await crawl_state.record_failure(
        session, source="idealista", kind="blocked", error="DataDome challenge page", now=now
    )
    await crawl_state.record_success(session, source="subito", now=now)
    await session.commit()

    statuses = {s.source: s for s in await crawl_state.list_statuses(session)}

    assert list(statuses) == ["subito", "immobiliare", "idealista", "idealista_api"]
    assert (statuses["subito"].status, statuses["subito"].last_ok_at) == ("ok", now)
    assert statuses["immobiliare"].status == "unknown"
    blocked = statuses["idealista"]
    assert (blocked.status, blocked.consecutive_failures) == ("blocked", 2)
    assert (blocked.last_error, blocked.last_error_at) == ("DataDome challenge page", now)
    assert second.backoff_until is not None
    assert second.backoff_until > now
    assert crawl_state.backing_off(blocked, now)


async def test_the_periodic_job_runs_a_crawl_cycle(
    sqlite_engine: AsyncEngine, crawl_settings: Settings, portal: PortalServer
) -> None:
    state = AppState.create(crawl_settings)
    async with state.session_factory() as session, session.begin():
        user = User(telegram_chat_id=7)
        session.add(user)
        await session.flush()
        session.add(SearchFilter(user_id=user.id, name="x", city="roma", sources=["subito"]))
    serve_search_page(
        portal, crawl_settings, source="subito", city="roma", page=1,
        reply=page(subito_page([Flat("5")])),
    )  # fmt: skip

    async with PoliteFetcher(crawl_settings) as fetcher:
        job = make_crawl_job(state, fetcher)
        await job.run()
    async with state.session_factory() as session:
        stored = list(await session.scalars(select(Listing.source_id)))
    await state.aclose()

    assert (job.name, job.interval_seconds) == ("crawl", crawl_settings.crawl_interval_seconds)
    assert stored == ["5"]
