"""What routes ask for: a session per request, the current user, the admin, an owned object.

A session commits when the route returns and rolls back when it raises, before the answer is
sent (SessionRoute), so a client never sees success for a change that was not stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterable
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.api.errors import ApiError, not_found
from ita_rent_bot.api.read_cache import SAFE_METHODS, ReadCache
from ita_rent_bot.filters import service as filters
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User

API_V1 = "/api/v1"  # every router here has its full path (see v1.install)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL

ListingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The listing's id.")]
FilterId = Annotated[int, Path(ge=1, le=MAX_ID, description="The search's id.")]


_SESSIONS = "ita_rent_bot.sessions"  # request.state key: the sessions this request opened


class SessionRoute(APIRoute):
    """Every API route: the sessions its dependencies open (session_for) are committed when
    the route returns and rolled back when it raises, before the answer is sent, so a client
    never sees success for a change that was not stored.

    Kept out of FastAPI's dependency system on purpose: a generator dependency costs each
    request an exit stack and a shielded cancel scope, and a read answered from the token
    cache opens no session at all."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            sessions: dict[bool, AsyncSession] = {}
            setattr(request.state, _SESSIONS, sessions)
            try:
                response = await handler(request)
            except BaseException:
                await _finish(sessions.values(), commit=False)
                raise
            await _finish(sessions.values(), commit=True)
            changed: int | None = getattr(request.state, "changed_user_id", None)
            if changed is not None:  # reads cached before this commit must not outlive it
                read_cache(request).forget_user(changed)
            return response

        return handle


async def _finish(sessions: Iterable[AsyncSession], *, commit: bool) -> None:
    """Commit (or roll back) and close each session; once one commit fails, the rest roll
    back, and that failure is raised after all are closed."""
    failure: BaseException | None = None
    for session in sessions:
        try:
            if session.in_transaction():
                if commit and failure is None:
                    await session.commit()
                else:
                    await session.rollback()
        except BaseException as exc:
            failure = failure or exc
        finally:
            await session.close()
    if failure is not None:
        raise failure


def session_for(request: Request, *, report: bool = False) -> AsyncSession:
    """The request's session, opened on first use. Index reads of a request session run
    inline on SQLite; a report session (admin statistics, the dashboard: reads that may scan)
    keeps them off the event loop."""
    sessions: dict[bool, AsyncSession] | None = getattr(request.state, _SESSIONS, None)
    if sessions is None:
        raise RuntimeError(f"{request.url.path}: a session outside SessionRoute is never committed")
    session = sessions.get(report)
    if session is None:
        state = request.app.state.app_state
        factory = state.session_factory if report else state.request_session_factory
        session = sessions[report] = factory()
    return session


async def get_session(request: Request) -> AsyncSession:
    return session_for(request)


async def get_report_session(request: Request) -> AsyncSession:
    return session_for(request, report=True)


def read_cache(request: Request) -> ReadCache:
    cache: ReadCache = request.app.state.read_cache
    return cache


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ReportSessionDep = Annotated[AsyncSession, Depends(get_report_session)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers=_CHALLENGE)


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class UserTokenAuth(HTTPBearer):
    """The `userToken` scheme, resolved to the token's user in one dependency (a security
    scheme of FastAPI's own would be a second one, and each costs a request ~30 µs of
    dependency bookkeeping).

    Syncs the ReadCache first, for the request's reads. A read request may get the cache's
    copy, without a query; a write request gets the user loaded in its own session, to
    change."""

    async def __call__(self, request: Request) -> User:  # type: ignore[override]
        token = _bearer_token(request)
        if token is None:
            raise _unauthorized("missing token: send Authorization: Bearer <token>")
        cache = read_cache(request)
        seen = cache.sync()
        digest = users.hash_token(token)
        reading = request.method in SAFE_METHODS
        if reading and (cached := cache.get(digest)) is not None:
            return cached  # detached and shared: read routes only read it (no relations)
        user = await users.get_by_api_token(session_for(request), token=token)
        if user is None:
            raise _unauthorized("invalid token")
        if reading:
            cache.put(digest, user, seen)
        else:
            cache.forget_user(user.id)
            request.state.changed_user_id = user.id
        return user


get_current_user = UserTokenAuth(
    scheme_name="userToken",
    description="Your personal token: send /token to the Telegram bot.",
    auto_error=False,
)
CurrentUser = Annotated[User, Depends(get_current_user)]


def is_admin_token(state_token: str | None, given: str) -> bool:
    """Constant-time comparison with API_ADMIN_TOKEN; False when none is configured."""
    if not state_token:
        return False
    return hmac.compare_digest(state_token.encode("utf-8"), given.encode("utf-8"))


class AdminTokenAuth(HTTPBearer):
    """The `adminToken` scheme, checked against API_ADMIN_TOKEN in one dependency."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        token = _bearer_token(request)
        if token is None:
            raise _unauthorized("missing token: send Authorization: Bearer <admin token>")
        configured = request.app.state.app_state.settings.api_admin_token
        if configured is None:
            raise ApiError(403, "the admin API is off: API_ADMIN_TOKEN is not set")
        if not is_admin_token(configured.get_secret_value(), token):
            raise ApiError(403, "admin token required")


_ADMIN_DESCRIPTION = "The operators' token (API_ADMIN_TOKEN)."
require_admin = AdminTokenAuth(
    scheme_name="adminToken", description=_ADMIN_DESCRIPTION, auto_error=False
)
admin_bearer = HTTPBearer(  # the dashboard's: it also takes the token as a Basic password
    scheme_name="adminToken", description=_ADMIN_DESCRIPTION, auto_error=False
)


AdminDep = Annotated[None, Depends(require_admin)]


async def get_matched_listing(
    listing_id: ListingId,
    user: CurrentUser,
    session: SessionDep,
) -> Listing:
    """A listing the user was matched with (a Delivery exists); any other id answers 404."""
    matched = exists().where(Delivery.user_id == user.id, Delivery.listing_id == Listing.id)
    listing = await session.scalar(select(Listing).where(Listing.id == listing_id, matched))
    if listing is None:
        raise not_found("listing")
    return listing


MatchedListing = Annotated[Listing, Depends(get_matched_listing)]


async def get_owned_filter(
    filter_id: FilterId, user: CurrentUser, session: SessionDep
) -> SearchFilter:
    """One of the user's searches; another user's id answers 404 like a missing one."""
    search = await filters.get_filter(session, user_id=user.id, filter_id=filter_id)
    if search is None:
        raise not_found("search")
    return search


OwnedFilter = Annotated[SearchFilter, Depends(get_owned_filter)]
