"""What the operators' dashboard shows, as typed rows (the JSON and the HTML page share them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class StatusCount(BaseModel):
    channel: str
    status: str
    count: int


class DayCount(BaseModel):
    day: date
    channel: str
    status: str
    count: int


class DeliveryStats(BaseModel):
    counts: list[StatusCount]
    total: int
    pending: int
    oldest_pending_at: datetime | None
    oldest_pending_age_seconds: float | None


class ChannelUsers(BaseModel):
    users: int
    active: int
    telegram_on: int
    whatsapp_on: int
    whatsapp_linked: int


class PortalMatches(BaseModel):
    portal: str
    matches: int
    listings: int


class PortalStatus(BaseModel):
    portal: str
    status: str
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    backoff_until: datetime | None
    updated_at: datetime


class Dashboard(BaseModel):
    generated_at: datetime
    days: int
    deliveries: DeliveryStats
    deliveries_per_day: list[DayCount]
    users: ChannelUsers
    matches_per_portal: list[PortalMatches]
    portals: list[PortalStatus]
