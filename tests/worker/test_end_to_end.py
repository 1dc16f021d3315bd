"""End to end in one process on SQLite: a real saved portal page served on 127.0.0.1 is crawled,
ingested, matched against a user's search, and delivered to the fake Telegram Bot API and to
Prism serving Twilio's own OpenAPI spec."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.whatsapp.conftest import twilio_settings
from conftest import FIXTURES, require_shared
from fakes.portal_server import PortalServer, page
from fakes.prism import running_prism
from fakes.telegram_api import TOKEN, FakeTelegramAPI
from ita_rent_bot.app_state import AppState
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.migrate import upgrade_to_head
from ita_rent_bot.notifications.models import CANCELLED, SENT, Delivery
from ita_rent_bot.sources.base import SearchQuery
from ita_rent_bot.sources.models import CrawlTarget
from ita_rent_bot.sources.registry import get_source
from ita_rent_bot.users.models import MODE_DIGEST, User
from ita_rent_bot.worker.process import WorkerProcess

pytestmark = pytest.mark.prism

PAGE = "immobiliare/api_search_list_roma_rent.json"
PRICE_MAX = 1200


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    with running_prism() as url:
        yield url


@pytest.fixture
async def portal() -> AsyncIterator[PortalServer]:
    server = PortalServer()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(global_per_second=30, chat_per_second=1) as fake:
        yield fake


def e2e_settings(sqlite_url: str, prism: str, portal: str, telegram: str) -> Settings:
    account = "AC" + "0123456789abcdef" * 2
    return twilio_settings(
        sqlite_url,
        f"{prism}/2010-04-01/Accounts/{account}/Messages.json",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=telegram,
        telegram_chat_mps=1.0,
        immobiliare_base_url=portal,
        subito_base_url=portal,
        idealista_base_url=portal,
        crawl_min_host_interval_seconds=0.0,
        crawl_max_pages=1,
        embedded_workers=True,
    )


async def _seed(factory: async_sessionmaker[AsyncSession]) -> User:
    """A user on both channels with one search; the Rome target already seeded (not first)."""
    now = utcnow()
    async with factory() as session, session.begin():
        user = User(
            telegram_chat_id=555,
            language="ru",
            whatsapp_number="+393331112233",
            whatsapp_enabled=True,
            whatsapp_verified_at=now,
            whatsapp_last_inbound_at=now,
            whatsapp_mode=MODE_DIGEST,
        )
        session.add(user)
        await session.flush()
        session.add(
            SearchFilter(
                user_id=user.id,
                name="Рим до 1200",
                city="roma",
                sources=["immobiliare"],
                price_max=PRICE_MAX,
            )
        )
        session.add(CrawlTarget(source="immobiliare", city="roma", seeded_at=now))
        return user


async def test_a_crawled_page_reaches_telegram_and_twilio(
    sqlite_url: str, prism: str, portal: PortalServer, telegram: FakeTelegramAPI
) -> None:
    body = require_shared(FIXTURES / PAGE).read_bytes()
    settings = e2e_settings(sqlite_url, prism, portal.base_url, telegram.base_url)
    request = get_source("immobiliare").build_request(SearchQuery(city="roma", page=1), settings)
    portal.serve(
        request.url.removeprefix(portal.base_url),
        page(body, content_type="application/json"),
        method=request.method,
        match=dict(request.form if request.method == "POST" else request.params),
    )
    state = AppState.create(settings)
    await upgrade_to_head(state.engine, settings)
    user = await _seed(state.session_factory)
    process = WorkerProcess.embedded(state)
    await process.start()  # the scheduler kicks the first crawl at once
    try:
        async with asyncio.timeout(90):
            while True:
                await asyncio.sleep(0.2)
                async with state.session_factory() as session:
                    rows = list((await session.execute(select(Delivery))).scalars())
                if rows and all(r.status in (SENT, CANCELLED) for r in rows):
                    break
        async with state.session_factory() as session:
            matched = list(
                (
                    await session.execute(select(Listing).where(Listing.price_eur <= PRICE_MAX))
                ).scalars()
            )
    finally:
        await process.stop()
        await state.aclose()

    assert portal.requests, "the portal page was fetched"
    assert matched
    telegram_rows = [r for r in rows if r.channel == "telegram"]
    whatsapp_rows = [r for r in rows if r.channel == "whatsapp"]
    assert {r.listing_id for r in telegram_rows} == {x.id for x in matched}
    assert {r.listing_id for r in whatsapp_rows} == {x.id for x in matched}

    cards = telegram.sent(user.telegram_chat_id)
    sent_cards = [r for r in telegram_rows if r.status == SENT]
    assert len(cards) == len(sent_cards) == min(len(matched), 20)
    assert telegram.capped() == []  # 1 message a second to the chat, as Telegram asks
    by_url = {x.url: x for x in matched}
    for card in cards:
        text = card.params.get("caption") or card.params["text"]
        url = next(u for u in by_url if f'href="{u}"' in text)
        listing = by_url[url]
        assert f"{listing.price_eur:,}".replace(",", "\u00a0") + " €/мес" in text
        assert "🌐 immobiliare.it" in text
        assert "None" not in text
        buttons = [b for row in card.params["reply_markup"]["inline_keyboard"] for b in row]
        assert [b.get("callback_data") for b in buttons][1:3] == [
            f"save:{listing.id}",
            f"hide:{listing.id}",
        ]
    # Prism accepted every WhatsApp message as Twilio would (a contract breach answers 422)
    assert {r.status for r in whatsapp_rows} == {SENT}
    assert all((r.provider_message_id or "").startswith("SM") for r in whatsapp_rows)
