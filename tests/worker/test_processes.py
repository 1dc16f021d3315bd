"""Two `ita-rent-bot worker` processes on PostgreSQL and Redis share a burst of 2,000 deliveries:
none goes out twice, and the fake Telegram server never counts more than the bot's cap in any
one-second window (nor more than one message a second in any chat)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fakes.telegram_api import TOKEN, FakeTelegramAPI
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_engine
from ita_rent_bot.notifications.models import SENT, Delivery
from worker.conftest import insert_burst, process_env, spawn

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

GLOBAL_CAP = 300
USERS, PER_USER = 1000, 2


async def sent_rows(database_url: str) -> int:
    engine = create_engine(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == SENT)
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def test_two_workers_send_2000_deliveries_once_within_the_cap(
    migrated_postgres: str, tmp_path: Path
) -> None:
    async with FakeTelegramAPI(global_per_second=GLOBAL_CAP, chat_per_second=1) as fake:
        env = process_env(
            migrated_postgres,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=fake.base_url,
            telegram_global_mps=GLOBAL_CAP,
            telegram_chat_mps=1,
        )
        workers = [await spawn(f"worker{i}", ["worker"], env, tmp_path) for i in (1, 2)]
        try:
            await asyncio.gather(*(w.ready("delivering") for w in workers))
            await insert_burst(migrated_postgres, users=USERS, per_user=PER_USER, first_chat=1)
            async with asyncio.timeout(90):
                while await sent_rows(migrated_postgres) < USERS * PER_USER:  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
        finally:
            for w in workers:
                await w.stop()

    sends = Counter(call.params["text"] for call in fake.sent())
    assert len(sends) == USERS * PER_USER
    assert max(sends.values()) == 1  # none sent twice
    assert fake.capped() == []  # the fake never had to refuse one
    assert fake.max_in_window(1.0) <= GLOBAL_CAP
    assert all(fake.max_in_window(1.0, chat) == 1 for chat in (2, 500, USERS + 1))
    per_worker = [len(w.events("delivery sent")) for w in workers]
    assert sum(per_worker) == USERS * PER_USER
    assert min(per_worker) > 0  # both took part
