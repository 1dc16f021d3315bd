"""Provider rate limits: Telegram 30/s per bot and 1/s per chat, WhatsApp per sender number.

Each limit is a pyrate-limiter GCRA bucket: in memory for one process, in Redis (shared by every
worker process) when REDIS_URL is set. Buckets run at SAFETY of the provider's cap with a tiny
burst, so messages leave evenly spaced and network jitter of a few tens of milliseconds never
makes the provider count more than its cap in any one-second window. A provider's retry-after
blocks the key for exactly that long.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from typing import TypeVar

from pyrate_limiter import GCRA, Rate, RateItem, StateBucket
from pyrate_limiter.buckets import InMemoryStateStore, RedisStateStore
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from ita_rent_bot.channels.base import Recipient
from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

SAFETY = 0.97  # share of the provider's cap we use; the rest absorbs network jitter
BURST_SHARE = 0.01  # catch-up credit for a late timer, as a share of the per-second rate
MAX_LOCAL_KEYS = 20_000  # in-memory buckets kept before idle ones are dropped
REDIS_CONNECTIONS = 32
REDIS_RETRY_SECONDS = 0.5

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RateKey:
    """One limit: `key` names what is counted (a bot, a chat, a sender), `per_second` its cap.

    `from_answer`: the spacing also counts from the provider's answer, not only from when the
    message left (for a chat, where messages go one at a time): however slow one request is, the
    next one reaches the provider a full interval after it.
    """

    key: str
    per_second: float
    from_answer: bool = False

    @property
    def spacing_seconds(self) -> float:
        return 1 / (self.per_second * SAFETY)

    def rate(self) -> Rate:
        limit = max(1, int(self.per_second))
        interval_ms = math.ceil(1000 * limit / (self.per_second * SAFETY))
        burst = max(1, int(self.per_second * BURST_SHARE))
        return Rate(limit, interval_ms, burst=burst)


def keys_for(channel: str, recipient: Recipient, settings: Settings) -> list[RateKey]:
    """The limits one message to `recipient` counts against, narrowest first."""
    if channel == "telegram":
        return [
            RateKey(
                f"telegram:chat:{recipient.address}", settings.telegram_chat_mps, from_answer=True
            ),
            RateKey("telegram:bot", settings.telegram_global_mps),
        ]
    if channel == "whatsapp":
        sender = recipient.sender or "default"
        return [RateKey(f"whatsapp:sender:{sender}", settings.whatsapp_sender_mps)]
    return []


async def _resolve(value: T | Awaitable[T]) -> T:
    if isawaitable(value):
        return await value
    return value


class RateLimits:
    """Waits until a message may go out under every limit it counts against."""

    def __init__(self, redis: Redis | None = None, *, prefix: str = "ita_rent_bot:rl:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._algorithm = GCRA()
        self._buckets: dict[str, StateBucket] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._blocked_until: dict[str, float] = {}  # in-memory blocks, monotonic seconds

    @classmethod
    def from_settings(cls, settings: Settings, *, scope: str = "default") -> RateLimits:
        """In Redis when REDIS_URL is set; `scope` keeps one deployment's buckets its own.

        The pool is bounded and waits for a free connection, so a thousand users sent to at
        once queue for Redis instead of failing."""
        if not settings.redis_url:
            return cls(None)
        pool = BlockingConnectionPool.from_url(
            settings.redis_url, max_connections=REDIS_CONNECTIONS, timeout=None
        )
        return cls(Redis(connection_pool=pool), prefix=f"ita_rent_bot:{scope}:rl:")

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()

    def _now_ms(self) -> int:
        """Wall-clock milliseconds when state is shared between processes, else monotonic."""
        return (time.time_ns() if self.redis is not None else time.monotonic_ns()) // 1_000_000

    def _bucket(self, key: RateKey) -> StateBucket:
        bucket = self._buckets.get(key.key)
        if bucket is None:
            if len(self._buckets) >= MAX_LOCAL_KEYS:
                self._prune()
            if self.redis is not None:
                store: RedisStateStore | InMemoryStateStore = RedisStateStore(
                    self.redis, key=self.prefix + key.key
                )
            else:
                store = InMemoryStateStore()
            bucket = StateBucket([key.rate()], algorithm=self._algorithm, store=store)
            self._buckets[key.key] = bucket
        return bucket

    def _prune(self) -> None:
        """Drop buckets with nothing owed (in Redis the state stays; here it has expired)."""
        for name, bucket in list(self._buckets.items()):
            if self.redis is not None or bucket.count() == 0:
                del self._buckets[name]

    async def _try(self, key: RateKey) -> float:
        """Take one unit if the key admits it now; else the seconds until it would (0: taken)."""
        bucket = self._bucket(key)
        item = RateItem(key.key, self._now_ms())
        if await _resolve(bucket.put(item)):
            return 0.0
        wait_ms = await _resolve(bucket.waiting(item))
        return max(wait_ms, 1) / 1000

    async def _peek(self, key: RateKey) -> float:
        """Seconds until the key would admit one unit, spending nothing."""
        bucket = self._bucket(key)
        rates = bucket.rates
        state = await _resolve(bucket.store.read(self._algorithm, rates))
        _, decision = self._algorithm.step(rates, state, self._now_ms(), 1)
        if decision.allowed:
            return 0.0
        return (decision.retry_after_ms or 1) / 1000

    async def _take(self, key: RateKey) -> None:
        """Wait for one unit of a shared key; one waiter per process polls it at a time."""
        lock = self._locks.setdefault(key.key, asyncio.Lock())
        async with lock:
            # the bucket may live in Redis, changed by other processes: poll it at its own pace
            while (wait := await self._try(key)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)

    async def blocked_for(self, *keys: RateKey) -> float:
        """Seconds left on any of these keys' holds (a retry-after, an answer spacing)."""
        if self.redis is not None:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.pttl(self.prefix + "block:" + key.key)
                ttls = await pipe.execute()
            return max([0, *(int(t) for t in ttls)]) / 1000
        now = time.monotonic()
        return max([0.0, *(self._blocked_until.get(k.key, 0.0) - now for k in keys)])

    async def block(self, key: RateKey, seconds: float) -> None:
        """Hold every message counted against `key` for `seconds` (a provider's retry-after).

        Never raises: losing a hold to a Redis hiccup is better than re-sending a message."""
        try:
            await self._block(key, seconds)
        except (RedisError, OSError) as exc:
            log.warning("rate limit: could not record a hold", key=key.key, error=repr(exc))

    async def _block(self, key: RateKey, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.redis is not None:
            name = self.prefix + "block:" + key.key
            ms = math.ceil(seconds * 1000)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(name, 1, px=ms, nx=True)
                pipe.pexpire(name, ms, gt=True)
                await pipe.execute()
            return
        now = time.monotonic()
        if len(self._blocked_until) >= MAX_LOCAL_KEYS:
            self._blocked_until = {k: t for k, t in self._blocked_until.items() if t > now}
        until = now + seconds
        self._blocked_until[key.key] = max(until, self._blocked_until.get(key.key, 0.0))

    async def answered(self, keys: Sequence[RateKey]) -> None:
        """The provider answered a message counted against `keys`: start their answer spacing."""
        for key in keys:
            if key.from_answer:
                await self.block(key, key.spacing_seconds)

    async def acquire(self, keys: Sequence[RateKey]) -> float:
        """Wait until one message may go out under every key; returns the seconds waited.

        The narrowest key (a chat) is checked before the shared ones are spent and taken right
        after them, so a message waiting for the bot-wide rate never shifts its chat's spacing.
        If Redis fails, this waits and tries again rather than send past the provider's limits.
        """
        started = time.monotonic()
        while True:
            try:
                await self._acquire(keys)
            except (RedisError, OSError) as exc:
                log.warning("rate limit store unreachable, waiting", error=repr(exc))
                await asyncio.sleep(REDIS_RETRY_SECONDS)
                continue
            return time.monotonic() - started

    async def _acquire(self, keys: Sequence[RateKey]) -> None:
        if not keys:
            return
        narrow, wide = keys[0], keys[1:]
        while True:
            blocked = await self.blocked_for(*keys)
            if blocked > 0:
                await asyncio.sleep(blocked)
                continue
            if not wide:
                await self._take(narrow)
                return
            wait = await self._peek(narrow)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            for key in wide:
                await self._take(key)
            if await self._try(narrow) == 0:
                break
            # another process took this chat's slot in between: the wide units are spent
