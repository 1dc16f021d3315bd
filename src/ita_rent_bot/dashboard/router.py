"""GET /dashboard: the operators' page. The admin token opens it, as a Bearer token or as the
password of HTTP Basic auth (so a browser can ask for it); its data is /api/v1/admin/dashboard.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ita_rent_bot.api.deps import SessionDep, is_admin_token
from ita_rent_bot.api.errors import ApiError, ErrorOut
from ita_rent_bot.api.health import AppStateDep
from ita_rent_bot.dashboard import page
from ita_rent_bot.dashboard import service as figures

router = APIRouter(tags=["dashboard"])

_CHALLENGE = {"WWW-Authenticate": 'Basic realm="ITA_RENT_BOT dashboard", charset="UTF-8"'}


def presented_secret(authorization: str | None) -> str | None:
    """The Bearer token, or the password of Basic credentials; None when neither is given."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


async def require_operator(request: Request, state: AppStateDep) -> None:
    configured = state.settings.api_admin_token
    if configured is None:
        raise ApiError(403, "the dashboard is off: API_ADMIN_TOKEN is not set")
    given = presented_secret(request.headers.get("authorization"))
    if given is None or not is_admin_token(configured.get_secret_value(), given):
        raise ApiError(401, "the admin token is required", headers=_CHALLENGE)


@router.get(
    "/dashboard",
    response_class=HTMLResponse,
    dependencies=[Depends(require_operator)],
    responses={
        200: {"content": {"text/html": {}}, "description": "The dashboard page."},
        401: {"model": ErrorOut, "description": "No admin token (Basic or Bearer)."},
        403: {"model": ErrorOut, "description": "API_ADMIN_TOKEN is not set."},
        422: {"model": ErrorOut, "description": "`days` is out of range."},
        429: {"model": ErrorOut, "description": "Too many requests."},
    },
)
async def dashboard_page(
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=90, description="How many days of history.")] = 14,
) -> HTMLResponse:
    """Deliveries per channel and status over time, users per channel, matches per portal,
    and each portal's health."""
    data = await figures.dashboard(session, days=days)
    return HTMLResponse(page.render(data))
