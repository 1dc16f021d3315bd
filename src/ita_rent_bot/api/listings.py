"""/listings: your matches (listings you were notified about), newest first; save and hide them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, Select, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ita_rent_bot.api.deps import (
    API_V1,
    MAX_ID,
    CurrentUser,
    MatchedListing,
    SessionDep,
    SessionRoute,
)
from ita_rent_bot.api.errors import ApiError, not_found, responses
from ita_rent_bot.api.pagination import CursorQuery, LimitQuery, Page, before, encode_cursor
from ita_rent_bot.filters import service as filters
from ita_rent_bot.listings.models import MARK_HIDDEN, MARK_SAVED, Listing, ListingMark
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User

router = APIRouter(
    route_class=SessionRoute,
    prefix=f"{API_V1}/listings",
    tags=["listings"],
    responses=responses(401, 429),
)

MAX_PRICE = 10_000_000

_LISTING_EXAMPLE: dict[str, Any] = {
    "id": 812,
    "portal": "immobiliare",
    "source_id": "118930211",
    "url": "https://www.immobiliare.it/annunci/118930211/",
    "title": "Bilocale via del Corso, Roma",
    "price_eur": 1800,
    "rooms": 2,
    "area_m2": 65,
    "city": "roma",
    "zone": "Centro Storico",
    "address": "Via del Corso 123",
    "latitude": 41.9,
    "longitude": 12.48,
    "photos": ["https://pwm.im-cdn.it/image/1.jpg"],
    "published_at": "2026-11-28T09:12:00Z",
    "advertiser": "agency",
    "furnished": True,
    "is_active": True,
    "first_seen_at": "2026-11-28T09:15:02Z",
    "saved": False,
    "hidden": False,
}


class ListingOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_LISTING_EXAMPLE]})

    id: int
    portal: str
    source_id: str
    url: str
    title: str | None
    price_eur: int | None
    rooms: int | None
    area_m2: int | None
    city: str | None
    zone: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    photos: list[str]
    published_at: datetime | None
    advertiser: str | None
    furnished: bool | None
    is_active: bool
    first_seen_at: datetime
    saved: bool
    hidden: bool

    @classmethod
    def of(cls, listing: Listing, *, saved: bool, hidden: bool) -> ListingOut:
        return cls(
            id=listing.id,
            portal=listing.source,
            source_id=listing.source_id,
            url=listing.url,
            title=listing.title,
            price_eur=listing.price_eur,
            rooms=listing.rooms,
            area_m2=listing.area_m2,
            city=listing.city,
            zone=listing.zone,
            address=listing.address,
            latitude=listing.latitude,
            longitude=listing.longitude,
            photos=list(listing.photos or []),
            published_at=listing.published_at,
            advertiser=listing.advertiser,
            furnished=listing.furnished,
            is_active=listing.is_active,
            first_seen_at=listing.first_seen_at,
            saved=saved,
            hidden=hidden,
        )


class MarkOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"listing_id": 812, "kind": "saved", "created_at": "2026-11-28T10:00:00Z"}]
        }
    )

    listing_id: int
    kind: Literal["saved", "hidden"]
    created_at: datetime


def _mark(user: User, kind: str) -> ColumnElement[bool]:
    mark = aliased(ListingMark)  # its own alias: the saved list also joins ListingMark itself
    return (
        exists()
        .where(mark.user_id == user.id, mark.listing_id == Listing.id, mark.kind == kind)
        .correlate(Listing)
    )


def _with_marks(user: User) -> Select[Listing, bool, bool]:
    return select(
        Listing, _mark(user, MARK_SAVED).label("saved"), _mark(user, MARK_HIDDEN).label("hidden")
    )


Portal = Annotated[
    str | None,
    Query(max_length=32, pattern=r"^[a-z_]+$", description="Only this portal, e.g. `subito`."),
]
Price = Annotated[int | None, Query(ge=0, le=MAX_PRICE, description="Monthly rent, euros.")]


@router.get("", responses=responses(404, 422))
async def list_matches(
    user: CurrentUser,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 20,
    filter_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only matches of this search of yours.")
    ] = None,
    portal: Portal = None,
    price_min: Price = None,
    price_max: Price = None,
    include_hidden: Annotated[bool, Query(description="Also listings you hid.")] = False,
) -> Page[ListingOut]:
    """Listings you were matched with, newest first (by when they were first seen)."""
    owned = filter_id is None or await filters.get_filter(
        session, user_id=user.id, filter_id=filter_id
    )
    if not owned:
        raise not_found("search")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ApiError(422, "price_min: must not exceed price_max", field="price_min")
    matched = exists().where(Delivery.user_id == user.id, Delivery.listing_id == Listing.id)
    if filter_id is not None:
        matched = matched.where(Delivery.filter_id == filter_id)
    stmt = _with_marks(user).where(matched)
    if not include_hidden:
        stmt = stmt.where(~_mark(user, MARK_HIDDEN))
    if portal is not None:
        stmt = stmt.where(Listing.source == portal)
    if price_min is not None:
        stmt = stmt.where(Listing.price_eur >= price_min)
    if price_max is not None:
        stmt = stmt.where(Listing.price_eur <= price_max)
    after = before(cursor, Listing.first_seen_at, Listing.id)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(Listing.first_seen_at.desc(), Listing.id.desc()).limit(limit + 1)
    rows = (await session.execute(stmt)).all()
    items = [ListingOut.of(row[0], saved=row[1], hidden=row[2]) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.first_seen_at, last.id)
    return Page[ListingOut](items=items, next_cursor=next_cursor)


@router.get("/saved", responses=responses(422))
async def list_saved(
    user: CurrentUser, session: SessionDep, cursor: CursorQuery = None, limit: LimitQuery = 20
) -> Page[ListingOut]:
    """Listings you saved, the most recently saved first."""
    stmt = (
        _with_marks(user)
        .join(ListingMark, ListingMark.listing_id == Listing.id)
        .where(ListingMark.user_id == user.id, ListingMark.kind == MARK_SAVED)
        .add_columns(ListingMark.created_at)
    )
    after = before(cursor, ListingMark.created_at, ListingMark.listing_id)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(ListingMark.created_at.desc(), ListingMark.listing_id.desc())
    rows = (await session.execute(stmt.limit(limit + 1))).all()
    items = [ListingOut.of(row[0], saved=row[1], hidden=row[2]) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last[3], last[0].id)
    return Page[ListingOut](items=items, next_cursor=next_cursor)


@router.get("/{listing_id}", responses=responses(404, 422))
async def read_match(listing: MatchedListing, user: CurrentUser, session: SessionDep) -> ListingOut:
    """One of your matches."""
    row = (await session.execute(_with_marks(user).where(Listing.id == listing.id))).one()
    return ListingOut.of(row[0], saved=row[1], hidden=row[2])


async def _set_mark(
    session: AsyncSession, *, user: User, listing: Listing, kind: str, opposite: str
) -> ListingMark:
    """Saved and hidden exclude each other: setting one clears the other. Idempotent."""
    await session.execute(
        delete(ListingMark).where(
            ListingMark.user_id == user.id,
            ListingMark.listing_id == listing.id,
            ListingMark.kind == opposite,
        )
    )
    existing = await session.get(ListingMark, (user.id, listing.id, kind))
    if existing is not None:
        return existing
    mark = ListingMark(user_id=user.id, listing_id=listing.id, kind=kind)
    try:
        async with session.begin_nested():
            session.add(mark)
    except IntegrityError:  # the same mark, set by a concurrent request
        found = await session.get(ListingMark, (user.id, listing.id, kind))
        assert found is not None
        return found
    return mark


async def _clear_mark(session: AsyncSession, *, user: User, listing: Listing, kind: str) -> None:
    await session.execute(
        delete(ListingMark).where(
            ListingMark.user_id == user.id,
            ListingMark.listing_id == listing.id,
            ListingMark.kind == kind,
        )
    )


@router.post("/{listing_id}/save", responses=responses(404, 422))
async def save(listing: MatchedListing, user: CurrentUser, session: SessionDep) -> MarkOut:
    """Keep a listing in your saved list (and un-hide it)."""
    mark = await _set_mark(
        session, user=user, listing=listing, kind=MARK_SAVED, opposite=MARK_HIDDEN
    )
    return MarkOut(listing_id=listing.id, kind="saved", created_at=mark.created_at)


@router.delete(
    "/{listing_id}/save", status_code=204, response_class=Response, responses=responses(404, 422)
)
async def unsave(listing: MatchedListing, user: CurrentUser, session: SessionDep) -> None:
    """Remove a listing from your saved list."""
    await _clear_mark(session, user=user, listing=listing, kind=MARK_SAVED)


@router.post("/{listing_id}/hide", responses=responses(404, 422))
async def hide(listing: MatchedListing, user: CurrentUser, session: SessionDep) -> MarkOut:
    """Hide a listing for good: it leaves your matches (and your saved list)."""
    mark = await _set_mark(
        session, user=user, listing=listing, kind=MARK_HIDDEN, opposite=MARK_SAVED
    )
    return MarkOut(listing_id=listing.id, kind="hidden", created_at=mark.created_at)


@router.delete(
    "/{listing_id}/hide", status_code=204, response_class=Response, responses=responses(404, 422)
)
async def unhide(listing: MatchedListing, user: CurrentUser, session: SessionDep) -> None:
    """Show a hidden listing among your matches again."""
    await _clear_mark(session, user=user, listing=listing, kind=MARK_HIDDEN)
