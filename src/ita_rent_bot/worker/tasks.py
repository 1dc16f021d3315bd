"""The jobs: crawl → ingest → match (the outbox rows commit with the listings) → deliver.

`Pipeline.after_ingest` runs inside each crawl's ingest transaction; once that commits, the
delivery engines are woken (this process's directly, other processes' through a `deliver`
job), so a new listing reaches its first provider call within a fraction of a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

from ita_rent_bot import metrics
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.matcher import FilterIndex
from ita_rent_bot.filters.outbox import enqueue_matches
from ita_rent_bot.listings.service import IngestResult
from ita_rent_bot.log import get_logger
from ita_rent_bot.sources.crawler import CrawlReport, crawl_cycle
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.worker.broker import CHANNELS, deliver_queue
from ita_rent_bot.worker.locks import LeaderLock

log = get_logger(__name__)

CRAWL_TASK = "ita_rent_bot.crawl"
DELIVER_TASK = "ita_rent_bot.deliver"


class Pipeline:
    """Crawl every target once; match what is new; announce the new deliveries after commit."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        db_engine: AsyncEngine,
        *,
        announce: Callable[[], None],
        fetcher: PoliteFetcher | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.index = FilterIndex()
        self.fetcher = fetcher or PoliteFetcher(settings)
        self.announce = announce
        self._single = LeaderLock(db_engine, settings, "crawl")

    async def after_ingest(self, session: AsyncSession, result: IngestResult) -> None:
        report = await enqueue_matches(session, self.index, result, now=utcnow())
        if report.inserted:
            loop = asyncio.get_running_loop()
            event.listen(
                session.sync_session,
                "after_commit",
                lambda _session: loop.call_soon(self.announce),
                once=True,
            )

    async def crawl(self) -> list[CrawlReport]:
        """One crawl cycle, unless another process is crawling right now."""
        if not await self._single.try_acquire():
            log.info("a crawl is already running elsewhere; skipped")
            return []
        try:
            reports = await crawl_cycle(
                self.session_factory,
                self.settings,
                fetcher=self.fetcher,
                after_ingest=self.after_ingest,
            )
        finally:
            await self._single.release()
        for report in reports:
            metrics.CRAWL_RUNS.labels(report.source, report.status).inc()
            metrics.CRAWL_RESULTS.labels(report.source, "found").inc(report.found)
            metrics.CRAWL_RESULTS.labels(report.source, "new").inc(report.new)
        return reports

    async def aclose(self) -> None:
        await self.fetcher.aclose()


@dataclass
class Tasks:
    """The registered jobs and how to kick them (a delivery wake-up goes to its channel's queue)."""

    broker: AsyncBroker
    settings: Settings
    crawl: AsyncTaskiqDecoratedTask[[], Coroutine[Any, Any, int]]
    deliver: AsyncTaskiqDecoratedTask[[str], Coroutine[Any, Any, None]]
    _pending: set[asyncio.Task[None]] = field(default_factory=set)

    async def kick_crawl(self) -> None:
        await self.crawl.kiq()

    async def kick_deliver(self, channel: str) -> None:
        queue = deliver_queue(self.settings, channel)
        await self.deliver.kicker().with_labels(queue_name=queue).kiq(channel)

    def announce_deliveries(self) -> None:
        """Tell every channel's workers (fire and forget; the sweeper covers a lost kick)."""
        for channel in CHANNELS:
            task = asyncio.create_task(self._kick_quietly(channel))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _kick_quietly(self, channel: str) -> None:
        try:
            await self.kick_deliver(channel)
        except Exception as exc:
            log.warning("could not kick the delivery workers", channel=channel, error=repr(exc))


def register_tasks(
    broker: AsyncBroker,
    settings: Settings,
    *,
    pipeline: Pipeline | None,
    wake: Callable[[str], None] | None,
) -> Tasks:
    """Register the jobs on `broker`, run by this process's pipeline and delivery engine."""

    async def crawl() -> int:
        if pipeline is None:
            log.warning("crawl job reached a process that does not crawl")
            return 0
        reports = await pipeline.crawl()
        return sum(r.new for r in reports)

    async def deliver(channel: str) -> None:
        if wake is not None:
            wake(channel)

    return Tasks(
        broker=broker,
        settings=settings,
        crawl=broker.register_task(crawl, task_name=CRAWL_TASK),
        deliver=broker.register_task(deliver, task_name=DELIVER_TASK),
    )
