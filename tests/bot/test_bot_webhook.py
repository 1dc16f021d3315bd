"""Webhook mode through the FastAPI app (setWebhook with the secret; POST /webhooks/telegram
checked against the secret header), and the bot inside `run`'s app in polling mode."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from bot_harness import WAIT_SECONDS, HandledUpdates, bot_settings, running_bot, texts
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.telegram_api import TOKEN, FakeTelegramAPI
from ita_rent_bot.bot.runner import WEBHOOK_PATH, BotRuntime, webhook_secret
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_session_factory
from ita_rent_bot.main import create_app
from ita_rent_bot.users import service as users

pytest_plugins = ("bot_fixtures",)

PUBLIC = "https://bot.example.com"
SECRET = "webhook-secret-for-tests-0123456789"


def start_update(update_id: int, chat_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "T", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def test_webhook_mode_with_a_right_and_a_wrong_secret(
    telegram_api: FakeTelegramAPI, sqlite_engine: AsyncEngine, sqlite_url: str
) -> None:
    settings = bot_settings(
        sqlite_url,
        telegram_api,
        public_base_url=PUBLIC,
        telegram_webhook_secret=SECRET,
        embedded_workers=False,
    )
    async with serving(settings) as (_, client):
        assert telegram_api.webhook is not None
        assert telegram_api.webhook["url"] == PUBLIC + WEBHOOK_PATH
        assert telegram_api.webhook["secret_token"] == SECRET
        assert not telegram_api.calls_to("getupdates")  # no polling in webhook mode

        update = start_update(1, 1001)
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            refused = await client.post(WEBHOOK_PATH, json=update, headers=headers)
            assert refused.status_code == 403
            assert refused.json() == {
                "error": {"code": "forbidden", "message": "missing or wrong secret token"}
            }
        assert telegram_api.sent(1001) == []

        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        bad = await client.post(WEBHOOK_PATH, content=b"{not json", headers=right)
        assert bad.status_code == 400
        assert bad.json()["error"]["message"] == "the body is not a Telegram update"

        accepted = await client.post(WEBHOOK_PATH, json=update, headers=right)
        assert (accepted.status_code, accepted.json()) == (200, {"ok": True})
        assert "I watch rental listings" in texts(telegram_api.sent(1001))

    async with create_session_factory(sqlite_engine)() as session:
        assert await users.get_by_telegram_chat(session, chat_id=1001) is not None


async def test_without_a_configured_secret_one_is_derived_from_the_token(
    telegram_api: FakeTelegramAPI, sqlite_engine: AsyncEngine, sqlite_url: str
) -> None:
    settings = bot_settings(
        sqlite_url, telegram_api, public_base_url=PUBLIC, embedded_workers=False
    )
    derived = webhook_secret(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() not in derived
    async with serving(settings) as (_, client):
        assert telegram_api.webhook is not None
        assert telegram_api.webhook["secret_token"] == derived
        headers = {"X-Telegram-Bot-Api-Secret-Token": derived}
        response = await client.post(WEBHOOK_PATH, json=start_update(2, 1002), headers=headers)
        assert response.status_code == 200


async def test_the_webhook_is_404_when_the_bot_is_not_configured(settings: Settings) -> None:
    async with serving(settings.model_copy(update={"embedded_workers": False})) as (app, client):
        response = await client.post(
            WEBHOOK_PATH,
            json=start_update(3, 1003),
            headers={"X-Telegram-Bot-Api-Secret-Token": "x"},
        )
        assert response.status_code == 404
        assert app.state.telegram_bot is None


async def test_run_polls_when_the_token_is_set(
    telegram_api: FakeTelegramAPI,
    sqlite_engine: AsyncEngine,
    sqlite_url: str,
    handled_updates: HandledUpdates,
) -> None:
    settings = bot_settings(sqlite_url, telegram_api, crawl_enabled=False)
    async with serving(settings):
        update_id = telegram_api.push_message(1004, "/start", language_code="en")
        await asyncio.wait_for(handled_updates.done[update_id].wait(), WAIT_SECONDS)
        assert "I watch rental listings" in texts(telegram_api.sent(1004))
        assert telegram_api.webhook is None


async def test_polling_removes_a_webhook_left_from_before(
    telegram_api: FakeTelegramAPI,
    sqlite_engine: AsyncEngine,
    sqlite_url: str,
    handled_updates: HandledUpdates,
) -> None:
    telegram_api.webhook = {"url": "https://old.example.com/webhooks/telegram"}
    settings = bot_settings(sqlite_url, telegram_api)
    async with running_bot(telegram_api, sqlite_engine, handled_updates, settings) as bot:
        calls = await bot.chat(1005).send("/help")
        assert "/new" in texts(calls)
    assert telegram_api.webhook is None


@pytest.mark.usefixtures("program_logging")
async def test_an_unreachable_bot_api_is_retried_and_stopping_still_works(
    sqlite_engine: AsyncEngine, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=f"http://127.0.0.1:{port}",
    )
    runtime = BotRuntime.create(settings, create_session_factory(sqlite_engine))
    await runtime.start(poll=True)
    seen = ""
    for _ in range(200):  # the first attempt fails at once: connection refused
        seen += capsys.readouterr().err
        if "out of reach, retrying" in seen:
            break
        await asyncio.sleep(0.05)
    assert "out of reach, retrying" in seen
    polling = runtime._polling
    assert polling is not None
    assert not polling.done()  # still trying
    await runtime.stop()
    assert runtime._polling is None


@pytest.mark.usefixtures("program_logging")
async def test_a_malformed_token_leaves_the_api_running_without_the_bot(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = settings.model_copy(
        update={"telegram_bot_token": SecretStr("not-a-token"), "embedded_workers": False}
    )
    async with serving(broken) as (app, client):
        assert app.state.telegram_bot is None
        assert (await client.get("/health")).status_code == 200
    assert "TELEGRAM_BOT_TOKEN is malformed" in capsys.readouterr().err
