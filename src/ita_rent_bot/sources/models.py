"""Crawl state: one row per portal (its health) and per crawl target (portal + city)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ita_rent_bot.db import Base, utcnow

STATUS_OK = "ok"
STATUS_BLOCKED = "blocked"
STATUS_FAILING = "failing"
STATUS_UNKNOWN = "unknown"


class SourceStatus(Base):
    __tablename__ = "source_status"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_UNKNOWN)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    backoff_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CrawlTarget(Base):
    """A portal search shared by every user watching that city; seeded once without notifying."""

    __tablename__ = "crawl_targets"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    city: Mapped[str] = mapped_column(String(64), primary_key=True)
    seeded_at: Mapped[datetime | None]
    last_crawl_at: Mapped[datetime | None]
    last_found: Mapped[int] = mapped_column(default=0)
    last_new: Mapped[int] = mapped_column(default=0)
