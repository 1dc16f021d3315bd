"""What a user may read and change about themselves (the API's /me and the bot's /settings)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

Language = Literal["ru", "en", "it"]
Mode = Literal["instant", "digest"]

MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 86_400


def _wall_clock_minute(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("quiet hours are wall-clock times in your time zone: HH:MM, no offset")
    return value.replace(second=0, microsecond=0)  # minutes are all quiet hours need


# A local time of day, "HH:MM". Not JSON Schema's "time" format: that one requires an offset,
# and quiet hours follow the user's time zone through summer time.
LocalTime = Annotated[
    time,
    AfterValidator(_wall_clock_minute),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "A time of day in your time zone, HH:MM (seconds are dropped).",
            "examples": ["23:00"],
        }
    ),
]


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
    quiet_hours_start: LocalTime | None
    quiet_hours_end: LocalTime | None
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
    quiet_hours_start: LocalTime | None = None
    quiet_hours_end: LocalTime | None = None
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
