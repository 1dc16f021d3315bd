"""The outbox: one Delivery per (user, listing, channel, kind, drop price), claimed by workers
with a lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ita_rent_bot.db import Base, utcnow

# statuses, in the order a delivery moves through them
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
READ = "read"
FAILED = "failed"
UNDELIVERED = "undelivered"
CANCELLED = "cancelled"
HELD = "held"  # WhatsApp outside the 24-hour window: a template went out, the digest waits

SUCCEEDED = (SENT, DELIVERED, READ)  # the provider took the message

KIND_NEW = "new"
KIND_PRICE_DROP = "price_drop"


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys on the outbox: an ingest writes hundreds of thousands of rows in one
    # transaction, and PostgreSQL checks each key with a row-locking lookup per row (three
    # keys took longer than all the rest of the insert). The code keeps the references true:
    # users.service.delete_user deletes a user's deliveries, filters.service.delete_filter
    # sets filter_id to NULL, and listings are never deleted (every listing seen is kept).
    # user_id has no index of its own: the unique key below starts with it.
    user_id: Mapped[int]
    listing_id: Mapped[int] = mapped_column(index=True)
    filter_id: Mapped[int | None] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default=KIND_NEW)
    # a price-drop note's new price, so each drop to a new price is its own note; 0 otherwise
    drop_price: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    # Meta's "wamid..." ids run to ~80 characters; Twilio's SIDs are 34
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "listing_id", "channel", "kind", "drop_price"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        # webhooks look deliveries up by provider id; a new (unsent) row has none to index
        Index(
            "ix_deliveries_provider_message_id",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
            sqlite_where=text("provider_message_id IS NOT NULL"),
        ),
    )
