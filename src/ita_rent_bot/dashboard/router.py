"""GET /dashboard: the operators' page. The admin token opens it, as a Bearer token or as the
password of HTTP Basic auth (so a browser can ask for it); its data is /api/v1/admin/dashboard.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials

from ita_rent_bot.api.deps import ReportSessionDep, SessionRoute, admin_bearer, is_admin_token
from ita_rent_bot.api.errors import ApiError, responses
from ita_rent_bot.api.health import AppStateDep
from ita_rent_bot.dashboard import page
from ita_rent_bot.dashboard import service as figures

REALM = "ITA_RENT_BOT dashboard"

router = APIRouter(tags=["dashboard"], route_class=SessionRoute)

_basic = HTTPBasic(
    scheme_name="adminBasic",
    description="Any user name, and the admin token as the password (how a browser asks).",
    realm=REALM,
    auto_error=False,
)
_CHALLENGE = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}


async def require_operator(
    state: AppStateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
    basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> None:
    configured = state.settings.api_admin_token
    if configured is None:
        raise ApiError(403, "the dashboard is off: API_ADMIN_TOKEN is not set")
    given = bearer.credentials if bearer is not None else basic.password if basic else None
    if given is None or not is_admin_token(configured.get_secret_value(), given):
        raise ApiError(401, "the admin token is required", headers=_CHALLENGE)


@router.get(
    "/dashboard",
    response_class=HTMLResponse,
    dependencies=[Depends(require_operator)],
    responses={
        200: {"content": {"text/html": {}}, "description": "The dashboard page."},
        **responses(401, 403, 422, 429, json_content=True),
    },
)
async def dashboard_page(
    session: ReportSessionDep,
    days: Annotated[int, Query(ge=1, le=90, description="How many days of history.")] = 14,
) -> HTMLResponse:
    """Deliveries per channel and status over time, users per channel, matches per portal,
    and each portal's health."""
    data = await figures.dashboard(session, days=days)
    return HTMLResponse(page.render(data))
