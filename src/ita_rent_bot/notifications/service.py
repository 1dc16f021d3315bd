"""The outbox in SQL: claim due deliveries with a lease, record what happened, sweep and count.

A claim is one statement: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING id` on PostgreSQL, the same UPDATE...RETURNING on SQLite (whose single writer makes it
atomic). Every outcome update is guarded by `status = 'sending'`, so a row whose lease was lost
and taken by another worker is never overwritten by the first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    exists,
    func,
    not_,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.channels.whatsapp.errors import PROBLEM_INVALID_NUMBER, PROBLEM_OPTED_OUT
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import MARK_HIDDEN, ListingMark, PriceChange
from ita_rent_bot.notifications.models import (
    CANCELLED,
    HELD,
    PENDING,
    SENDING,
    SENT,
    SUCCEEDED,
    Delivery,
)
from ita_rent_bot.users.models import User

AWAITING_REPLY = "awaiting_reply"


def _claimable(channels: Collection[str] | None, now: datetime) -> ColumnElement[bool]:
    """Due, on a served channel (None: any), for an active unpaused user and unpaused search.

    The paused users and searches are few: `NOT IN (subquery)` lets PostgreSQL hash them once
    instead of probing per row (a fresh burst has no statistics to plan a join with)."""
    paused_users = select(User.id).where(or_(User.paused.is_(True), User.is_active.is_(False)))
    paused_searches = select(SearchFilter.id).where(SearchFilter.paused.is_(True))
    where = and_(
        Delivery.status == PENDING,
        Delivery.next_attempt_at <= now,
        Delivery.user_id.not_in(paused_users),
        or_(Delivery.filter_id.is_(None), Delivery.filter_id.not_in(paused_searches)),
    )
    return where if channels is None else and_(where, Delivery.channel.in_(list(channels)))


async def _claim(
    session: AsyncSession,
    where: ColumnElement[bool],
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
) -> list[int]:
    chosen = (
        select(Delivery.id)
        .where(where)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(chosen))
        .values(status=SENDING, lease_until=lease_until, updated_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(stmt)).scalars())


async def claim_due(
    session: AsyncSession,
    *,
    channels: Collection[str],
    now: datetime,
    lease_until: datetime,
    limit: int,
    busy: Mapping[str, Collection[int]] | None = None,
) -> list[int]:
    """Claim up to `limit` due deliveries, newest first, then the rest due for the same users.

    `busy` names users (per channel) this worker is already sending to; they are skipped so
    one user's messages stay in order. The second step keeps a user's digest in one piece.
    """
    if not channels:
        return []
    where = _claimable(channels, now)
    for channel, user_ids in (busy or {}).items():
        if user_ids:
            where = and_(
                where, not_(and_(Delivery.channel == channel, Delivery.user_id.in_(list(user_ids))))
            )
    first = await _claim(session, where, now=now, lease_until=lease_until, limit=limit)
    if not first:
        return []
    pairs = (
        await session.execute(
            select(Delivery.user_id, Delivery.channel).where(Delivery.id.in_(first)).distinct()
        )
    ).all()
    same_users = tuple_(Delivery.user_id, Delivery.channel).in_([tuple(p) for p in pairs])
    rest = await _claim(
        session,
        and_(_claimable(channels, now), same_users),
        now=now,
        lease_until=lease_until,
        limit=100_000,
    )
    return first + rest


def _held_by_us(ids: Iterable[int]) -> ColumnElement[bool]:
    return and_(Delivery.id.in_(list(ids)), Delivery.status == SENDING)


async def mark_sent(
    session: AsyncSession, sent: Sequence[tuple[int, str | None]], *, now: datetime
) -> None:
    """Record (delivery id, provider message id) pairs as sent, in one executemany."""
    if not sent:
        return
    table = cast(Table, Delivery.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == SENDING)
        .values(
            status=SENT,
            sent_at=now,
            updated_at=now,
            provider_message_id=bindparam("b_provider_id"),
            lease_until=None,
            error_code=None,
            error_message=None,
            attempts=table.c.attempts + 1,
        )
    )
    await session.execute(stmt, [{"b_id": i, "b_provider_id": pid} for i, pid in sent])


async def finish(
    session: AsyncSession,
    ids: Collection[int],
    *,
    status: str,
    next_attempt_at: datetime | None = None,
    code: str | None = None,
    message: str | None = None,
    count_attempt: bool = True,
    provider_message_id: str | None = None,
) -> int:
    """Move claimed rows on: back to pending (retry, or unsent), failed, held or cancelled."""
    values: dict[str, object] = {
        "status": status,
        "lease_until": None,
        "error_code": code,
        "error_message": message[:2000] if message else None,
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if count_attempt:
        values["attempts"] = Delivery.attempts + 1
    if provider_message_id is not None:
        values["provider_message_id"] = provider_message_id
    stmt = (
        update(Delivery)
        .where(_held_by_us(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount  # type: ignore[attr-defined, no-any-return]


async def extend_leases(session: AsyncSession, ids: Collection[int], *, until: datetime) -> None:
    """Renew this worker's leases; rows being recorded right now (locked) are skipped, not waited
    for, so the heartbeat never deadlocks with the recorder."""
    if not ids:
        return
    mine = (
        select(Delivery.id)
        .where(_held_by_us(ids))
        .order_by(Delivery.id)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(mine))
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )


async def release_expired_leases(session: AsyncSession, *, now: datetime) -> int:
    """Deliveries whose worker died (lease expired) go back to pending to be sent again."""
    stmt = (
        update(Delivery)
        .where(Delivery.status == SENDING, Delivery.lease_until < now)
        .values(status=PENDING, lease_until=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount  # type: ignore[attr-defined, no-any-return]


async def release_held_on_reply(session: AsyncSession, *, now: datetime) -> int:
    """Held WhatsApp digests go out once the user has written since the template was sent."""
    replied = exists().where(
        User.id == Delivery.user_id, User.whatsapp_last_inbound_at > Delivery.updated_at
    )
    stmt = (
        update(Delivery)
        .where(Delivery.status == HELD, replied)
        .values(status=PENDING, next_attempt_at=now, error_code=None)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount  # type: ignore[attr-defined, no-any-return]


async def expire_held(session: AsyncSession, *, older_than: datetime) -> int:
    stmt = (
        update(Delivery)
        .where(Delivery.status == HELD, Delivery.updated_at < older_than)
        .values(status=CANCELLED, error_code="no_reply")
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount  # type: ignore[attr-defined, no-any-return]


async def cancel_pending(session: AsyncSession, *, user_id: int, channel: str, code: str) -> int:
    """Stop every delivery still waiting for this user on this channel (the channel went off)."""
    stmt = (
        update(Delivery)
        .where(
            Delivery.user_id == user_id,
            Delivery.channel == channel,
            Delivery.status.in_([PENDING, HELD]),
        )
        .values(status=CANCELLED, error_code=code, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount  # type: ignore[attr-defined, no-any-return]


async def turn_channel_off(
    session: AsyncSession, *, user_id: int, channel: str, problem: str | None, now: datetime
) -> bool:
    """The provider said the user is gone on `channel`: switch it off. False if already off.

    `problem` is what WhatsApp recorded against the number (channels/whatsapp/errors.py)."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        return False
    if channel == "telegram":
        if not user.telegram_enabled:
            return False
        user.telegram_enabled = False
        user.telegram_blocked_at = now
        return True
    if channel == "whatsapp":
        if not user.whatsapp_enabled:
            return False
        user.whatsapp_enabled = False
        user.whatsapp_problem = problem or PROBLEM_INVALID_NUMBER
        if problem == PROBLEM_OPTED_OUT:
            user.whatsapp_opted_out_at = now
        return True
    return False


@dataclass(frozen=True)
class PendingStat:
    channel: str
    count: int
    oldest_age_seconds: float


async def pending_stats(session: AsyncSession, *, now: datetime) -> list[PendingStat]:
    """Deliveries waiting to go out (pending or in flight) per channel, and the oldest's age."""
    rows = (
        await session.execute(
            select(Delivery.channel, func.count(), func.min(Delivery.created_at))
            .where(Delivery.status.in_([PENDING, SENDING]))
            .group_by(Delivery.channel)
        )
    ).all()
    return [
        PendingStat(channel, count, max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        for channel, count, oldest in rows
    ]


async def due_channels(session: AsyncSession, *, now: datetime) -> set[str]:
    """Channels with deliveries a worker could claim now."""
    claimable = _claimable(None, now)
    rows = await session.execute(select(Delivery.channel).where(claimable).distinct())
    return set(rows.scalars())


async def last_sent_at(
    session: AsyncSession, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], datetime]:
    """When each (user, channel) last received something, for digest spacing."""
    if not pairs:
        return {}
    users = {u for u, _ in pairs}
    rows = await session.execute(
        select(Delivery.user_id, Delivery.channel, func.max(Delivery.sent_at))
        .where(Delivery.user_id.in_(users), Delivery.status.in_(SUCCEEDED))
        .group_by(Delivery.user_id, Delivery.channel)
    )
    return {(u, c): at for u, c, at in rows.all() if at is not None and (u, c) in pairs}


async def users_with_held(
    session: AsyncSession, user_ids: Collection[int], channel: str
) -> set[int]:
    if not user_ids:
        return set()
    rows = await session.execute(
        select(Delivery.user_id)
        .where(
            Delivery.user_id.in_(list(user_ids)),
            Delivery.channel == channel,
            Delivery.status == HELD,
        )
        .distinct()
    )
    return set(rows.scalars())


async def hidden_pairs(
    session: AsyncSession, user_ids: Collection[int], listing_ids: Collection[int]
) -> set[tuple[int, int]]:
    if not user_ids or not listing_ids:
        return set()
    rows = await session.execute(
        select(ListingMark.user_id, ListingMark.listing_id).where(
            ListingMark.user_id.in_(list(user_ids)),
            ListingMark.listing_id.in_(list(listing_ids)),
            ListingMark.kind == MARK_HIDDEN,
        )
    )
    return {(u, li) for u, li in rows.all()}


async def previous_prices(session: AsyncSession, listing_ids: Collection[int]) -> dict[int, int]:
    """The price each listing showed before its latest one (for "price dropped" notes)."""
    if not listing_ids:
        return {}
    rows = await session.execute(
        select(PriceChange.listing_id, PriceChange.price_eur)
        .where(PriceChange.listing_id.in_(list(listing_ids)))
        .order_by(PriceChange.listing_id, PriceChange.seen_at.desc(), PriceChange.id.desc())
    )
    seen: dict[int, int] = {}
    previous: dict[int, int] = {}
    for listing_id, price in rows.all():
        seen[listing_id] = seen.get(listing_id, 0) + 1
        if seen[listing_id] == 2 and price is not None:
            previous[listing_id] = price
    return previous


async def is_delivered(session: AsyncSession, *, user_id: int, listing_id: int) -> bool:
    """A listing counts as delivered to a user once any of the user's channels took it."""
    found = await session.scalar(
        select(true())
        .where(
            Delivery.user_id == user_id,
            Delivery.listing_id == listing_id,
            Delivery.status.in_(SUCCEEDED),
        )
        .limit(1)
    )
    return bool(found)
