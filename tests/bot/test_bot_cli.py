"""`ita-rent-bot bot` as a user runs it: a real process polling the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
from bot_harness import bot_settings, texts
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from fakes.telegram_api import TOKEN, FakeTelegramAPI
from ita_rent_bot.bot.cli import webhook_app
from ita_rent_bot.bot.runner import WEBHOOK_PATH
from ita_rent_bot.cli import app

pytest_plugins = ("bot_fixtures",)

CLI = [sys.executable, "-m", "ita_rent_bot", "bot"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "TWILIO_", "TELEGRAM_", "PUBLIC_BASE_URL"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env.update(extra)
    return env


@pytest.mark.usefixtures("program_logging")  # the command sets logging up on CliRunner's stream
def test_without_a_token_it_says_so_in_one_line(tmp_path: Path) -> None:
    env: dict[str, str | None] = {n: None for n in os.environ if n.startswith("TELEGRAM_")}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    result = CliRunner().invoke(app, ["bot"], env=env)
    assert result.exit_code == 2
    assert result.output == "error: TELEGRAM_BOT_TOKEN is not set; the bot cannot start\n"


async def test_the_bot_alone_answers_and_stops_on_a_signal(
    tmp_path: Path, telegram_api: FakeTelegramAPI
) -> None:
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram_api.base_url)
    proc = await asyncio.create_subprocess_exec(
        *CLI, cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        telegram_api.push_message(1101, "/start", language_code="en")
        for _ in range(600):  # the process starts, migrates, polls: up to 30 s
            if telegram_api.sent(1101) or proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert [c.params["text"].split("\n")[0] for c in telegram_api.sent(1101)] == [
            "👋 I watch rental listings on subito.it, immobiliare.it and idealista.it."
        ]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, output.decode()
    assert TOKEN not in output.decode()
    assert "Traceback" not in output.decode()


async def test_the_bot_alone_in_webhook_mode_serves_only_the_webhook(
    tmp_path: Path, telegram_api: FakeTelegramAPI, sqlite_engine: AsyncEngine, sqlite_url: str
) -> None:
    settings = bot_settings(sqlite_url, telegram_api, public_base_url="https://bot.example.com")
    app = webhook_app(settings)
    async with app.router.lifespan_context(app):
        assert telegram_api.webhook is not None
        secret = telegram_api.webhook["secret_token"]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1102, "type": "private"},
                    "from": {"id": 1102, "is_bot": False, "first_name": "T"},
                    "text": "/help",
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
            assert response.status_code == 200
            assert (await client.get("/health")).status_code == 404
    assert "/whatsapp" in texts(telegram_api.sent(1102))
