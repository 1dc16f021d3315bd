"""Exactly one scheduler leads (PostgreSQL advisory lock, SQLite file lock); the sweeper hands
lost work back and wakes the delivery workers; a crawl never runs twice at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from taskiq import InMemoryBroker

from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.models import HELD, PENDING, SENDING, Delivery
from ita_rent_bot.users.models import User
from ita_rent_bot.worker.locks import LeaderLock
from ita_rent_bot.worker.scheduler import Scheduler
from ita_rent_bot.worker.sweeper import sweep
from ita_rent_bot.worker.tasks import register_tasks
from notifications.builders import add_world, all_deliveries, statuses

Factory = async_sessionmaker[AsyncSession]


def settings_for(engine: AsyncEngine) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(_env_file=None, database_url=url, crawl_enabled=False)  # type: ignore[call-arg]


async def test_a_second_scheduler_waits_and_takes_over(
    engine: AsyncEngine, session_factory: Factory
) -> None:
    settings = settings_for(engine)
    woken: list[str] = []
    tasks = register_tasks(InMemoryBroker(), settings, pipeline=None, wake=woken.append)
    first = Scheduler(settings, session_factory, engine, tasks, sweep_seconds=0.1)
    second = Scheduler(settings, session_factory, engine, tasks, sweep_seconds=0.1)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    running_first = asyncio.create_task(first.run(stop_first))
    await asyncio.wait_for(first.leading.wait(), 10)
    running_second = asyncio.create_task(second.run(stop_second))
    await asyncio.sleep(0.5)
    assert not second.leading.is_set()

    stop_first.set()
    await running_first
    await asyncio.wait_for(second.leading.wait(), 10)  # takes over within its retry period
    stop_second.set()
    await running_second


async def test_leader_lock_is_exclusive_and_released(engine: AsyncEngine) -> None:
    settings = settings_for(engine)
    one, two = LeaderLock(engine, settings, "t"), LeaderLock(engine, settings, "t")
    other = LeaderLock(engine, settings, "another")
    assert await one.try_acquire()
    assert await one.try_acquire()  # holding it already
    assert not await two.try_acquire()
    assert await other.try_acquire()
    await one.release()
    assert await two.try_acquire()
    await two.release()
    await other.release()


async def test_the_sweeper_hands_back_expired_leases_and_wakes_workers(
    engine: AsyncEngine, session_factory: Factory
) -> None:
    await add_world(session_factory, users=2, listings_per_user=2)
    now = utcnow()
    async with session_factory() as session, session.begin():
        ids = await service.claim_due(
            session,
            channels=["telegram"],
            now=now,
            lease_until=now - timedelta(seconds=1),
            limit=2,
        )
    assert await statuses(session_factory) == {SENDING: 4}  # both users' rows, claimed together
    assert len(ids) == 4
    settings = settings_for(engine)
    woken: list[str] = []
    tasks = register_tasks(InMemoryBroker(), settings, pipeline=None, wake=woken.append)
    scheduler = Scheduler(settings, session_factory, engine, tasks)
    await scheduler.sweep_once()
    await tasks.broker.wait_all()  # type: ignore[attr-defined]
    assert await statuses(session_factory) == {PENDING: 4}
    assert woken == ["telegram"]


async def test_held_digests_go_back_when_the_user_replies_and_expire_after_a_week(
    session_factory: Factory,
) -> None:
    users, _ = await add_world(
        session_factory, users=2, listings_per_user=1, channels=("whatsapp",)
    )
    # the template went out a while ago; the first user has written since, the second has not
    now = utcnow()
    async with session_factory() as session, session.begin():
        for row in await session.scalars(select(Delivery)):
            row.status = HELD
            row.updated_at = now - timedelta(days=8 if row.user_id == users[1].id else 1)
        for n, user in enumerate(users):
            mine = await session.get(User, user.id)
            assert mine is not None
            mine.whatsapp_enabled, mine.whatsapp_number = True, f"+39333000077{n}"
        replied = await session.get(User, users[0].id)
        assert replied is not None
        replied.whatsapp_last_inbound_at = now
    report = await sweep(session_factory, now=now)
    assert report.released_held == 1
    assert report.expired_held == 1
    by_user = {r.user_id: r.status for r in await all_deliveries(session_factory)}
    assert by_user == {users[0].id: PENDING, users[1].id: "cancelled"}
    assert report.due == {"whatsapp"}
