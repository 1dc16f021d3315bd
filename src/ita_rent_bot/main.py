"""The FastAPI application: routers, middleware and lifespan, nothing else.

`uvicorn ita_rent_bot.main:app` serves it; `ita-rent-bot run` migrates first, then serves it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ita_rent_bot import __version__
from ita_rent_bot.api import health, v1
from ita_rent_bot.api import webhooks as webhooks_api
from ita_rent_bot.app_state import AppState
from ita_rent_bot.channels.status import channel_statuses
from ita_rent_bot.config import Settings, get_settings
from ita_rent_bot.log import configure_logging, get_logger
from ita_rent_bot.sources.crawler import make_crawl_job
from ita_rent_bot.sources.http import PoliteFetcher
from ita_rent_bot.worker.runtime import Runtime

log = get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or get_settings()
        configure_logging(
            resolved.log_level, json=resolved.log_json, secrets=resolved.secret_values()
        )
        state = AppState.create(resolved)
        app.state.app_state = state
        for status in channel_statuses(resolved):
            log.info(
                f"channel {status.name}: {'on' if status.enabled else 'off'}",
                reason=status.reason,
            )
        runtime = Runtime()
        fetcher = PoliteFetcher(resolved)
        if resolved.crawl_enabled:
            runtime.add(make_crawl_job(state, fetcher))
        if resolved.embedded_workers:
            runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await fetcher.aclose()
            await state.aclose()

    app = FastAPI(
        title="ITA_RENT_BOT",
        version=__version__,
        summary="Rental alerts for Italy on Telegram and WhatsApp.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    v1.install(app)
    app.include_router(webhooks_api.router)
    return app


app = create_app()
