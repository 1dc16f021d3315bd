"""The scheduler: exactly one among all processes kicks the crawls and runs the sweeper.

A second scheduler (another `ita-rent-bot scheduler`, or `run` beside one) waits for the leader
lock and takes over when the first one stops or dies.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger
from ita_rent_bot.worker.locks import LeaderLock
from ita_rent_bot.worker.runtime import PeriodicJob, Runtime
from ita_rent_bot.worker.sweeper import sweep
from ita_rent_bot.worker.tasks import Tasks

log = get_logger(__name__)

SWEEP_SECONDS = 5.0
LOCK_RETRY_SECONDS = 2.0


class Scheduler:
    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        db_engine: AsyncEngine,
        tasks: Tasks,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.tasks = tasks
        self.sweep_seconds = sweep_seconds
        self.lock = LeaderLock(db_engine, settings, "scheduler")
        self.leading = asyncio.Event()

    def jobs(self) -> list[PeriodicJob]:
        jobs = [PeriodicJob("sweep", self.sweep_seconds, self.sweep_once)]
        if self.settings.crawl_enabled:
            jobs.append(
                PeriodicJob("crawl", self.settings.crawl_interval_seconds, self.tasks.kick_crawl)
            )
        return jobs

    async def sweep_once(self) -> None:
        report = await sweep(self.session_factory)
        for channel in sorted(report.due):
            await self.tasks.kick_deliver(channel)

    async def _lead(self, stop: asyncio.Event) -> bool:
        """Wait for the leader lock; False if told to stop first."""
        waiting_said = False
        while not await self.lock.try_acquire():
            if not waiting_said:
                log.info("another scheduler is running; this one waits to take over")
                waiting_said = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LOCK_RETRY_SECONDS)
            if stop.is_set():
                return False
        return True

    async def run(self, stop: asyncio.Event) -> None:
        if not await self._lead(stop):
            return
        runtime = Runtime()
        for job in self.jobs():
            runtime.add(job)
        self.leading.set()
        log.info("scheduler leading", jobs=[j.name for j in runtime.jobs])
        runtime.start()
        try:
            await stop.wait()
        finally:
            await runtime.stop()
            await self.lock.release()
            self.leading.clear()
