"""Crawl state in the database: each source's health and backoff, and the shared crawl targets.

Targets come from the active filters, one per (portal, city): the requests a cycle makes grow
with the cities watched, never with the number of users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.sources.models import (
    STATUS_BLOCKED,
    STATUS_OK,
    STATUS_UNKNOWN,
    CrawlTarget,
    SourceStatus,
)
from ita_rent_bot.sources.registry import PORTALS, all_sources
from ita_rent_bot.users.models import User

# A refusal is retried later than an error: hammering a portal that blocks us makes it worse.
BACKOFF_BASE = {STATUS_BLOCKED: timedelta(minutes=30), "failing": timedelta(minutes=5)}
BACKOFF_MAX = timedelta(hours=6)
ERROR_MAX_CHARS = 500


@dataclass(frozen=True, slots=True, order=True)
class TargetKey:
    portal: str
    city: str


async def list_statuses(session: AsyncSession) -> list[SourceStatus]:
    """One row per registered source (an unsaved "unknown" row for one never crawled)."""
    rows = {row.source: row for row in await session.scalars(select(SourceStatus))}
    statuses = [
        rows.get(source.name) or SourceStatus(source=source.name, status=STATUS_UNKNOWN)
        for source in all_sources()
    ]
    statuses.extend(row for name, row in sorted(rows.items()) if row not in statuses)
    return statuses


async def get_status(session: AsyncSession, source: str) -> SourceStatus:
    status = await session.get(SourceStatus, source)
    if status is None:
        status = SourceStatus(source=source, status=STATUS_UNKNOWN, consecutive_failures=0)
        session.add(status)
    return status


def backing_off(status: SourceStatus | None, now: datetime) -> bool:
    return status is not None and status.backoff_until is not None and status.backoff_until > now


async def record_success(session: AsyncSession, *, source: str, now: datetime) -> SourceStatus:
    status = await get_status(session, source)
    status.status = STATUS_OK
    status.last_ok_at = now
    status.consecutive_failures = 0
    status.backoff_until = None
    status.updated_at = now
    return status


async def record_failure(
    session: AsyncSession, *, source: str, kind: str, error: str, now: datetime
) -> SourceStatus:
    """Mark a source blocked or failing and back it off exponentially (capped)."""
    status = await get_status(session, source)
    failures = (status.consecutive_failures or 0) + 1
    base = BACKOFF_BASE.get(kind, BACKOFF_BASE["failing"])
    status.status = kind
    status.last_error = error[:ERROR_MAX_CHARS]
    status.last_error_at = now
    status.consecutive_failures = failures
    status.backoff_until = now + min(BACKOFF_MAX, base * 2 ** min(failures - 1, 10))
    status.updated_at = now
    return status


async def active_targets(session: AsyncSession) -> list[TargetKey]:
    """(portal, city) for every active filter: not paused, its user active and not paused."""
    rows = await session.execute(
        select(SearchFilter.city, SearchFilter.sources)
        .join(User, User.id == SearchFilter.user_id)
        .where(
            SearchFilter.paused.is_(False),
            User.is_active.is_(True),
            User.paused.is_(False),
        )
    )
    targets: set[TargetKey] = set()
    for city, sources in rows:
        if not city:
            continue
        wanted = [p for p in (sources or []) if p in PORTALS] or list(PORTALS)
        targets.update(TargetKey(portal, city) for portal in wanted)
    return sorted(targets)


async def get_target(session: AsyncSession, *, portal: str, city: str) -> CrawlTarget:
    target = await session.get(CrawlTarget, (portal, city))
    if target is None:
        target = CrawlTarget(source=portal, city=city, last_found=0, last_new=0)
        session.add(target)
    return target
