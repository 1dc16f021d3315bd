"""/admin: the operators' view (API_ADMIN_TOKEN only): users, portal health, delivery figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from ita_rent_bot.api import examples
from ita_rent_bot.api.deps import API_V1, ReportSessionDep, SessionRoute, require_admin
from ita_rent_bot.api.errors import responses
from ita_rent_bot.api.pagination import CursorQuery, LimitQuery, Page, before, encode_cursor
from ita_rent_bot.dashboard import service as figures
from ita_rent_bot.dashboard.schemas import Dashboard, DeliveryStats, PortalStatus
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.users.models import User
from ita_rent_bot.users.schemas import UserOut

router = APIRouter(
    route_class=SessionRoute,
    prefix=f"{API_V1}/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=responses(401, 403, 429),
)


class AdminUserOut(UserOut):
    is_active: bool
    telegram_blocked_at: datetime | None
    whatsapp_verified_at: datetime | None
    whatsapp_opted_out_at: datetime | None
    whatsapp_problem: str | None
    has_api_token: bool
    filters: int


@router.get("/users", responses=responses(422))
async def list_users(
    session: ReportSessionDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[AdminUserOut]:
    """Every user, the newest first, with their channel state and number of searches."""
    filters = (
        select(func.count())
        .where(SearchFilter.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
        .label("filters")
    )
    stmt = select(User, filters)
    after = before(cursor, User.created_at, User.id)
    if after is not None:
        stmt = stmt.where(after)
    stmt = stmt.order_by(User.created_at.desc(), User.id.desc()).limit(limit + 1)
    rows = (await session.execute(stmt)).all()
    items = [
        AdminUserOut.model_validate(
            {
                **UserOut.model_validate(user).model_dump(),
                "is_active": user.is_active,
                "telegram_blocked_at": user.telegram_blocked_at,
                "whatsapp_verified_at": user.whatsapp_verified_at,
                "whatsapp_opted_out_at": user.whatsapp_opted_out_at,
                "whatsapp_problem": user.whatsapp_problem,
                "has_api_token": user.api_token_hash is not None,
                "filters": count,
            }
        )
        for user, count in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.created_at, last.id)
    return Page[AdminUserOut](items=items, next_cursor=next_cursor)


@router.get("/portals", responses=examples.example(examples.PORTALS))
async def portal_status(session: ReportSessionDep) -> list[PortalStatus]:
    """Each portal's health as the crawler last saw it (ok, blocked, failing, unknown)."""
    return await figures.portal_statuses(session)


@router.get("/deliveries/stats", responses=examples.example(examples.DELIVERY_STATS))
async def delivery_stats(session: ReportSessionDep) -> DeliveryStats:
    """Deliveries by channel and status, and the age of the oldest one still pending."""
    return await figures.delivery_stats(session)


@router.get("/dashboard", responses=responses(422))
async def dashboard_data(
    session: ReportSessionDep,
    days: Annotated[int, Query(ge=1, le=90, description="How many days of history.")] = 14,
) -> Dashboard:
    """Everything the /dashboard page shows, as JSON."""
    return await figures.dashboard(session, days=days)
