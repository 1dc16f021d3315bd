"""The in-process runtime of `ita-rent-bot run`: periodic jobs that never take the process down.

A job that raises is logged with its error and retried after an exponential backoff (capped);
the next success resets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ita_rent_bot.log import get_logger

log = get_logger(__name__)

MAX_BACKOFF_SECONDS = 600.0


@dataclass
class PeriodicJob:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[None]]
    failures: int = 0

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval_seconds
        backoff: float = min(
            MAX_BACKOFF_SECONDS, self.interval_seconds * 2 ** min(self.failures, 10)
        )
        return backoff * random.uniform(0.8, 1.2)


@dataclass
class Runtime:
    jobs: list[PeriodicJob] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def add(self, job: PeriodicJob) -> None:
        self.jobs.append(job)

    async def _loop(self, job: PeriodicJob) -> None:
        while True:
            try:
                await job.run()
                job.failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                job.failures += 1
                log.warning(
                    "job failed, backing off",
                    job=job.name,
                    error=f"{type(exc).__name__}: {exc}",
                    failures=job.failures,
                )
            await asyncio.sleep(job.next_delay())

    def start(self) -> None:
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(self._loop(job), name=f"job:{job.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
