"""The REST API under /api/v1 and the dashboard, with their error shape, limits and lifespan.

`install(app)` is the one call main.py makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from ita_rent_bot.api import admin, errors, filters, listings, me, notifications, whatsapp
from ita_rent_bot.api.limits import BodyLimitMiddleware, RateLimiter, RateLimitMiddleware
from ita_rent_bot.api.read_cache import ReadCache
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.dashboard import router as dashboard

ROUTERS = tuple(m.router for m in (me, whatsapp, filters, listings, notifications, admin))


def _with_api_state(
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """Run the app's lifespan, and inside it hold what the API shares between requests: the
    rate limiter (Redis when REDIS_URL is set), the read cache, and the WhatsApp service
    (None when it is off).

    `app.state.rate_limits`, when set before start, replaces the default RateLimits.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            settings = app.state.app_state.settings
            limiter = RateLimiter.from_redis_url(
                settings.redis_url, getattr(app.state, "rate_limits", None)
            )
            whatsapp = WhatsAppService.from_settings(settings)
            app.state.rate_limiter = limiter
            revision = app.state.app_state.read_revision
            app.state.read_cache = ReadCache(revision=revision.current if revision else None)
            app.state.whatsapp = whatsapp
            try:
                yield state
            finally:
                await limiter.aclose()
                if whatsapp is not None:
                    await whatsapp.aclose()

    return lifespan


def install(app: FastAPI) -> None:
    # FastAPI's include_router keeps a router whole and matches its routes twice per request
    # (8 % of a cached read's instructions); their own routes, full paths and all, once
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
    app.include_router(dashboard.router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RateLimitMiddleware)
    errors.install(app)
    app.router.lifespan_context = _with_api_state(app.router.lifespan_context)
