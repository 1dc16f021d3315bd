"""Request limits: rate per token and per client address (GCRA from pyrate-limiter), body size.

State lives in this process by default; with REDIS_URL it lives in Redis, shared by every API
replica. `/whatsapp/link`, `/whatsapp/verify` and `/whatsapp/test` have their own much stricter
buckets, so a number cannot be spammed and a code cannot be guessed. A refused request gets 429
with `Retry-After`. If Redis is unreachable the request is let through and a warning logged.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Protocol

from pyrate_limiter import GCRA, Decision, Duration, Rate, RedisStateStore
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ita_rent_bot.api.errors import error_response
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

LIMITED_PREFIXES = ("/api/", "/dashboard")
EXEMPT_PREFIXES = ("/api/v1/webhooks",)  # providers' callbacks are checked by signature instead
REDIS_KEY_PREFIX = "itarb:api-rl:"
MAX_BODY_BYTES = 64 * 1024
MEMORY_PRUNE_AT = 50_000
_ALGORITHM = GCRA()


@dataclass(frozen=True)
class SensitiveLimit:
    per_token: Rate
    per_address: Rate


def _default_sensitive() -> dict[str, SensitiveLimit]:
    ten_minutes = Duration.MINUTE * 10
    return {
        "/api/v1/whatsapp/link": SensitiveLimit(Rate(3, ten_minutes), Rate(10, Duration.HOUR)),
        "/api/v1/whatsapp/verify": SensitiveLimit(Rate(5, ten_minutes), Rate(20, Duration.HOUR)),
        "/api/v1/whatsapp/test": SensitiveLimit(Rate(3, ten_minutes), Rate(10, Duration.HOUR)),
    }


@dataclass(frozen=True)
class RateLimits:
    """Rates (with their bursts) for every API request and for the sensitive paths."""

    per_token: Rate = field(default_factory=lambda: Rate(120, Duration.MINUTE))
    per_address: Rate = field(default_factory=lambda: Rate(300, Duration.MINUTE))
    sensitive: dict[str, SensitiveLimit] = field(default_factory=_default_sensitive)


class Buckets(Protocol):
    async def hit(self, key: str, rate: Rate) -> int | None:
        """Spend one unit; None when admitted, else milliseconds until it would be."""

    async def aclose(self) -> None: ...


def _retry_ms(decision: Decision, rate: Rate) -> int | None:
    if decision.allowed:
        return None
    return decision.retry_after_ms if decision.retry_after_ms is not None else rate.interval


class MemoryBuckets:
    """One GCRA timestamp per key in this process; idle keys are pruned as the table grows."""

    def __init__(
        self, *, prune_at: int = MEMORY_PRUNE_AT, clock: Callable[[], int] | None = None
    ) -> None:
        self._state: dict[str, tuple[float, ...]] = {}
        self.prune_at = prune_at
        self.clock = clock or (lambda: time.monotonic_ns() // 1_000_000)  # milliseconds

    async def hit(self, key: str, rate: Rate) -> int | None:
        now = self.clock()
        state = self._state.get(key) or _ALGORITHM.initial([rate])
        new_state, decision = _ALGORITHM.step([rate], state, now, 1)
        if not decision.allowed:
            return _retry_ms(decision, rate)
        self._state[key] = new_state
        if len(self._state) > self.prune_at:
            self._prune(now)
        return None

    def _prune(self, now_ms: int) -> None:
        now_us = now_ms * 1000
        self._state = {k: s for k, s in self._state.items() if max(s) > now_us}

    def __len__(self) -> int:
        return len(self._state)

    async def aclose(self) -> None:
        self._state.clear()


class RedisBuckets:
    """The same GCRA, run atomically in Redis (a Lua script), so replicas share one budget."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> RedisBuckets:
        return cls(Redis.from_url(url))

    async def hit(self, key: str, rate: Rate) -> int | None:
        store = RedisStateStore(self.client, key=REDIS_KEY_PREFIX + key)
        now_ms = time.time_ns() // 1_000_000
        result = store.check(_ALGORITHM, [rate], now_ms, 1)  # type: ignore[no-untyped-call]
        decision = await result if isawaitable(result) else result
        assert isinstance(decision, Decision)
        return _retry_ms(decision, rate)

    async def aclose(self) -> None:
        await self.client.aclose()


def token_key(authorization: str | None) -> str | None:
    """A short digest of the bearer token (the token itself is never kept)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()[:32]


class RateLimiter:
    def __init__(self, buckets: Buckets, limits: RateLimits | None = None) -> None:
        self.buckets = buckets
        self.limits = limits or RateLimits()

    @classmethod
    def from_redis_url(cls, redis_url: str | None, limits: RateLimits | None = None) -> RateLimiter:
        buckets: Buckets = RedisBuckets.from_url(redis_url) if redis_url else MemoryBuckets()
        return cls(buckets, limits)

    async def retry_after(self, *, path: str, address: str, token: str | None) -> int | None:
        """Seconds to wait when this request is over a limit, else None (and it is counted)."""
        checks = [(f"addr:{address}", self.limits.per_address)]
        if token is not None:
            checks.append((f"token:{token}", self.limits.per_token))
        sensitive = self.limits.sensitive.get(path.rstrip("/"))
        if sensitive is not None:
            name = path.rstrip("/").rsplit("/", 1)[-1]
            checks.append((f"{name}:addr:{address}", sensitive.per_address))
            if token is not None:
                checks.append((f"{name}:token:{token}", sensitive.per_token))
        for key, rate in checks:
            try:
                wait_ms = await self.buckets.hit(key, rate)
            except (RedisError, OSError) as exc:
                log.warning("rate limit store unreachable; request let through", error=exc)
                return None
            if wait_ms is not None:
                return max(1, math.ceil(wait_ms / 1000))
        return None

    async def aclose(self) -> None:
        await self.buckets.aclose()


def limited(path: str) -> bool:
    return path.startswith(LIMITED_PREFIXES) and not path.startswith(EXEMPT_PREFIXES)


class RateLimitMiddleware:
    """Counts every API request before routing; reads the limiter from `app.state.rate_limiter`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter: RateLimiter | None = getattr(scope["app"].state, "rate_limiter", None)
        if scope["type"] != "http" or limiter is None or not limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        wait = await limiter.retry_after(
            path=scope["path"], address=address, token=token_key(authorization)
        )
        if wait is None:
            await self.app(scope, receive, send)
            return
        response = error_response(
            429,
            f"too many requests; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
        await response(scope, receive, send)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit // 1024} KiB")


class BodyLimitMiddleware:
    """Refuses an API body over the limit: at once by Content-Length, else as it streams in.

    Provider webhooks keep their own limit (their batches may be larger)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                exc = BodyTooLarge(self.max_bytes)
                await error_response(413, exc.detail)(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
