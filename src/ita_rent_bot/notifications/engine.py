"""The delivery engine: claim due outbox rows with a lease, render, rate-limit, send, record.

One engine per worker process. It claims newest first, skips users it is already sending to
(so one user's messages go in order, one at a time), plans each user's rows (digest.py), and
sends each user's units in a task of its own, many users at once. Leases are extended while a
row is held; a row whose worker dies goes back to pending when its lease expires (the sweeper),
so nothing is lost and only a message in flight at the crash can go out twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.channels.base import Channel
from ita_rent_bot.config import Settings
from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.log import get_logger
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.digest import Row, plan_user
from ita_rent_bot.notifications.limits import RateLimits
from ita_rent_bot.notifications.models import CANCELLED, KIND_PRICE_DROP, PENDING, Delivery
from ita_rent_bot.notifications.recorder import Record, Recorder
from ita_rent_bot.notifications.rendering import RenderContext, Renderer, renderers
from ita_rent_bot.notifications.sending import UserSender
from ita_rent_bot.users.models import User

log = get_logger(__name__)

M = TypeVar("M", User, Listing, SearchFilter)


@dataclass(frozen=True)
class EngineOptions:
    batch_size: int = 100
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_cap_seconds: float = 900.0
    backlog_cap: int = 20
    concurrency: int = 1000  # users sent to at once; enough to fill 200/s at 1/s per chat
    poll_seconds: float = 0.5
    long_wait_seconds: float = 30.0
    shutdown_grace_seconds: float = 10.0
    whatsapp_interval_seconds: int = 1800

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> EngineOptions:
        base = cls(
            batch_size=settings.delivery_batch_size,
            lease_seconds=float(settings.delivery_lease_seconds),
            max_attempts=settings.delivery_max_attempts,
            whatsapp_interval_seconds=settings.whatsapp_notification_interval_seconds,
        )
        return replace(base, **overrides)  # type: ignore[arg-type]

    def backoff_seconds(self, attempt: int) -> float:
        """Exponential backoff with jitter: half the step fixed, half random."""
        step = min(self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** max(0, attempt - 1))
        return float(step / 2 + random.uniform(0, step / 2))


async def _all(session: AsyncSession, model: type[M], ids: Collection[int]) -> list[M]:
    if not ids:
        return []
    rows = await session.execute(select(model).where(model.id.in_(list(ids))))
    return list(rows.scalars())


@dataclass
class Batch:
    """What one claim loaded: rows by (user, channel), and what rendering and planning need."""

    users: dict[int, User]
    rows: dict[tuple[int, str], list[Row]]
    hidden: set[tuple[int, int]]
    last_sent: dict[tuple[int, str], datetime]
    held_users: set[int]
    previous_prices: dict[int, int]


class DeliveryEngine:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        limits: RateLimits,
        settings: Settings,
        *,
        serve: Collection[str] | None = None,
        options: EngineOptions | None = None,
        renderer_map: Mapping[str, Renderer] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.channels = dict(channels)
        self.limits = limits
        self.settings = settings
        self.options = options or EngineOptions.from_settings(settings)
        self.renderers = dict(renderer_map or renderers())
        wanted = channels.keys() if serve is None else serve
        self.serve = sorted(c for c in wanted if c in self.channels and c in self.renderers)
        self.recorder = Recorder(session_factory, on_flushed=self._flushed)
        self._held: set[int] = set()  # claimed and not yet recorded: their leases are renewed
        self._busy: dict[str, set[int]] = defaultdict(set)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._task_done = asyncio.Event()
        self._claim_size = self.options.batch_size  # grows while claims come back full

    # -- the loop ------------------------------------------------------------------------------

    def wake(self) -> None:
        """New deliveries may be due: claim now instead of at the next poll."""
        self._wake.set()

    def _flushed(self, ids: Collection[int]) -> None:
        self._held.difference_update(ids)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; then finish or hand back what is held."""
        helpers = [
            asyncio.create_task(self.recorder.run(), name="outbox-recorder"),
            asyncio.create_task(self._heartbeat(), name="lease-heartbeat"),
        ]
        try:
            while not stop.is_set():
                claimed = await self._claim_and_start()
                full = len(self._tasks) >= self.options.concurrency
                if claimed and not full:
                    continue
                # a user finishing matters only when every slot is taken; else wait for news
                await self._pause(stop, self.options.poll_seconds, on_task_done=full)
        finally:
            await self._shutdown(helpers)

    async def run_until_idle(self, *, limit_seconds: float = 60.0) -> None:
        """Deliver whatever is due now and return when nothing is due or in flight (tests, demo)."""
        stop = asyncio.Event()
        runner = asyncio.create_task(self.run(stop))
        deadline = asyncio.get_running_loop().time() + limit_seconds
        try:
            while asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
                if self._tasks or self._held:
                    continue
                async with self.session_factory() as session:
                    due = await service.due_channels(session, now=utcnow())
                if not due & set(self.serve):
                    return
                self.wake()
            raise TimeoutError("deliveries still due after the timeout")
        finally:
            stop.set()
            self.wake()
            await runner

    async def _pause(self, stop: asyncio.Event, seconds: float, *, on_task_done: bool) -> None:
        self._task_done.clear()
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        if on_task_done:
            waiters.append(asyncio.create_task(self._task_done.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self._wake.clear()
            self._task_done.clear()

    async def _shutdown(self, helpers: list[asyncio.Task[None]]) -> None:
        """Let user tasks finish (for a while), write every outcome, hand back the rest."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.options.shutdown_grace_seconds)
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        recorder, heartbeat = helpers
        self.recorder.close()
        await recorder
        if self._held:  # claimed but never tried: back to the queue at once
            async with unit_of_work(self.session_factory) as session:
                await service.finish(
                    session,
                    self._held,
                    status=PENDING,
                    next_attempt_at=utcnow(),
                    count_attempt=False,
                )
            self._held.clear()
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.options.lease_seconds / 3)
            held = set(self._held)
            if not held:
                continue
            until = utcnow() + timedelta(seconds=self.options.lease_seconds)
            try:
                async with unit_of_work(self.session_factory) as session:
                    await service.extend_leases(session, held, until=until)
            except Exception as exc:
                log.warning("extending leases failed", error=repr(exc), held=len(held))

    # -- claim, load, plan ---------------------------------------------------------------------

    async def _claim_and_start(self) -> int:
        free = self.options.concurrency - len(self._tasks)
        if free <= 0 or not self.serve:
            return 0
        now = utcnow()
        limit = min(self._claim_size, free)
        try:
            async with unit_of_work(self.session_factory) as session:
                ids = await service.claim_due(
                    session,
                    channels=self.serve,
                    now=now,
                    lease_until=now + timedelta(seconds=self.options.lease_seconds),
                    limit=limit,
                    busy=self._busy,
                )
        except Exception as exc:
            log.warning("claiming deliveries failed", error=repr(exc))
            return 0
        # a burst: claim twice as much next time, so its users start sooner (a larger claim would
        # hold the event loop long enough to stall the sends already under way)
        full = len(ids) >= limit
        self._claim_size = (
            min(self._claim_size * 2, self.options.batch_size * 2)
            if full
            else self.options.batch_size
        )
        if not ids:
            return 0
        self._held.update(ids)
        try:
            batch = await self._load(ids)
        except Exception as exc:
            log.warning("loading claimed deliveries failed", error=repr(exc), count=len(ids))
            self.recorder.put(Record(tuple(ids), PENDING, next_attempt_at=now, count_attempt=False))
            return 0
        loaded = {row.id for rows in batch.rows.values() for row in rows}
        self._held.difference_update(set(ids) - loaded)  # deleted since (with their user)
        for (user_id, channel), rows in batch.rows.items():
            self._start_user(batch, user_id, channel, rows, now)
        return len(ids)

    async def _load(self, ids: list[int]) -> Batch:
        async with self.session_factory() as session:
            deliveries = (
                (await session.execute(select(Delivery).where(Delivery.id.in_(ids))))
                .scalars()
                .all()
            )
            user_ids = {d.user_id for d in deliveries}
            listing_ids = {d.listing_id for d in deliveries}
            filter_ids = {d.filter_id for d in deliveries if d.filter_id is not None}
            users = {
                u.id: u
                for u in (
                    await session.execute(select(User).where(User.id.in_(user_ids)))
                ).scalars()
            }
            listings = {
                x.id: x
                for x in (
                    await session.execute(select(Listing).where(Listing.id.in_(listing_ids)))
                ).scalars()
            }
            searches = {
                f.id: f
                for f in (
                    await session.execute(
                        select(SearchFilter).where(SearchFilter.id.in_(filter_ids))
                    )
                ).scalars()
            }
            rows: dict[tuple[int, str], list[Row]] = defaultdict(list)
            for d in deliveries:
                search = searches.get(d.filter_id) if d.filter_id is not None else None
                rows[(d.user_id, d.channel)].append(Row(d, listings[d.listing_id], search))
            drops = {d.listing_id for d in deliveries if d.kind == KIND_PRICE_DROP}
            return Batch(
                users=users,
                rows=dict(rows),
                hidden=await service.hidden_pairs(session, user_ids, listing_ids),
                last_sent=await service.last_sent_at(session, set(rows)),
                held_users=await service.users_with_held(session, user_ids, "whatsapp"),
                previous_prices=await service.previous_prices(session, drops),
            )

    def _start_user(
        self, batch: Batch, user_id: int, channel: str, rows: list[Row], now: datetime
    ) -> None:
        user = batch.users[user_id]
        plan = plan_user(
            user,
            channel,
            rows,
            now=now,
            last_sent=batch.last_sent.get((user_id, channel)),
            hidden={li for u, li in batch.hidden if u == user_id},
            whatsapp_interval=self.options.whatsapp_interval_seconds,
            backlog_cap=self.options.backlog_cap,
        )
        for reason, ids in plan.cancel.items():
            self.recorder.put(Record(tuple(ids), CANCELLED, code=reason, count_attempt=False))
            log.info("deliveries cancelled", reason=reason, delivery_id=ids[0], count=len(ids))
        if plan.release:
            self.recorder.put(
                Record(
                    tuple(plan.release),
                    PENDING,
                    next_attempt_at=plan.release_at,
                    count_attempt=False,
                    code="waiting",
                )
            )
        if not plan.units:
            return
        sender = UserSender(
            engine=self,
            user=user,
            channel_name=channel,
            held_user=user_id in batch.held_users,
            ctx=RenderContext(self.settings, batch.previous_prices),
        )
        self._busy[channel].add(user_id)
        task = asyncio.create_task(sender.send(plan.units), name=f"deliver:{channel}:{user_id}")
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._user_done(t, channel, user_id))

    def _user_done(self, task: asyncio.Task[None], channel: str, user_id: int) -> None:
        self._tasks.discard(task)
        self._busy[channel].discard(user_id)
        self._task_done.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task crashed", error=repr(task.exception()), user_id=user_id)
