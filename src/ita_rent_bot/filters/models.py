"""A user's saved search. Every bound is optional; lists are stored as JSON."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ita_rent_bot.db import Base, utcnow


class SearchFilter(Base):
    __tablename__ = "search_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(64))
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    price_min: Mapped[int | None]
    price_max: Mapped[int | None]
    rooms_min: Mapped[int | None]
    rooms_max: Mapped[int | None]
    area_min: Mapped[int | None]
    area_max: Mapped[int | None]
    max_price_per_m2: Mapped[int | None]
    include_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclude_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    private_only: Mapped[bool] = mapped_column(default=False)
    with_photos: Mapped[bool] = mapped_column(default=False)
    furnished: Mapped[bool] = mapped_column(default=False)
    include_unknown: Mapped[bool] = mapped_column(default=False)
    paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_search_filters_city_paused", "city", "paused"),)
