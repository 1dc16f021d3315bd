"""The engine against the fake Telegram Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fakes.telegram_api import FakeTelegramAPI, Fault
from ita_rent_bot.config import Settings
from ita_rent_bot.db import utcnow
from ita_rent_bot.listings.models import MARK_HIDDEN, ListingMark
from ita_rent_bot.notifications import service
from ita_rent_bot.notifications.models import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    Delivery,
)
from ita_rent_bot.users.models import MODE_DIGEST, User
from notifications.builders import add_world, all_deliveries, reload_user, statuses
from notifications.conftest import EngineFactory, run_until_settled

Factory = async_sessionmaker[AsyncSession]


async def test_every_delivery_is_sent_once_with_its_provider_id(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(session_factory, users=4, listings_per_user=3)
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 12}
    rows = await all_deliveries(session_factory)
    for user in users:
        calls = fake_telegram.sent(user.telegram_chat_id)
        assert len(calls) == 3
        mine = [r for r in rows if r.user_id == user.id]
        assert sorted(r.provider_message_id or "" for r in mine) == sorted(
            str(c.message_id) for c in calls
        )
        assert all(r.sent_at is not None and r.lease_until is None for r in mine)


async def test_claims_never_overlap(session_factory: Factory) -> None:
    await add_world(session_factory, users=30, listings_per_user=10)
    claimed: list[list[int]] = [[] for _ in range(4)]

    async def claimer(mine: list[int]) -> None:
        while True:
            now = utcnow()
            async with session_factory() as session, session.begin():
                ids = await service.claim_due(
                    session,
                    channels=["telegram"],
                    now=now,
                    lease_until=now + timedelta(seconds=60),
                    limit=7,
                )
            if not ids:
                return
            mine.extend(ids)

    await asyncio.gather(*(claimer(c) for c in claimed))
    every = [i for c in claimed for i in c]
    assert len(every) == len(set(every)) == 300
    assert await statuses(session_factory) == {SENDING: 300}


async def test_retry_after_is_obeyed_exactly(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(session_factory, users=1, listings_per_user=1)
    fake_telegram.fail_next(1, Fault("429", retry_after=1))
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 1}
    calls = [c for c in fake_telegram.calls if c.chat_id == users[0].telegram_chat_id]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0


async def test_transient_failures_back_off_then_succeed(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    await add_world(session_factory, users=3, listings_per_user=2)
    fake_telegram.fail_next(4, Fault("5xx", status=502))
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 6}
    assert len(fake_telegram.sent()) == 6


async def test_a_delivery_fails_for_good_after_the_attempt_limit(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(session_factory, users=1, listings_per_user=1)
    chat = users[0].telegram_chat_id
    assert chat is not None
    fake_telegram.fail_chat(chat, Fault("5xx"))
    counts = await run_until_settled(make_engine(max_attempts=3), session_factory)
    assert counts == {FAILED: 1}
    (row,) = await all_deliveries(session_factory)
    assert row.attempts == 3
    assert row.error_code == "5xx"
    assert row.error_message == "Internal Server Error"


async def test_blocked_bot_mid_burst_turns_telegram_off(
    session_factory: Factory,
    fake_telegram: FakeTelegramAPI,
    make_engine: EngineFactory,
    tg_settings: Settings,
) -> None:
    users, _ = await add_world(session_factory, users=1, listings_per_user=12)
    chat = users[0].telegram_chat_id
    assert chat is not None
    engine = make_engine(settings=tg_settings.model_copy(update={"telegram_chat_mps": 5.0}))

    def blocked_after_three(counts: dict[str, int]) -> bool:
        if len(fake_telegram.sent(chat)) >= 3:
            fake_telegram.block_chat(chat)
        return not counts.get(PENDING) and not counts.get(SENDING)

    counts = await run_until_settled(engine, session_factory, settled=blocked_after_three)
    sent, failed, cancelled = counts.get(SENT, 0), counts.get(FAILED, 0), counts.get(CANCELLED, 0)
    assert failed == 1
    assert sent >= 3
    assert sent + failed + cancelled == 12
    refused = [c for c in fake_telegram.calls if c.chat_id == chat and c.status == 403]
    assert len(refused) == 1  # nothing was tried after the first 403
    user = await reload_user(session_factory, users[0].id)
    assert user.telegram_enabled is False
    assert user.telegram_blocked_at is not None


async def test_chat_not_found_turns_telegram_off(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(session_factory, users=2, listings_per_user=2)
    gone = users[0].telegram_chat_id
    assert gone is not None
    fake_telegram.unknown_chat(gone)
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 2, FAILED: 1, CANCELLED: 1}
    assert (await reload_user(session_factory, users[0].id)).telegram_enabled is False
    assert (await reload_user(session_factory, users[1].id)).telegram_enabled is True


async def test_a_user_who_turned_telegram_off_gets_nothing(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    await add_world(
        session_factory, users=2, listings_per_user=3, user_fields={"telegram_enabled": False}
    )
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {CANCELLED: 6}
    assert fake_telegram.sent() == []
    assert {r.error_code for r in await all_deliveries(session_factory)} == {"channel_off"}


async def test_paused_user_is_held_until_resumed(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(
        session_factory, users=1, listings_per_user=2, user_fields={"paused": True}
    )
    engine = make_engine()
    await engine.run_until_idle()
    assert await statuses(session_factory) == {PENDING: 2}
    assert fake_telegram.sent() == []
    async with session_factory() as session, session.begin():
        await session.execute(update(User).where(User.id == users[0].id).values(paused=False))
    assert await run_until_settled(engine, session_factory) == {SENT: 2}


async def test_quiet_hours_hold_deliveries_until_morning(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    now_utc = utcnow()
    # a window from one hour ago to one hour ahead, in UTC, so the test does not depend on the clock
    start = (now_utc - timedelta(hours=1)).time().replace(microsecond=0, tzinfo=None)
    end = (now_utc + timedelta(hours=1)).time().replace(microsecond=0, tzinfo=None)
    await add_world(
        session_factory,
        users=1,
        listings_per_user=2,
        user_fields={"quiet_hours_start": start, "quiet_hours_end": end, "timezone": "UTC"},
    )
    await make_engine().run_until_idle()
    rows = await all_deliveries(session_factory)
    assert {r.status for r in rows} == {PENDING}
    assert fake_telegram.sent() == []
    for row in rows:
        assert row.attempts == 0
        held = row.next_attempt_at - now_utc
        assert timedelta(minutes=59) < held <= timedelta(hours=1, seconds=1)


async def test_instant_mode_sends_a_card_per_listing_digest_mode_one_message(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    instant, _ = await add_world(session_factory, users=1, listings_per_user=3)
    digest, _ = await add_world(
        session_factory,
        users=1,
        listings_per_user=3,
        user_fields={"telegram_mode": MODE_DIGEST, "telegram_interval_seconds": 600},
    )
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 6}
    assert len(fake_telegram.sent(instant[0].telegram_chat_id)) == 3
    (message,) = fake_telegram.sent(digest[0].telegram_chat_id)
    assert message.params["text"].startswith("🏠 <b>3 new listings</b>")
    digest_rows = [r for r in await all_deliveries(session_factory) if r.user_id == digest[0].id]
    assert {r.provider_message_id for r in digest_rows} == {str(message.message_id)}


async def test_digest_waits_for_its_interval(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(
        session_factory,
        users=1,
        listings_per_user=2,
        user_fields={"telegram_mode": MODE_DIGEST, "telegram_interval_seconds": 600},
    )
    assert await run_until_settled(make_engine(), session_factory) == {SENT: 2}
    last = max(r.sent_at for r in await all_deliveries(session_factory) if r.sent_at)
    async with session_factory() as session, session.begin():
        await _more_for(session, users[0].id, 2)
    await make_engine().run_until_idle()
    waiting = [r for r in await all_deliveries(session_factory) if r.status == PENDING]
    assert len(waiting) == 2
    assert {r.next_attempt_at for r in waiting} == {last + timedelta(seconds=600)}
    assert len(fake_telegram.sent()) == 1


async def _more_for(
    session: AsyncSession, user_id: int, count: int, channel: str = "telegram"
) -> None:
    from notifications.builders import make_listing

    search_id = (
        (await session.execute(select(Delivery.filter_id).where(Delivery.user_id == user_id)))
        .scalars()
        .first()
    )
    found = [make_listing() for _ in range(count)]
    session.add_all(found)
    await session.flush()
    session.add_all(
        Delivery(user_id=user_id, listing_id=x.id, filter_id=search_id, channel=channel)
        for x in found
    )


async def test_backlog_after_downtime_is_capped_newest_first(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    await add_world(session_factory, users=1, listings_per_user=9)
    counts = await run_until_settled(make_engine(backlog_cap=4), session_factory)
    assert counts == {SENT: 4, CANCELLED: 5}
    rows = await all_deliveries(session_factory)
    newest = sorted(rows, key=lambda r: r.created_at, reverse=True)[:4]
    assert {r.status for r in newest} == {SENT}
    sent_order = [c.params["text"] for c in fake_telegram.sent()]
    assert len(sent_order) == 4


async def test_hidden_listing_is_not_sent(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, deliveries = await add_world(session_factory, users=1, listings_per_user=2)
    async with session_factory() as session, session.begin():
        session.add(
            ListingMark(user_id=users[0].id, listing_id=deliveries[0].listing_id, kind=MARK_HIDDEN)
        )
    counts = await run_until_settled(make_engine(), session_factory)
    assert counts == {SENT: 1, CANCELLED: 1}


async def test_expired_lease_goes_back_to_pending(session_factory: Factory) -> None:
    await add_world(session_factory, users=1, listings_per_user=3)
    now = utcnow()
    async with session_factory() as session, session.begin():
        ids = await service.claim_due(
            session,
            channels=["telegram"],
            now=now,
            lease_until=now - timedelta(seconds=1),
            limit=10,
        )
    assert len(ids) == 3
    async with session_factory() as session, session.begin():
        assert await service.release_expired_leases(session, now=utcnow()) == 3
    assert await statuses(session_factory) == {PENDING: 3}


async def test_shutdown_hands_back_claimed_rows(
    session_factory: Factory, fake_telegram: FakeTelegramAPI, make_engine: EngineFactory
) -> None:
    users, _ = await add_world(session_factory, users=1, listings_per_user=1)
    chat = users[0].telegram_chat_id
    assert chat is not None
    fake_telegram.fail_chat(chat, Fault("timeout", hang_seconds=5))
    engine = make_engine(shutdown_grace_seconds=0.1)
    stop = asyncio.Event()
    runner = asyncio.create_task(engine.run(stop))
    while not fake_telegram.calls:  # noqa: ASYNC110 - the fake records calls, it has no event
        await asyncio.sleep(0.02)
    stop.set()
    await runner
    (row,) = await all_deliveries(session_factory)
    assert row.status == PENDING
    assert row.lease_until is None
    assert row.attempts == 0
