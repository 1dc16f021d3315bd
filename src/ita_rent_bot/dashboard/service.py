"""The figures behind the dashboard and the admin API: aggregate queries, one per question."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.dashboard.schemas import (
    ChannelUsers,
    Dashboard,
    DayCount,
    DeliveryStats,
    PortalMatches,
    PortalStatus,
    StatusCount,
)
from ita_rent_bot.db import utcnow
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.log import redact
from ita_rent_bot.notifications.models import PENDING, Delivery
from ita_rent_bot.sources.models import SourceStatus
from ita_rent_bot.users.models import User


async def delivery_stats(session: AsyncSession, *, now: datetime | None = None) -> DeliveryStats:
    """Deliveries by channel and status, and how long the oldest pending one has waited."""
    now = now or utcnow()
    rows = await session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .group_by(Delivery.channel, Delivery.status)
        .order_by(Delivery.channel, Delivery.status)
    )
    counts = [StatusCount(channel=c, status=s, count=n) for c, s, n in rows]
    oldest = await session.scalar(
        select(func.min(Delivery.created_at)).where(Delivery.status == PENDING)
    )
    return DeliveryStats(
        counts=counts,
        total=sum(c.count for c in counts),
        pending=sum(c.count for c in counts if c.status == PENDING),
        oldest_pending_at=oldest,
        oldest_pending_age_seconds=None if oldest is None else (now - oldest).total_seconds(),
    )


def _utc_day(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp (PostgreSQL would otherwise use its session zone)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


async def deliveries_per_day(session: AsyncSession, *, since: datetime) -> list[DayCount]:
    day = _utc_day(session, Delivery.created_at).label("day")
    rows = await session.execute(
        select(day, Delivery.channel, Delivery.status, func.count())
        .where(Delivery.created_at >= since)
        .group_by(day, Delivery.channel, Delivery.status)
        .order_by(day, Delivery.channel, Delivery.status)
    )
    return [
        DayCount(
            day=d if isinstance(d, date) else date.fromisoformat(str(d)),
            channel=c,
            status=s,
            count=n,
        )
        for d, c, s, n in rows
    ]


async def channel_users(session: AsyncSession) -> ChannelUsers:
    telegram_on = and_(
        User.is_active,
        User.telegram_enabled,
        User.telegram_chat_id.is_not(None),
        User.telegram_blocked_at.is_(None),
    )
    whatsapp_linked = User.whatsapp_verified_at.is_not(None)
    whatsapp_on = and_(
        User.is_active,
        User.whatsapp_enabled,
        whatsapp_linked,
        User.whatsapp_opted_out_at.is_(None),
    )
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(User.is_active),
                func.count().filter(telegram_on),
                func.count().filter(whatsapp_on),
                func.count().filter(whatsapp_linked),
            )
        )
    ).one()
    return ChannelUsers(
        users=row[0],
        active=row[1],
        telegram_on=row[2],
        whatsapp_on=row[3],
        whatsapp_linked=row[4],
    )


async def matches_per_portal(session: AsyncSession, *, since: datetime) -> list[PortalMatches]:
    """Distinct (user, listing) matches per portal since a moment, and how many listings."""
    pairs = (
        select(Delivery.user_id, Delivery.listing_id)
        .where(Delivery.created_at >= since)
        .distinct()
        .subquery()
    )
    rows = await session.execute(
        select(Listing.source, func.count(), func.count(func.distinct(Listing.id)))
        .join(pairs, pairs.c.listing_id == Listing.id)
        .group_by(Listing.source)
        .order_by(Listing.source)
    )
    return [PortalMatches(portal=p, matches=m, listings=n) for p, m, n in rows]


async def portal_statuses(session: AsyncSession) -> list[PortalStatus]:
    rows = await session.scalars(select(SourceStatus).order_by(SourceStatus.source))
    return [
        PortalStatus(
            portal=s.source,
            status=s.status,
            last_ok_at=s.last_ok_at,
            last_error=None if s.last_error is None else redact(s.last_error),
            last_error_at=s.last_error_at,
            consecutive_failures=s.consecutive_failures,
            backoff_until=s.backoff_until,
            updated_at=s.updated_at,
        )
        for s in rows
    ]


async def dashboard(session: AsyncSession, *, days: int = 14) -> Dashboard:
    now = utcnow()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return Dashboard(
        generated_at=now,
        days=days,
        deliveries=await delivery_stats(session, now=now),
        deliveries_per_day=await deliveries_per_day(session, since=since),
        users=await channel_users(session),
        matches_per_portal=await matches_per_portal(session, since=since),
        portals=await portal_statuses(session),
    )
