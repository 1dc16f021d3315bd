"""Quiet hours in the user's own time zone: deliveries due inside the window wait for its end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Rome"


def user_zone(name: str | None) -> ZoneInfo:
    """The user's zone; an unknown name falls back to Europe/Rome rather than failing a send."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _inside(clock: time, start: time, end: time) -> bool:
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # the window crosses midnight


def quiet_until(
    now: datetime, start: time | None, end: time | None, zone: str | None
) -> datetime | None:
    """When the quiet window around `now` ends (UTC), or None if `now` is outside any window.

    An empty window (start == end, or either unset) means no quiet hours. Local times that a DST
    change skips or repeats resolve as Python's zoneinfo does (fold=0).
    """
    if start is None or end is None or start == end:
        return None
    tz = user_zone(zone)
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if not _inside(clock, start, end):
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    ends = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
    # a DST jump can put the wall-clock end at or before now; never hold for nothing or go back
    return ends if ends > now else now + timedelta(minutes=1)
