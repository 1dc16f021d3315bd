"""The taskiq broker: in memory inside `run`, Redis streams when BROKER_URL is set.

With Redis there is one stream for crawls and one per channel for delivery wake-ups, so
`ita-rent-bot worker --channel whatsapp` hears only WhatsApp's. The jobs carry no state: the
database rows are the truth, and a lost job is made good by the scheduler's sweeper.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker

from ita_rent_bot.config import Settings

CHANNELS = ("telegram", "whatsapp")
PING_TIMEOUT_SECONDS = 2.0


def deployment_scope(settings: Settings) -> str:
    """A short name for this deployment (its database, credentials left out), so processes of
    one deployment share Redis queues and rate buckets and nothing else on that Redis does."""
    parts = urlsplit(settings.database_url)
    where = f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}"
    return hashlib.sha256(where.encode()).hexdigest()[:10]


def jobs_queue(settings: Settings) -> str:
    return f"ita_rent_bot:{deployment_scope(settings)}:jobs"


def deliver_queue(settings: Settings, channel: str) -> str:
    return f"ita_rent_bot:{deployment_scope(settings)}:deliver:{channel}"


def make_broker(settings: Settings, *, listen: Sequence[str] | None = None) -> AsyncBroker:
    """The broker for this process; `listen` names the streams it consumes (None: all of them)."""
    if settings.broker_url is None:
        return InMemoryBroker(await_inplace=False)
    every = [jobs_queue(settings), *(deliver_queue(settings, c) for c in CHANNELS)]
    main, *extra = (every if listen is None else list(listen)) or every[:1]
    broker: AsyncBroker = RedisStreamBroker(
        settings.broker_url,
        queue_name=main,
        consumer_group_name="ita_rent_bot",
        additional_streams={name: ">" for name in extra},
        xread_block=1000,
        maxlen=10_000,
        idle_timeout=300_000,  # a job held by a dead worker is taken over after 5 minutes
        unacknowledged_lock_timeout=30,
    )
    return broker


def is_shared(broker: AsyncBroker) -> bool:
    return not isinstance(broker, InMemoryBroker)


async def check_broker(settings: Settings) -> tuple[bool, str]:
    """Whether the broker answers: always for the in-process one, a PING for Redis."""
    if settings.broker_url is None:
        return True, "in-process"
    redis = Redis.from_url(settings.broker_url, socket_connect_timeout=PING_TIMEOUT_SECONDS)
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await redis.ping()
    except (RedisConnectionError, OSError, TimeoutError) as exc:
        return False, f"redis unreachable ({type(exc).__name__})"
    except RedisError as exc:
        return False, f"redis error ({type(exc).__name__})"
    finally:
        await redis.aclose()
    return True, "redis"
