"""The REST API under /api/v1 and the dashboard, with their error shape, limits and lifespan.

`install(app)` is the one call main.py makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from ita_rent_bot.api import admin, errors, listings, me, notifications
from ita_rent_bot.api.limits import BodyLimitMiddleware, RateLimiter, RateLimitMiddleware
from ita_rent_bot.dashboard import router as dashboard

router = APIRouter(prefix="/api/v1")
for module in (me, listings, notifications, admin):
    router.include_router(module.router)


def _with_rate_limiter(
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """Run the app's lifespan, then hold a rate limiter (Redis when REDIS_URL is set) inside it.

    `app.state.rate_limits`, when set before start, replaces the default RateLimits.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            limiter = RateLimiter.from_redis_url(
                app.state.app_state.settings.redis_url, getattr(app.state, "rate_limits", None)
            )
            app.state.rate_limiter = limiter
            try:
                yield state
            finally:
                await limiter.aclose()

    return lifespan


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(dashboard.router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RateLimitMiddleware)
    errors.install(app)
    app.router.lifespan_context = _with_rate_limiter(app.router.lifespan_context)
