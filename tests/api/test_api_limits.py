"""Rate limits (per token, per address, much stricter on the WhatsApp code paths) and Redis."""

from __future__ import annotations

import uuid

import pytest
from pyrate_limiter import Duration, Rate
from redis.asyncio import Redis

from ita_rent_bot.api.limits import (
    MemoryBuckets,
    RateLimiter,
    RateLimits,
    RedisBuckets,
    SensitiveLimit,
    token_key,
)

from .conftest import Api, api_settings, bearer, running


def _limits(*, per_token: int = 1000, per_address: int = 1000) -> RateLimits:
    return RateLimits(
        per_token=Rate(per_token, Duration.HOUR), per_address=Rate(per_address, Duration.HOUR)
    )


async def test_per_token_limit_answers_429_with_retry_after(api: Api) -> None:
    api.app.state.rate_limiter = RateLimiter(MemoryBuckets(), _limits(per_token=3))
    _, token = await api.user(telegram_chat_id=1)
    _, other_token = await api.user(telegram_chat_id=2)
    for _ in range(3):
        assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 200
    refused = await api.client.get("/api/v1/me", headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert f"{retry_after} s" in refused.json()["error"]["message"]
    # another token from the same address has its own budget
    assert (await api.client.get("/api/v1/me", headers=bearer(other_token))).status_code == 200


async def test_per_address_limit_counts_requests_without_a_token(api: Api) -> None:
    api.app.state.rate_limiter = RateLimiter(MemoryBuckets(), _limits(per_address=2))
    assert (await api.client.get("/api/v1/me")).status_code == 401
    assert (await api.client.get("/api/v1/me", headers=bearer("irb_guess"))).status_code == 401
    refused = await api.client.get("/api/v1/me", headers=bearer("irb_another_guess"))
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


async def test_health_and_docs_are_not_limited(api: Api) -> None:
    api.app.state.rate_limiter = RateLimiter(MemoryBuckets(), _limits(per_address=1))
    for _ in range(3):
        assert (await api.client.get("/health")).status_code == 200
        assert (await api.client.get("/openapi.json")).status_code == 200


async def test_the_whatsapp_code_paths_are_much_stricter_by_default(api: Api) -> None:
    defaults = RateLimits()
    for path in ("link", "verify", "test"):
        sensitive = defaults.sensitive[f"/api/v1/whatsapp/{path}"]
        assert sensitive.per_token.burst * 10 <= defaults.per_token.burst
        assert sensitive.per_token.interval >= defaults.per_token.interval
    _, token = await api.user(telegram_chat_id=1)
    statuses = [
        (await api.client.post("/api/v1/whatsapp/link", headers=bearer(token), json={})).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
    assert 429 not in statuses[:3]
    # the ordinary budget is untouched by the strict one
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 200


async def test_sensitive_paths_have_separate_budgets() -> None:
    limiter = RateLimiter(
        MemoryBuckets(),
        RateLimits(
            sensitive={
                "/api/v1/whatsapp/link": SensitiveLimit(
                    Rate(1, Duration.HOUR), Rate(5, Duration.HOUR)
                ),
                "/api/v1/whatsapp/verify": SensitiveLimit(
                    Rate(2, Duration.HOUR), Rate(5, Duration.HOUR)
                ),
            }
        ),
    )
    token = token_key("Bearer irb_x")
    link, verify = "/api/v1/whatsapp/link", "/api/v1/whatsapp/verify"
    assert await limiter.retry_after(path=link, address="10.0.0.1", token=token) is None
    assert await limiter.retry_after(path=link, address="10.0.0.1", token=token) is not None
    assert await limiter.retry_after(path=verify, address="10.0.0.1", token=token) is None
    assert await limiter.retry_after(path=verify + "/", address="10.0.0.1", token=token) is None
    assert await limiter.retry_after(path=verify, address="10.0.0.1", token=token) is not None
    # the same path for another user (and address) is not affected
    other = token_key("Bearer irb_y")
    assert await limiter.retry_after(path=link, address="10.0.0.2", token=other) is None


def test_token_key_never_keeps_the_token() -> None:
    key = token_key("Bearer irb_secret")
    assert key is not None
    assert "secret" not in key
    assert token_key("Bearer irb_secret") == key
    assert token_key("bearer   irb_secret") == key
    assert token_key("Basic abc") is None
    assert token_key("Bearer ") is None
    assert token_key(None) is None


async def test_memory_buckets_forget_idle_keys() -> None:
    now = [1_000_000]
    buckets = MemoryBuckets(prune_at=10, clock=lambda: now[0])
    rate = Rate(2, Duration.SECOND)
    for n in range(30):
        now[0] += 1000  # each key has drained a second later
        assert await buckets.hit(f"k{n}", rate) is None
        assert await buckets.hit(f"k{n}", rate) is None
        assert await buckets.hit(f"k{n}", rate) is not None  # full while it is fresh
    assert len(buckets) <= 11


@pytest.mark.redis
async def test_redis_buckets_are_shared_by_replicas(require_redis: str) -> None:
    rate = Rate(2, Duration.HOUR)
    key = f"test-{uuid.uuid4().hex}"
    first, second = RedisBuckets.from_url(require_redis), RedisBuckets.from_url(require_redis)
    try:
        assert await first.hit(key, rate) is None
        assert await second.hit(key, rate) is None
        wait_ms = await first.hit(key, rate)
        assert wait_ms is not None
        assert 0 < wait_ms <= Duration.HOUR.value
        assert await second.hit(key, rate) is not None
        client = Redis.from_url(require_redis)
        try:
            ttl = await client.pttl("itarb:api-rl:" + key)
            assert 0 < ttl <= 2 * Duration.HOUR.value  # idle keys expire on their own
        finally:
            await client.aclose()
    finally:
        await first.aclose()
        await second.aclose()


@pytest.mark.redis
async def test_the_app_uses_redis_when_redis_url_is_set(
    require_redis: str, sqlite_engine: object, sqlite_url: str
) -> None:
    settings = api_settings(sqlite_url, redis_url=require_redis)
    async with running(settings) as first, running(settings) as second:
        assert isinstance(first.app.state.rate_limiter.buckets, RedisBuckets)
        user, token = await first.user(telegram_chat_id=int(uuid.uuid4().int % 10**9))
        limits = _limits(per_token=2)
        first.app.state.rate_limiter.limits = limits
        second.app.state.rate_limiter.limits = limits
        assert (await first.client.get("/api/v1/me", headers=bearer(token))).status_code == 200
        assert (await second.client.get("/api/v1/me", headers=bearer(token))).status_code == 200
        refused = await first.client.get("/api/v1/me", headers=bearer(token))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert user.id


async def test_an_unreachable_redis_lets_requests_through(api: Api) -> None:
    api.app.state.rate_limiter = RateLimiter(RedisBuckets.from_url("redis://127.0.0.1:1/0"))
    _, token = await api.user(telegram_chat_id=1)
    response = await api.client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    await api.app.state.rate_limiter.aclose()
