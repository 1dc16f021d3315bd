"""Delivery benchmark: throughput against a provider's cap, 429s, and idle ingest-to-send latency.

    .venv/bin/python bench/deliver.py [--messages 5000] [--cap 200] [--chat-cap 1] [--probes 50]

One worker process as `ita-rent-bot run` assembles it (SQLite, in-memory rate limits and broker)
with the real aiogram client, and the fake Telegram Bot API (tests/fakes) in a process of its own,
like a remote provider, enforcing the caps over any sliding one-second window (429 past them).
Figures, with the issue's targets:
  - achieved throughput as a share of the global cap (target >= 95%)
  - 429 answers received (target 0)
  - time from a listing's ingest to its first provider call, at idle (target p99 <= 1 s)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes.telegram_api import TOKEN  # noqa: E402
from ita_rent_bot.app_state import AppState  # noqa: E402
from ita_rent_bot.config import Settings  # noqa: E402
from ita_rent_bot.db import unit_of_work, utcnow  # noqa: E402
from ita_rent_bot.filters.models import SearchFilter  # noqa: E402
from ita_rent_bot.listings import service as listings  # noqa: E402
from ita_rent_bot.listings.models import Listing  # noqa: E402
from ita_rent_bot.listings.schemas import ListingData  # noqa: E402
from ita_rent_bot.log import configure_logging  # noqa: E402
from ita_rent_bot.models import Base  # noqa: E402
from ita_rent_bot.notifications.models import PENDING, SENDING, Delivery  # noqa: E402
from ita_rent_bot.users.models import User  # noqa: E402
from ita_rent_bot.worker.process import WorkerProcess  # noqa: E402

PER_USER = 5
RESET_SEQUENCES = (
    "SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users",
    "SELECT setval(pg_get_serial_sequence('search_filters', 'id'), max(id)) FROM search_filters",
    "SELECT setval(pg_get_serial_sequence('listings', 'id'), max(id)) FROM listings",
)  # messages per chat in the burst, so the per-chat cap is exercised too


async def add_burst(state: AppState, messages: int) -> None:
    users = -(-messages // PER_USER)
    now = utcnow()
    user_rows = [
        {"id": i, "telegram_chat_id": 10_000 + i, "language": "en"} for i in range(1, users + 1)
    ]
    search_rows = [
        {"id": i, "user_id": i, "name": "bench", "city": "torino"} for i in range(1, users + 1)
    ]
    listing_rows, delivery_rows = [], []
    for n in range(messages):
        user, lid = n % users + 1, n + 1
        listing_rows.append(
            {
                "id": lid,
                "source": "subito",
                "source_id": f"bench-{lid}",
                "url": f"https://www.subito.it/appartamenti/bench-{lid}.htm",
                "title": f"Bilocale {lid}",
                "price_eur": 700 + lid % 500,
                "rooms": 2,
                "area_m2": 50,
                "city": "torino",
                "photos": [],
            }
        )
        delivery_rows.append(
            {
                "user_id": user,
                "listing_id": lid,
                "filter_id": user,
                "channel": "telegram",
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    async with state.engine.begin() as conn:
        for table, rows in (
            (User.__table__, user_rows),
            (SearchFilter.__table__, search_rows),
            (Listing.__table__, listing_rows),
            (Delivery.__table__, delivery_rows),
        ):
            for start in range(0, len(rows), 1000):
                await conn.execute(insert(table), rows[start : start + 1000])
        if conn.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for statement in RESET_SEQUENCES:
                await conn.execute(text(statement))


async def outstanding(state: AppState) -> int:
    async with state.session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status.in_([PENDING, SENDING]))
        )
    return int(count or 0)


class RemoteFake:
    """The fake Telegram server in a process of its own, as a provider would be."""

    def __init__(self, cap: int, chat_cap: int) -> None:
        self.args = ["--global-cap", str(cap), "--chat-cap", str(chat_cap)]
        self.process: asyncio.subprocess.Process | None = None
        self.base_url = ""
        self.http = httpx.AsyncClient(timeout=30)

    async def __aenter__(self) -> RemoteFake:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "tests" / "fakes" / "telegram_api.py"), *self.args,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.base_url = (await self.process.stdout.readline()).decode().strip()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        answer = await self.http.get(f"{self.base_url}/_fake/calls", params={"since": since})
        calls: list[dict[str, Any]] = answer.json()
        return calls


async def burst(state: AppState, process: WorkerProcess, messages: int) -> None:
    await add_burst(state, messages)
    assert process.engine is not None
    process.engine.wake()
    await asyncio.sleep(1.0)
    while await outstanding(state):  # noqa: ASYNC110 - the database is polled, not awaited
        await asyncio.sleep(0.2)


async def probe_latency(
    state: AppState, process: WorkerProcess, fake: RemoteFake, probes: int
) -> list[float]:
    """Each probe: a new listing exactly one probe user's search wants, timed from the start of
    its ingest (ingest, match, commit) to the fake's first call for that user."""
    assert process.pipeline is not None
    async with unit_of_work(state.session_factory) as session:
        for i in range(probes):
            user = User(telegram_chat_id=900_000 + i, language="en")
            session.add(user)
            await session.flush()
            words = [f"p{i:04d}q"]
            session.add(
                SearchFilter(user_id=user.id, name="probe", city="milano", include_words=words)
            )
    await asyncio.sleep(1.0)  # idle: nothing claimed, nothing in flight
    seen = len(await fake.calls())
    latencies = []
    for i in range(probes):
        item = ListingData(
            source="idealista",
            source_id=f"probe-{i}",
            url=f"https://www.idealista.it/immobile/probe-{i}/",
            title=f"Trilocale p{i:04d}q",
            price_eur=1000,
            rooms=3,
            city="milano",
        )
        started = time.monotonic()
        async with unit_of_work(state.session_factory) as session:
            result = await listings.ingest(session, [item], now=utcnow())
            await process.pipeline.after_ingest(session, result)
        while not (new := await fake.calls(seen)):  # noqa: ASYNC110 - another process's calls
            await asyncio.sleep(0.01)
        seen += len(new)
        latencies.append(new[0]["at"] - started)
        await asyncio.sleep(0.25)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def most_in_window(times: list[float], seconds: float = 1.0) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


async def main(
    messages: int, cap: int, chat_cap: int, probes: int, database_url: str | None = None
) -> None:
    configure_logging("WARNING")
    async with RemoteFake(cap, chat_cap) as fake:
        with tempfile.TemporaryDirectory(prefix="ita-bench-") as folder:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                database_url=database_url or f"sqlite+aiosqlite:///{folder}/bench.db",
                telegram_bot_token=TOKEN,
                telegram_api_base_url=fake.base_url,
                telegram_global_mps=cap,
                telegram_chat_mps=chat_cap,
                crawl_enabled=False,
                log_level="WARNING",
            )
            state = AppState.create(settings)
            async with state.engine.begin() as conn:
                await conn.run_sync(Base.metadata.drop_all)
                await conn.run_sync(Base.metadata.create_all)
            process = WorkerProcess.embedded(state)
            await process.start()
            gc.freeze()  # as `ita-rent-bot run` does once it has started
            try:
                await burst(state, process, messages)
                calls = await fake.calls()
                latencies = await probe_latency(state, process, fake, probes)
            finally:
                await process.stop()
                await state.aclose()
    sent = sorted(c["at"] for c in calls if c["status"] == 200)
    rejected = [c for c in calls if c["status"] == 429]
    throughput = (len(sent) - 1) / (sent[-1] - sent[0])
    share = throughput / cap
    p99 = percentile(latencies, 0.99)
    met = {True: "met", False: "NOT met"}
    print(
        f"deliver: {messages} messages to {-(-messages // PER_USER)} chats; the fake (its own "
        f"process) caps {cap}/s per bot, {chat_cap}/s per chat; one worker process as `run` "
        f"builds it ({'PostgreSQL' if database_url else 'SQLite'}, in-memory limits)"
    )
    print(
        f"  throughput   {throughput:6.1f} msg/s = {share:.1%} of the cap"
        f"  (target >= 95%: {met[share >= 0.95]})"
    )
    caps = Counter(str(c["cap"]) for c in rejected)
    print(
        f"  429 answers  {len(rejected):6d}  (target 0: {met[not rejected]}; bot cap "
        f"{caps['global']}, chat cap {caps['chat']})"
    )
    print(f"  busiest 1 s  {most_in_window(sent):6d}  sends counted at the fake (cap {cap})")
    print(
        f"  ingest -> first provider call at idle, {len(latencies)} listings: p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms (target p99 <= 1 s: {met[p99 <= 1.0]})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--cap", type=int, default=200, help="global messages per second")
    parser.add_argument("--chat-cap", type=int, default=1, help="messages per second per chat")
    parser.add_argument("--probes", type=int, default=50, help="listings timed at idle")
    parser.add_argument(
        "--database-url", help="a scratch database (its tables are dropped); default SQLite"
    )
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.cap, args.chat_cap, args.probes, args.database_url))
