"""`ita-rent-bot worker`, `scheduler` and `run --demo` as a user meets them."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ita_rent_bot.cli import app
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory
from ita_rent_bot.migrate import upgrade_to_head
from ita_rent_bot.notifications.models import SENT
from ita_rent_bot.worker.cli import _serve
from ita_rent_bot.worker.process import WorkerProcess
from notifications.builders import add_world, statuses

runner = CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials from the machine; a database of the test's own; no .env read."""
    for name in list(os.environ):
        if name.startswith(("WHATSAPP_", "TWILIO_", "TELEGRAM_", "BROKER_", "REDIS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_a_whatsapp_worker_without_whatsapp_says_so(clean_env: Path) -> None:
    result = runner.invoke(app, ["worker", "--channel", "whatsapp"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: WHATSAPP_ENABLED is not true: a WhatsApp worker would have nothing to send"
    )


def test_an_unknown_channel_is_refused(clean_env: Path) -> None:
    result = runner.invoke(app, ["worker", "--channel", "sms"])
    assert result.exit_code == 2
    flat = " ".join(result.output.replace("│", " ").split())
    assert "'sms' is not one of 'telegram', 'whatsapp'" in flat


def test_a_separate_scheduler_needs_a_broker(clean_env: Path) -> None:
    result = runner.invoke(app, ["scheduler"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: BROKER_URL is not set: a separate scheduler needs a shared broker (redis://...)"
    )


def test_a_worker_refuses_an_unmigrated_database(clean_env: Path) -> None:
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "error: the database is not migrated: run `ita-rent-bot migrate` first" in result.output


def test_run_demo_shows_the_cards_and_the_digest(clean_env: Path) -> None:
    result = runner.invoke(app, ["run", "--demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("── telegram → 100001") == 4
    assert out.count("── whatsapp → +393330000001") == 1
    assert "Appartamento <ristrutturato> & silenzioso" in out  # escaped for HTML, shown plain
    assert "[Open → https://www.idealista.it/immobile/demo-101/] [Save] [Hide]" in out
    assert "📊 Found: 4 listings" in out
    assert "Done: 4 Telegram cards and 1 WhatsApp digest for the 4 listings that match" in out
    assert not (clean_env / "data").exists()  # the demo's database was a throwaway


async def test_a_worker_on_sqlite_sends_to_the_console_and_stops_on_sigterm(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=sqlite_url, debug_notifications=True
    )
    engine = create_engine(settings)
    await upgrade_to_head(engine, settings)
    factory = create_session_factory(engine)
    await add_world(factory, users=1, listings_per_user=2)
    serving = asyncio.create_task(_serve(settings, lambda state: WorkerProcess.worker(state, None)))
    try:
        async with asyncio.timeout(60):
            while (await statuses(factory)).get(SENT) != 2:  # noqa: ASYNC110 - polling the db
                await asyncio.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(serving, 30)
    finally:
        serving.cancel()
        await engine.dispose()
    out = capsys.readouterr().out
    assert out.count("── telegram → ") == 2
    assert "🌐 immobiliare.it" in out
