"""What to do with one user's claimed deliveries on one channel: send, wait, or drop.

Instant mode sends one message per listing; digest mode groups a user's due listings (one
message per search) at most once per interval; quiet hours hold everything until they end; a
backlog after downtime keeps only the newest `backlog_cap` listings. Pure functions over loaded
rows, so the rules are tested without a database or a provider.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import KIND_PRICE_DROP, Delivery
from ita_rent_bot.notifications.quiet_hours import quiet_until
from ita_rent_bot.users.models import MODE_DIGEST, User

DEFAULT_TELEGRAM_DIGEST_SECONDS = 1800


@dataclass(frozen=True)
class Row:
    """A claimed delivery with the listing and search it is about."""

    delivery: Delivery
    listing: Listing
    search: SearchFilter | None

    @property
    def id(self) -> int:
        return self.delivery.id


@dataclass(frozen=True)
class Unit:
    """Rows that go out as one rendered message (one listing, or one search's digest)."""

    rows: tuple[Row, ...]
    digest: bool

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rows]


@dataclass
class Plan:
    cancel: dict[str, list[int]] = field(default_factory=dict)  # reason -> ids
    release_at: datetime | None = None  # every row waits until then (quiet hours, digest)
    release: list[int] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    def drop(self, reason: str, rows: Collection[Row]) -> None:
        if rows:
            self.cancel.setdefault(reason, []).extend(r.id for r in rows)


def channel_is_on(user: User, channel: str) -> bool:
    if channel == "telegram":
        return user.telegram_enabled and user.telegram_chat_id is not None
    if channel == "whatsapp":
        return (
            user.whatsapp_enabled
            and user.whatsapp_number is not None
            and user.whatsapp_opted_out_at is None
        )
    return False


def digest_interval(user: User, channel: str, whatsapp_default: int) -> int:
    """Seconds between digests on this channel; 0 means instant (one message per listing)."""
    if channel == "telegram":
        if user.telegram_mode != MODE_DIGEST:
            return 0
        return user.telegram_interval_seconds or DEFAULT_TELEGRAM_DIGEST_SECONDS
    if channel == "whatsapp":
        if user.whatsapp_mode != MODE_DIGEST:
            return 0
        if user.whatsapp_notification_interval is not None:
            return max(0, user.whatsapp_notification_interval)
        return whatsapp_default
    return 0


def newest_first(rows: Collection[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.delivery.created_at, r.id), reverse=True)


def plan_user(
    user: User,
    channel: str,
    rows: Collection[Row],
    *,
    now: datetime,
    last_sent: datetime | None,
    hidden: Collection[int],
    whatsapp_interval: int,
    backlog_cap: int,
) -> Plan:
    """Decide for one user's rows on one channel; every row ends in exactly one bucket."""
    plan = Plan()
    if not channel_is_on(user, channel):
        plan.drop("channel_off", rows)
        return plan
    live: list[Row] = []
    for row in rows:
        if row.listing.id in hidden:
            plan.drop("hidden", [row])
        elif row.delivery.kind == KIND_PRICE_DROP and not user.price_drop_alerts:
            plan.drop("price_drop_off", [row])
        else:
            live.append(row)
    if not live:
        return plan
    wait_until = quiet_until(now, user.quiet_hours_start, user.quiet_hours_end, user.timezone)
    interval = digest_interval(user, channel, whatsapp_interval)
    if wait_until is None and interval and last_sent is not None:
        due = last_sent + timedelta(seconds=interval)
        if due > now:
            wait_until = due
    if wait_until is not None:
        plan.release_at = wait_until
        plan.release = [r.id for r in live]
        return plan
    ordered = newest_first(live)
    plan.drop("backlog_capped", ordered[backlog_cap:])
    kept = ordered[:backlog_cap]
    if not interval:
        plan.units = [Unit((row,), digest=False) for row in kept]
        return plan
    by_search: dict[int | None, list[Row]] = {}
    for row in kept:
        by_search.setdefault(row.delivery.filter_id, []).append(row)
    plan.units = [Unit(tuple(group), digest=True) for group in by_search.values()]
    return plan
