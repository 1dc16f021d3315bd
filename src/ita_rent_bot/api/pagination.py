"""Cursor pagination: an opaque cursor names the last row seen by its (time, id) sort key.

Keyset pages stay correct while rows are added and cost the same on page 1 and page 1000.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from ita_rent_bot.api.errors import ApiError

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

CursorQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="`next_cursor` from the previous page; leave out for the first page.",
    ),
]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


def encode_cursor(at: datetime, row_id: int) -> str:
    micros = (at - _EPOCH) // _MICRO
    raw = f"{micros}:{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        micros_text, id_text = base64.urlsafe_b64decode(padded).decode().split(":")
        micros, row_id = int(micros_text), int(id_text)
        at = _EPOCH + micros * _MICRO
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ApiError(422, "cursor: not a cursor this API gave out", field="cursor") from None
    return at, row_id


def before(
    cursor: str | None,
    at_column: InstrumentedAttribute[datetime] | ColumnElement[datetime],
    id_column: InstrumentedAttribute[int] | ColumnElement[int],
) -> ColumnElement[bool] | None:
    """The condition for rows after the cursor in newest-first (time desc, id desc) order."""
    if cursor is None:
        return None
    at, row_id = decode_cursor(cursor)
    return or_(at_column < at, and_(at_column == at, id_column < row_id))
