"""Multi-process fixtures: a migrated PostgreSQL database of its own, real `ita-rent-bot`
processes with their logs in files, and a fast way to write a burst of deliveries."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import PG_ADMIN_URL, REDIS_URL, require_server
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine, utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.migrate import upgrade_to_head
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User
from ita_rent_bot.worker.broker import deployment_scope

CLI = Path(sys.executable).parent / "ita-rent-bot"
READY_SECONDS = 120.0  # imports alone take seconds on a busy 2-core machine


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


@pytest.fixture
async def migrated_postgres() -> AsyncIterator[str]:
    """A fresh database, migrated like production (workers refuse an unmigrated one)."""
    require_server("PostgreSQL", "127.0.0.1", 5432)
    require_server("Redis", "127.0.0.1", 6379)
    name = f"itarb_mp_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    engine = create_engine(settings)
    await upgrade_to_head(engine, settings)
    await engine.dispose()
    yield url
    redis = Redis.from_url(REDIS_URL)
    keys = [k async for k in redis.scan_iter(f"ita_rent_bot:{deployment_scope(settings)}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Spawned:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("event") == event]

    async def ready(self, event: str) -> None:
        async with asyncio.timeout(READY_SECONDS):
            while not self.events(event):
                if self.process.returncode is not None:
                    raise AssertionError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
                await asyncio.sleep(0.2)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(20):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
        await self.process.wait()


async def spawn(name: str, args: list[str], env: dict[str, str], folder: Path) -> Spawned:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(CLI), *args, env=env, cwd=folder, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    return Spawned(name, process, log)


def process_env(database_url: str, **settings: object) -> dict[str, str]:
    """The environment of a worker: only what it needs, JSON logs, no .env from anywhere."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "LOG_JSON": "true",
            "LOG_LEVEL": "INFO",
            "CRAWL_ENABLED": "false",
        }
    )
    env.update({key.upper(): str(value) for key, value in settings.items()})
    return env


async def insert_burst(database_url: str, *, users: int, per_user: int, first_chat: int) -> None:
    """`users` Telegram users with one search each and `per_user` pending deliveries each."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    engine = create_engine(settings)
    now = utcnow()
    user_rows = [
        {"id": i, "telegram_chat_id": first_chat + i, "language": "en", "created_at": now}
        for i in range(1, users + 1)
    ]
    search_rows = [
        {"id": i, "user_id": i, "name": f"s{i}", "city": "roma"} for i in range(1, users + 1)
    ]
    listing_rows = []
    delivery_rows = []
    for i in range(1, users + 1):
        for j in range(per_user):
            lid = (i - 1) * per_user + j + 1
            listing_rows.append(
                {
                    "id": lid,
                    "source": "subito",
                    "source_id": f"b{lid}",
                    "url": f"https://www.subito.it/appartamenti/burst-{lid}.htm",
                    "title": f"Burst {lid}",
                    "price_eur": 800,
                    "photos": [],
                }
            )
            delivery_rows.append(
                {
                    "user_id": i,
                    "listing_id": lid,
                    "filter_id": i,
                    "channel": "telegram",
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
    async with engine.begin() as conn:
        for table, rows in (
            (User.__table__, user_rows),
            (SearchFilter.__table__, search_rows),
            (Listing.__table__, listing_rows),
            (Delivery.__table__, delivery_rows),
        ):
            await conn.execute(insert(table), rows)
    await engine.dispose()
