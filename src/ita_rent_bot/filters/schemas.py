"""A filter as the API, bot and CLI send it (FilterIn, FilterPatch) and show it (FilterOut).

FilterIn is the one validator: every rule comes from `validation`, so a bad value raises the
same FilterValidationError (wrapped by pydantic) wherever it was typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ita_rent_bot.filters import validation as v

SourceName = Literal["subito", "immobiliare", "idealista"]
SOURCE_NAMES: tuple[SourceName, ...] = ("subito", "immobiliare", "idealista")

BOUND_FIELDS = (
    "price_min",
    "price_max",
    "rooms_min",
    "rooms_max",
    "area_min",
    "area_max",
    "max_price_per_m2",
)


class FilterFields(BaseModel):
    """The fields a user chooses; every bound is optional (None = open)."""

    name: str
    city: str
    zones: list[str] = []
    sources: list[SourceName] = []
    price_min: int | None = None
    price_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    max_price_per_m2: int | None = None
    include_words: list[str] = []
    exclude_words: list[str] = []
    private_only: bool = False
    with_photos: bool = False
    furnished: bool = False
    include_unknown: bool = False


class FilterIn(FilterFields):
    model_config = ConfigDict(extra="forbid")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise v.FilterValidationError("name", "required")
        if len(value) > v.NAME_MAX_LEN:
            raise v.FilterValidationError("name", "too_long", {"max": v.NAME_MAX_LEN})
        return value

    @field_validator("city")
    @classmethod
    def _city(cls, value: str) -> str:
        return v.parse_city(value)

    @field_validator("zones", "include_words", "exclude_words", "sources", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("zones")
    @classmethod
    def _zones(cls, value: list[str]) -> list[str]:
        return v.clean_words("zones", value, max_count=v.MAX_ZONES, max_len=v.ZONE_MAX_LEN)

    @field_validator("include_words", "exclude_words")
    @classmethod
    def _words(cls, value: list[str], info: Any) -> list[str]:
        field = str(info.field_name)
        return v.clean_words(field, value, max_count=v.MAX_WORDS, max_len=v.WORD_MAX_LEN)

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: list[SourceName]) -> list[SourceName]:
        return list(dict.fromkeys(value))

    @field_validator(*BOUND_FIELDS, mode="before")
    @classmethod
    def _typed_bound(cls, value: object, info: Any) -> object:
        """A bound sent as text ("1.200", "1200€") is read the way the wizard reads it."""
        if isinstance(value, str):
            return v.parse_number(value, str(info.field_name)) if value.strip() else None
        return value

    @field_validator(*BOUND_FIELDS)
    @classmethod
    def _bound(cls, value: int | None, info: Any) -> int | None:
        return v.check_bound(str(info.field_name), value)

    @model_validator(mode="after")
    def _consistent(self) -> FilterIn:
        for field in v.RANGES:
            v.validate_range(field, getattr(self, f"{field}_min"), getattr(self, f"{field}_max"))
        v.check_word_conflict(self.include_words, self.exclude_words)
        return self


class FilterPatch(BaseModel):
    """A partial change: only the fields sent are changed; null clears an optional bound."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    city: str | None = None
    zones: list[str] | None = None
    sources: list[SourceName] | None = None
    price_min: int | None = None
    price_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    max_price_per_m2: int | None = None
    include_words: list[str] | None = None
    exclude_words: list[str] | None = None
    private_only: bool | None = None
    with_photos: bool | None = None
    furnished: bool | None = None
    include_unknown: bool | None = None

    def merged_with(self, current: FilterFields) -> FilterIn:
        """The current fields with this patch applied, revalidated by FilterIn's rules."""
        data = current.model_dump()
        data.update(self.model_dump(exclude_unset=True))
        return FilterIn.model_validate(data)


class FilterOut(FilterFields):
    model_config = ConfigDict(from_attributes=True)

    id: int
    paused: bool
    created_at: datetime
    updated_at: datetime
