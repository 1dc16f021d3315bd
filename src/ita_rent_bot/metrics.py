"""Prometheus metrics, all on prometheus-client's default registry (so every module's counters,
such as channels/whatsapp's `whatsapp_sdk_fallbacks_total`, come out of the same `/metrics`).

Counters and histograms are updated where things happen; the gauges that describe the database
(pending deliveries, the oldest one's age, each portal's status) are refreshed on each scrape.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.db import utcnow
from ita_rent_bot.notifications import service as outbox
from ita_rent_bot.sources.models import STATUS_BLOCKED, STATUS_FAILING, STATUS_OK, SourceStatus

DELIVERIES = Counter(
    "deliveries_total",
    "Deliveries by channel and outcome (sent, retry, failed, gone, cancelled, held, released).",
    ["channel", "outcome"],
)
PROVIDER_LATENCY = Histogram(
    "provider_request_seconds",
    "Time a provider took to answer one send.",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RATE_LIMIT_WAIT = Histogram(
    "rate_limit_wait_seconds",
    "Time a message waited for the provider's rate limits before it went out.",
    ["channel"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60),
)
PENDING = Gauge("deliveries_pending", "Deliveries waiting to go out, by channel.", ["channel"])
OLDEST_PENDING = Gauge(
    "deliveries_oldest_pending_seconds",
    "Age of the oldest delivery still waiting, by channel.",
    ["channel"],
)
CRAWL_RESULTS = Counter(
    "crawl_results_total",
    "Listings seen by crawls, by portal and kind (found, new).",
    ["source", "kind"],
)
CRAWL_RUNS = Counter(
    "crawl_runs_total",
    "Crawl runs by portal and result (ok, blocked, failing).",
    ["source", "result"],
)
SOURCE_STATUS = Gauge(
    "source_status",
    "1 for the portal's current status (ok, blocked, failing, unknown), 0 for the others.",
    ["source", "status"],
)
SOURCE_STATUSES = (STATUS_OK, STATUS_BLOCKED, STATUS_FAILING, "unknown")
KNOWN_CHANNELS = ("telegram", "whatsapp")


async def refresh_from_database(session: AsyncSession) -> None:
    """Set the gauges that describe the database's current state."""
    stats = {s.channel: s for s in await outbox.pending_stats(session, now=utcnow())}
    for channel in sorted(set(KNOWN_CHANNELS) | set(stats)):
        stat = stats.get(channel)
        PENDING.labels(channel).set(stat.count if stat else 0)
        OLDEST_PENDING.labels(channel).set(stat.oldest_age_seconds if stat else 0)
    for row in (await session.execute(select(SourceStatus))).scalars():
        for status in SOURCE_STATUSES:
            SOURCE_STATUS.labels(row.source, status).set(1 if row.status == status else 0)


def render_latest() -> bytes:
    return generate_latest(REGISTRY)
