"""idealista's official API through the fake: OAuth2 client credentials, token cache, 401."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from fakes.portal_server import PortalServer, json_page, server_error
from ita_rent_bot.config import Settings
from ita_rent_bot.sources.base import SearchQuery, SourceFailingError
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.sources.idealista_api import IdealistaApiSource
from ita_rent_bot.sources.registry import source_for
from samples.pages import Flat, idealista_api_answer

from .conftest import serve_search_page

TOKEN = json_page(b'{"access_token": "first-token", "token_type": "bearer", "expires_in": 43199}')


@pytest.fixture
def api_settings(crawl_settings: Settings) -> Settings:
    return crawl_settings.model_copy(
        update={
            "idealista_api_key": SecretStr("client-key"),
            "idealista_api_secret": SecretStr("client-secret"),
        }
    )


def serve_pages(portal: PortalServer, settings: Settings) -> str:
    path = ""
    for number in (1, 2):
        body = idealista_api_answer([Flat(f"{number}00")], page=number, total_pages=2)
        path = serve_search_page(
            portal, settings, source="idealista_api", city="roma", page=number,
            reply=json_page(body),
        )  # fmt: skip
    return path


async def test_token_is_fetched_once_and_sent_with_every_search(
    portal: PortalServer, api_settings: Settings, fetcher: PoliteFetcher
) -> None:
    portal.serve("/oauth/token", TOKEN, method="POST")
    path = serve_pages(portal, api_settings)
    source = IdealistaApiSource()

    pages = [
        await source.fetch_page(fetcher, SearchQuery(city="roma", page=n), api_settings)
        for n in (1, 2)
    ]

    assert [[x.source_id for x in p.listings] for p in pages] == [["100"], ["200"]]
    (token_request,) = portal.requests_to("/oauth/token")
    expected = base64.b64encode(b"client-key:client-secret").decode()
    assert token_request.headers["Authorization"] == f"Basic {expected}"
    assert token_request.form == {"grant_type": "client_credentials", "scope": "read"}
    searches = portal.requests_to(path)
    assert [s.headers["Authorization"] for s in searches] == ["Bearer first-token"] * 2
    assert searches[0].form["operation"] == "rent"
    assert searches[1].form["numPage"] == "2"
    assert path == "/3.5/it/search"


async def test_a_refused_token_is_renewed_once(
    portal: PortalServer, api_settings: Settings, fetcher: PoliteFetcher
) -> None:
    portal.serve("/oauth/token", TOKEN, method="POST")
    path = serve_pages(portal, api_settings)
    portal.fail_next(path, server_error(401), method="POST")
    source = IdealistaApiSource()

    result = await source.fetch_page(fetcher, SearchQuery(city="roma"), api_settings)

    assert [x.source_id for x in result.listings] == ["100"]
    assert len(portal.requests_to("/oauth/token")) == 2


async def test_a_token_answer_without_a_token_fails_cleanly(
    portal: PortalServer, api_settings: Settings, fetcher: PoliteFetcher
) -> None:
    portal.serve("/oauth/token", json_page(b'{"error": "invalid_client"}'), method="POST")

    with pytest.raises(SourceFailingError, match="no access_token") as failure:
        await IdealistaApiSource().fetch_page(fetcher, SearchQuery(city="roma"), api_settings)

    assert "client-secret" not in str(failure.value)


def test_the_api_is_used_for_idealista_only_when_configured(
    crawl_settings: Settings, api_settings: Settings
) -> None:
    assert source_for("idealista", "roma", crawl_settings).name == "idealista"
    assert source_for("idealista", "roma", api_settings).name == "idealista_api"
    assert source_for("idealista", "frosinone", api_settings).name == "idealista"  # no centre
    assert source_for("subito", "roma", api_settings).name == "subito"
