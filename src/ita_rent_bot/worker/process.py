"""What one process runs, assembled: delivery engine, job consumer, scheduler, or all three.

- `run`: everything in one process (in-memory broker unless BROKER_URL is set).
- `ita-rent-bot worker [--channel X]`: deliveries (all channels, or X), and crawl jobs when no
  channel is named; jobs arrive over Redis.
- `ita-rent-bot scheduler`: the one scheduler (crawl kicks, sweeper); sends nothing itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TextIO

from taskiq.receiver import Receiver

from ita_rent_bot.app_state import AppState
from ita_rent_bot.channels.base import Channel
from ita_rent_bot.channels.registry import build_channels, close_channels
from ita_rent_bot.log import get_logger
from ita_rent_bot.notifications.engine import DeliveryEngine, EngineOptions
from ita_rent_bot.notifications.limits import RateLimits
from ita_rent_bot.worker.broker import (
    CHANNELS,
    deliver_queue,
    deployment_scope,
    is_shared,
    make_broker,
)
from ita_rent_bot.worker.scheduler import Scheduler
from ita_rent_bot.worker.tasks import Pipeline, register_tasks

log = get_logger(__name__)

JOBS_AT_ONCE = 4


class WorkerProcess:
    def __init__(
        self,
        state: AppState,
        *,
        serve: Sequence[str] | None,
        crawl: bool,
        schedule: bool,
        listen: Sequence[str] | None,
        console_out: TextIO | None = None,
        options: EngineOptions | None = None,
    ) -> None:
        settings = state.settings
        self.state = state
        self.channels: dict[str, Channel] = build_channels(settings, console_out=console_out)
        self.limits = RateLimits.from_settings(settings, scope=deployment_scope(settings))
        self.engine: DeliveryEngine | None = None
        if serve is None or serve:
            self.engine = DeliveryEngine(
                state.session_factory,
                self.channels,
                self.limits,
                settings,
                serve=serve,
                options=options,
            )
        self.broker = make_broker(settings, listen=listen)
        self.listening = bool(listen is None or listen) and is_shared(self.broker)
        self.pipeline = (
            Pipeline(settings, state.session_factory, state.engine, announce=self._announce)
            if crawl
            else None
        )
        self.tasks = register_tasks(self.broker, settings, pipeline=self.pipeline, wake=self._wake)
        self.scheduler = (
            Scheduler(settings, state.session_factory, state.engine, self.tasks)
            if schedule
            else None
        )
        self._stop = asyncio.Event()
        self._running: list[asyncio.Task[None]] = []

    @classmethod
    def embedded(cls, state: AppState, **kw: object) -> WorkerProcess:
        """`ita-rent-bot run`: every part in this process."""
        return cls(state, serve=None, crawl=True, schedule=True, listen=None, **kw)  # type: ignore[arg-type]

    @classmethod
    def worker(cls, state: AppState, channel: str | None) -> WorkerProcess:
        """`ita-rent-bot worker`: deliveries and crawls, or one channel's deliveries only."""
        if channel is None:
            return cls(state, serve=None, crawl=True, schedule=False, listen=None)
        queues = [deliver_queue(state.settings, channel)]
        return cls(state, serve=[channel], crawl=False, schedule=False, listen=queues)

    @classmethod
    def scheduler_only(cls, state: AppState) -> WorkerProcess:
        return cls(state, serve=[], crawl=False, schedule=True, listen=[])

    def _wake(self, channel: str) -> None:
        if self.engine is not None and channel in self.engine.serve:
            self.engine.wake()

    def _announce(self) -> None:
        """New deliveries committed: wake this process's engine, and the others over the broker."""
        if self.engine is not None:
            self.engine.wake()
        if is_shared(self.broker):
            self.tasks.announce_deliveries()

    async def start(self) -> None:
        await self.broker.startup()
        off = [c for c in CHANNELS if c not in self.channels]
        if self.engine is not None:
            log.info("delivering", channels=self.engine.serve or "none", without_sender=off)
            self._running.append(asyncio.create_task(self.engine.run(self._stop), name="engine"))
        if self.listening:
            receiver = Receiver(self.broker, max_async_tasks=JOBS_AT_ONCE, run_startup=False)
            self._running.append(asyncio.create_task(receiver.listen(self._stop), name="jobs"))
        if self.scheduler is not None:
            self._running.append(
                asyncio.create_task(self.scheduler.run(self._stop), name="scheduler")
            )

    async def wait(self) -> None:
        """Until stopped (or a part ends on its own, which is logged)."""
        if self._running:
            await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)

    async def stop(self) -> None:
        self._stop.set()
        for task in self._running:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception as exc:
                log.error("worker part ended with an error", part=task.get_name(), error=repr(exc))
        self._running.clear()
        with contextlib.suppress(Exception):
            await self.broker.shutdown()
        if self.pipeline is not None:
            await self.pipeline.aclose()
        await close_channels(self.channels)
        await self.limits.aclose()
