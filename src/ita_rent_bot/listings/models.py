"""Every listing ever seen, its price history, and the user's marks on it (saved, hidden)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ita_rent_bot.db import Base, utcnow

MARK_SAVED = "saved"
MARK_HIDDEN = "hidden"


class Listing(Base):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str | None] = mapped_column(String(512))
    price_eur: Mapped[int | None]
    rooms: Mapped[int | None]
    area_m2: Mapped[int | None]
    city: Mapped[str | None] = mapped_column(String(64))
    zone: Mapped[str | None] = mapped_column(String(128))
    address: Mapped[str | None] = mapped_column(String(256))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None]
    advertiser: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    furnished: Mapped[bool | None]
    twin_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        Index("ix_listings_city_first_seen_at", "city", "first_seen_at"),
    )


class PriceChange(Base):
    """One row per price a listing has shown, oldest first."""

    __tablename__ = "price_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    price_eur: Mapped[int | None]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListingMark(Base):
    """A user's mark on a listing: saved for later, or hidden for good."""

    __tablename__ = "listing_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
