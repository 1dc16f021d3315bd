"""The registry, source statuses as the API reads them, and the periodic crawl job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fakes.portal_server import PortalServer
from ita_rent_bot.config import Settings
from ita_rent_bot.sources import service as crawl_state
from ita_rent_bot.sources.base import SearchQuery
from ita_rent_bot.sources.registry import UnknownSourceError, all_sources, get_source


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
