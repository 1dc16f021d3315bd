"""What a user may read and change about themselves (the API's /me and the bot's /settings)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["ru", "en", "it"]
Mode = Literal["instant", "digest"]

MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 86_400


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Rome") from None
    return value


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    telegram_chat_id: int | None
    telegram_username: str | None
    language: Language
    timezone: str
    paused: bool
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    price_drop_alerts: bool
    telegram_enabled: bool
    telegram_mode: Mode
    telegram_interval_seconds: int | None
    telegram_all_photos: bool
    whatsapp_number: str | None
    whatsapp_enabled: bool
    whatsapp_mode: Mode
    whatsapp_notification_interval: int | None
    created_at: datetime


class UserPatch(BaseModel):
    """Every field optional; quiet hours are set or cleared together."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    timezone: str | None = Field(default=None, max_length=64)
    paused: bool | None = None
    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None
    price_drop_alerts: bool | None = None
    telegram_enabled: bool | None = None
    telegram_mode: Mode | None = None
    telegram_interval_seconds: int | None = Field(
        default=None, ge=MIN_INTERVAL_SECONDS, le=MAX_INTERVAL_SECONDS
    )
    telegram_all_photos: bool | None = None
    whatsapp_mode: Mode | None = None
    whatsapp_notification_interval: int | None = Field(
        default=None, ge=MIN_INTERVAL_SECONDS, le=MAX_INTERVAL_SECONDS
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @model_validator(mode="after")
    def _quiet_hours_pair(self) -> UserPatch:
        given = {"quiet_hours_start", "quiet_hours_end"} & self.model_fields_set
        if len(given) == 1:
            raise ValueError("quiet_hours_start and quiet_hours_end are set (or cleared) together")
        if self.quiet_hours_start is not None and self.quiet_hours_start == self.quiet_hours_end:
            raise ValueError("quiet hours must start and end at different times")
        return self
