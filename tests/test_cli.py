"""The `ita-rent-bot` command as a user runs it: a real process, its exit code and output."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ita_rent_bot import __version__
from ita_rent_bot.serving import connection_spread

CLI = [sys.executable, "-m", "ita_rent_bot"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "TWILIO_", "TELEGRAM_"))
    }
    env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}, **extra)
    return env


def _run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=tmp_path,
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ita-rent-bot {__version__}"


def test_migrate_twice_changes_nothing(tmp_path: Path) -> None:
    first = _run(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "database at revision" in first.stdout
    db = (tmp_path / "cli.db").read_bytes()
    second = _run(tmp_path, "migrate")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert len((tmp_path / "cli.db").read_bytes()) == len(db)


def test_default_database_lives_under_data(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env.pop("DATABASE_URL")
    result = subprocess.run(
        [*CLI, "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "ita_rent_bot.db").exists()


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        (
            {"WHATSAPP_NOTIFICATION_INTERVAL_SECONDS": "soon"},
            "WHATSAPP_NOTIFICATION_INTERVAL_SECONDS",
        ),
        (
            {"WHATSAPP_ENABLED": "true", "TWILIO_AUTH_TOKEN": "fake-secret-abcdef123456"},
            "WHATSAPP_PHONE_NUMBER_ID",
        ),
        (
            {
                "WHATSAPP_API_URL": "localhost:4010",
                "WHATSAPP_API_TOKEN": "fake-secret-abcdef123456",
            },
            "WHATSAPP_API_URL",
        ),
    ],
)
def test_bad_settings_one_line_no_secret(
    tmp_path: Path, extra: dict[str, str], variable: str
) -> None:
    result = _run(tmp_path, "migrate", **extra)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert "fake-secret-abcdef123456" not in result.stderr + result.stdout


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    port = _free_port()
    result = _run(
        tmp_path, "migrate", DATABASE_URL=f"postgresql+asyncpg://nobody@127.0.0.1:{port}/x"
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_run_serves_health_ready_docs_and_says_which_channels_are_off(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "run", "--port", str(port)],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, "run exited early"
                assert time.monotonic() < deadline, "run did not start serving"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
        assert ready.status_code == 200
        assert ready.json()["ready"] is True
        assert ready.json()["migrations"]["ok"] is True
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
        time.sleep(1)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert "channel telegram: off" in output
    assert "TELEGRAM_BOT_TOKEN is not set" in output
    assert "channel whatsapp: off" in output
    assert "Traceback" not in output


def test_several_api_processes_need_the_workers_outside(tmp_path: Path) -> None:
    result = _run(tmp_path, "run", "--workers", "2")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: 2 API processes need EMBEDDED_WORKERS=false (each would send on its own rate "
        "limits): run `ita-rent-bot worker` and `ita-rent-bot scheduler` beside them"
    ]


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


async def _burst(port: int, count: int) -> list[asyncio.StreamWriter]:
    """`count` connections opened at once, each answered once and kept open."""

    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        assert (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).startswith(
            b"HTTP/1.1 200"
        )
        return writer

    return await asyncio.gather(*(one() for _ in range(count)))


def test_run_serves_from_several_processes_with_even_connections(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*CLI, "run", "--port", str(port)],
            cwd=tmp_path,
            env=_env(tmp_path, API_WORKERS="2", EMBEDDED_WORKERS="false", LOG_LEVEL="INFO"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "run did not start both processes"
            time.sleep(0.2)
        for _ in range(20):  # a new connection each time
            ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
            assert ready.status_code == 200
        servers = [c for c in _children(proc.pid) if "multiprocessing.spawn" in c]
        assert len(servers) == 2, _children(proc.pid)

        async def burst_then_spread() -> list[int]:
            writers = await _burst(port, 40)
            try:
                return connection_spread(proc.pid, port)
            finally:
                for writer in writers:
                    writer.close()

        spread = asyncio.run(burst_then_spread())
        assert len(spread) == 2
        assert sum(spread) == 40
        assert spread[0] - spread[1] <= 4, spread  # without serving: 31/9 and 39/1 seen
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert "Traceback" not in log.read_text()
