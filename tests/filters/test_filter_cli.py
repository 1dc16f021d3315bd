"""`ita-rent-bot filters ...`: operators add, list, pause, resume and delete a user's searches."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ita_rent_bot.cli import app
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, create_session_factory, unit_of_work
from ita_rent_bot.users.models import User

CHAT = 4242


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A migrated SQLite database with one user (id 1, Telegram chat 4242)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # no stray .env
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0

    async def add_user() -> None:
        engine = create_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        async with unit_of_work(create_session_factory(engine)) as s:
            s.add(User(id=1, telegram_chat_id=CHAT))
        await engine.dispose()

    asyncio.run(add_user())
    return runner


def test_add_list_pause_resume_delete(cli: CliRunner) -> None:
    added = cli.invoke(
        app,
        [
            "filters", "add", "--telegram-chat-id", str(CHAT), "--name", "Near Termini",
            "--city", "Рим", "--zone", "Esquilino", "--zone", "Monti", "--source", "subito",
            "--price-min", "700", "--price-max", "1.400", "--rooms-min", "2",
            "--include-word", "balcone", "--exclude-word", "seminterrato", "--with-photos",
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert added.stdout.startswith("added #1")
    assert "Roma" in added.stdout

    listed = cli.invoke(app, ["filters", "list", "--user-id", "1", "--json"])
    assert listed.exit_code == 0
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["city"] == "roma"
    assert row["zones"] == ["Esquilino", "Monti"]
    assert (row["price_min"], row["price_max"], row["rooms_min"]) == (700, 1400, 2)
    assert (row["with_photos"], row["paused"]) == (True, False)

    assert cli.invoke(app, ["filters", "pause", "1", "--user-id", "1"]).exit_code == 0
    text = cli.invoke(app, ["filters", "list", "--user-id", "1"]).stdout
    assert "paused" in text
    assert cli.invoke(app, ["filters", "resume", "1", "--user-id", "1"]).exit_code == 0
    assert "paused" not in cli.invoke(app, ["filters", "list", "--user-id", "1"]).stdout

    deleted = cli.invoke(app, ["filters", "delete", "1", "--user-id", "1"])
    assert (deleted.exit_code, deleted.stdout.strip()) == (0, "deleted search #1")
    assert cli.invoke(app, ["filters", "list", "--user-id", "1"]).stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--user-id", "1", "--name", "x", "--city", "Atlantis"], "unknown city"),
        (["add", "--user-id", "1", "--city", "Roma"], "Name: is required"),
        (["add", "--user-id", "1", "--name", "x", "--city", "Roma", "--price-min", "2000",
          "--price-max", "1000"], "minimum 2000 is above the maximum 1000"),
        (["add", "--user-id", "1", "--name", "x", "--city", "Roma", "--rooms-min", "two"],
         "is not a number"),
        (["add", "--user-id", "1", "--name", "x", "--city", "Roma", "--source", "ebay"],
         "must be one of: subito, immobiliare, idealista"),
        (["add", "--user-id", "7", "--name", "x", "--city", "Roma"], "no such user"),
        (["add", "--name", "x", "--city", "Roma"], "exactly one of"),
        (["list", "--user-id", "one"], "not a whole number"),
        (["pause", "99", "--user-id", "1"], "no search #99"),
        (["delete", "x", "--user-id", "1"], "not a whole number"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, ["filters", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
