"""Rate limits: never more than the cap in any one-second window, in memory and shared in Redis."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis

from ita_rent_bot.channels.base import Recipient
from ita_rent_bot.config import Settings
from ita_rent_bot.notifications.limits import SAFETY, RateKey, RateLimits, keys_for


def most_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@given(per_second=st.floats(min_value=0.05, max_value=5000))
def test_a_rate_never_allows_more_than_its_cap_per_second(per_second: float) -> None:
    rate = RateKey("k", per_second).rate()
    emission_ms = rate.interval / rate.limit
    # GCRA admits `burst` at once, then one per emission interval: the most any second sees
    most_in_a_second = rate.burst + math.floor(1000 / emission_ms)
    assert most_in_a_second <= max(1, math.ceil(per_second))
    assert 1000 / emission_ms <= per_second * SAFETY + 1e-6


def test_keys_name_the_bot_the_chat_and_the_sender(settings: Settings) -> None:
    telegram = keys_for("telegram", Recipient(1, "42"), settings)
    assert [k.key for k in telegram] == ["telegram:chat:42", "telegram:bot"]
    assert [k.per_second for k in telegram] == [1.0, 30.0]
    whatsapp = keys_for(
        "whatsapp", Recipient(1, "+393331234567", sender="whatsapp:+1415"), settings
    )
    assert [k.key for k in whatsapp] == ["whatsapp:sender:whatsapp:+1415"]
    assert keys_for("console", Recipient(1, "x"), settings) == []


async def _burst(limits: RateLimits, keys: list[RateKey], count: int, times: list[float]) -> None:
    for _ in range(count):
        await limits.acquire(keys)
        times.append(time.monotonic())


async def test_in_memory_limits_hold_the_global_and_chat_caps() -> None:
    limits = RateLimits()
    bot = RateKey("telegram:bot", 40)
    times: dict[str, list[float]] = {}
    tasks = []
    for chat in range(10):
        times[str(chat)] = []
        keys = [RateKey(f"telegram:chat:{chat}", 4), bot]
        tasks.append(_burst(limits, keys, 6, times[str(chat)]))
    await asyncio.gather(*tasks)
    every = [t for chat_times in times.values() for t in chat_times]
    assert len(every) == 60
    assert most_in_window(every) <= 40
    assert all(most_in_window(chat_times) <= 4 for chat_times in times.values())


async def test_retry_after_blocks_the_key_for_that_long() -> None:
    limits = RateLimits()
    key = RateKey("telegram:chat:1", 100)
    await limits.block(key, 0.3)
    assert 0.2 < await limits.blocked_for(key) <= 0.3
    waited = await limits.acquire([key])
    assert waited >= 0.29


async def test_a_chats_spacing_also_counts_from_the_answer() -> None:
    limits = RateLimits()
    chat = RateKey("telegram:chat:9", 10, from_answer=True)  # 0.103 s apart
    await limits.acquire([chat])
    await asyncio.sleep(0.3)  # a slow provider: the answer comes well after the spacing
    await limits.answered([chat])
    waited = await limits.acquire([chat])
    assert waited >= chat.spacing_seconds * 0.9
    bot = RateKey("telegram:bot", 10)
    await limits.answered([bot])  # a shared key is not spaced from answers
    assert await limits.blocked_for(bot) == 0


@pytest.fixture
async def shared_redis(require_redis: str) -> AsyncIterator[tuple[Redis, str]]:
    redis = Redis.from_url(require_redis)
    prefix = f"test:{uuid.uuid4().hex}:"
    yield redis, prefix
    keys = [k async for k in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@pytest.mark.redis
async def test_two_processes_share_one_budget_through_redis(
    shared_redis: tuple[Redis, str],
) -> None:
    redis, prefix = shared_redis
    first, second = RateLimits(redis, prefix=prefix), RateLimits(redis, prefix=prefix)
    bot = RateKey("telegram:bot", 30)
    times: list[float] = []

    async def worker(limits: RateLimits, chats: range) -> None:
        for chat in chats:
            await limits.acquire([RateKey(f"telegram:chat:{chat}", 1), bot])
            times.append(time.monotonic())

    await asyncio.gather(worker(first, range(0, 30)), worker(second, range(30, 60)))
    assert len(times) == 60
    assert most_in_window(times) <= 30


@pytest.mark.redis
async def test_a_chat_taken_by_another_process_is_waited_for(
    shared_redis: tuple[Redis, str],
) -> None:
    redis, prefix = shared_redis
    first, second = RateLimits(redis, prefix=prefix), RateLimits(redis, prefix=prefix)
    chat = RateKey("telegram:chat:7", 2)
    bot = RateKey("telegram:bot", 1000)
    times: list[float] = []

    async def send(limits: RateLimits) -> None:
        for _ in range(3):
            await limits.acquire([chat, bot])
            times.append(time.monotonic())

    await asyncio.gather(send(first), send(second))
    assert most_in_window(times) <= 2
    await second.block(chat, 0.2)
    assert await first.blocked_for(chat) > 0.1
