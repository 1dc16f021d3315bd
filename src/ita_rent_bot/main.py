"""The FastAPI application: routers, middleware and lifespan, nothing else.

`uvicorn ita_rent_bot.main:app` serves it; `ita-rent-bot run` migrates first, then serves it.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ita_rent_bot import __version__
from ita_rent_bot.api import health, v1
from ita_rent_bot.api import metrics as metrics_api
from ita_rent_bot.api import webhooks as webhooks_api
from ita_rent_bot.app_state import AppState
from ita_rent_bot.bot import webhook as telegram_webhook
from ita_rent_bot.channels.status import channel_statuses
from ita_rent_bot.config import Settings, get_settings
from ita_rent_bot.log import configure_logging, get_logger
from ita_rent_bot.worker.process import WorkerProcess

log = get_logger(__name__)


def settle_heap() -> None:
    """Move what start-up built (modules, routes, schemas, the engine) out of the collector's
    reach: a full collection then scans only what requests made, a few milliseconds instead
    of a pause of ~200 ms that stalled every open request (measured with bench/api.py)."""
    gc.collect()
    gc.freeze()


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
        worker = WorkerProcess.embedded(state) if resolved.embedded_workers else None
        if worker is not None:
            await worker.start()
        settle_heap()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await state.aclose()

    app = FastAPI(
        title="ITA_RENT_BOT",
        version=__version__,
        summary="Rental alerts for Italy on Telegram and WhatsApp.",
        lifespan=lifespan,
        # off: the service exports its own figures at /metrics, and FastAPI's OpenTelemetry
        # bridge looked the global providers up on every request (3 % of a cached read)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    v1.install(app)  # first: the routes most requests ask for are matched first
    app.include_router(health.router)
    app.include_router(metrics_api.router)
    app.include_router(webhooks_api.router)
    app.include_router(telegram_webhook.router)
    return app


app = create_app()
