"""The user: Telegram identity, channel switches, and the WhatsApp fields of the client's report."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import BigInteger, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from ita_rent_bot.db import Base, utcnow

MODE_INSTANT = "instant"
MODE_DIGEST = "digest"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="ru")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Rome")
    is_active: Mapped[bool] = mapped_column(default=True)
    paused: Mapped[bool] = mapped_column(default=False)
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    price_drop_alerts: Mapped[bool] = mapped_column(default=True)

    telegram_enabled: Mapped[bool] = mapped_column(default=True)
    telegram_mode: Mapped[str] = mapped_column(String(8), default=MODE_INSTANT)
    telegram_interval_seconds: Mapped[int | None]
    telegram_all_photos: Mapped[bool] = mapped_column(default=False)
    telegram_blocked_at: Mapped[datetime | None]

    whatsapp_number: Mapped[str | None] = mapped_column(String(16))
    whatsapp_enabled: Mapped[bool] = mapped_column(default=False)
    whatsapp_verified_at: Mapped[datetime | None]
    whatsapp_opted_out_at: Mapped[datetime | None]
    whatsapp_last_inbound_at: Mapped[datetime | None]
    whatsapp_mode: Mapped[str] = mapped_column(String(8), default=MODE_DIGEST)
    whatsapp_notification_interval: Mapped[int | None]
    whatsapp_sender: Mapped[str | None] = mapped_column(String(64))
    whatsapp_problem: Mapped[str | None] = mapped_column(String(32))

    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_users_whatsapp_number", "whatsapp_number", unique=True),
        Index("ix_users_whatsapp_enabled", "whatsapp_enabled"),
    )


class WhatsAppLinkCode(Base):
    """A pending link: the code's hash, how often it was tried, when it expires."""

    __tablename__ = "whatsapp_link_codes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
