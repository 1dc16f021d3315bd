"""/notifications: your delivery history, per channel, with the provider's id and any error."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from ita_rent_bot.api.deps import API_V1, CurrentUser, SessionDep, SessionRoute
from ita_rent_bot.api.errors import responses
from ita_rent_bot.api.pagination import CursorQuery, LimitQuery, Page, before, encode_cursor
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import Delivery

router = APIRouter(
    route_class=SessionRoute,
    prefix=f"{API_V1}/notifications",
    tags=["notifications"],
    responses=responses(401, 429),
)

Status = Literal[
    "pending", "sending", "sent", "delivered", "read", "failed", "undelivered", "cancelled"
]


class NotificationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5521,
                    "listing_id": 812,
                    "listing_url": "https://www.immobiliare.it/annunci/118930211/",
                    "listing_title": "Bilocale via del Corso, Roma",
                    "filter_id": 14,
                    "channel": "whatsapp",
                    "kind": "new",
                    "status": "delivered",
                    "attempts": 1,
                    "provider_message_id": "SM0123456789abcdef0123456789abcdef",
                    "error_code": None,
                    "error_message": None,
                    "created_at": "2026-11-28T09:15:03Z",
                    "sent_at": "2026-11-28T09:15:04Z",
                    "updated_at": "2026-11-28T09:15:09Z",
                }
            ]
        }
    )

    id: int
    listing_id: int
    listing_url: str
    listing_title: str | None
    filter_id: int | None
    channel: str
    kind: str
    status: str
    attempts: int
    provider_message_id: str | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime


@router.get("", responses=responses(422))
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 20,
    channel: Annotated[
        Literal["telegram", "whatsapp", "console"] | None, Query(description="Only this channel.")
    ] = None,
    status: Annotated[Status | None, Query(description="Only deliveries in this state.")] = None,
) -> Page[NotificationOut]:
    """What was sent to you (or is waiting, or failed), the newest first."""
    stmt = (
        select(Delivery, Listing.url, Listing.title)
        .join(Listing, Listing.id == Delivery.listing_id)
        .where(Delivery.user_id == user.id)
    )
    if channel is not None:
        stmt = stmt.where(Delivery.channel == channel)
    if status is not None:
        stmt = stmt.where(Delivery.status == status)
    after = before(cursor, Delivery.created_at, Delivery.id)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit + 1)
    rows = (await session.execute(stmt)).all()
    items = [
        NotificationOut(
            id=d.id,
            listing_id=d.listing_id,
            listing_url=url,
            listing_title=title,
            filter_id=d.filter_id,
            channel=d.channel,
            kind=d.kind,
            status=d.status,
            attempts=d.attempts,
            provider_message_id=d.provider_message_id,
            error_code=d.error_code,
            error_message=d.error_message,
            created_at=d.created_at,
            sent_at=d.sent_at,
            updated_at=d.updated_at,
        )
        for d, url, title in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.created_at, last.id)
    return Page[NotificationOut](items=items, next_cursor=next_cursor)
