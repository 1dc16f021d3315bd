"""`ita-rent-bot bot`: the Telegram bot alone (long polling; the webhook endpoint alone when
PUBLIC_BASE_URL is set). `ita-rent-bot run` includes the bot already when the token is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import typer

from ita_rent_bot.cli_support import cli_settings, fail, run_async

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ita_rent_bot.config import Settings


def webhook_app(settings: Settings) -> FastAPI:
    """An app with nothing but the Telegram webhook, for running the bot on its own."""
    from fastapi import FastAPI

    from ita_rent_bot.api import errors
    from ita_rent_bot.app_state import AppState
    from ita_rent_bot.bot import webhook

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = AppState.create(settings)
        app.state.app_state = state
        try:
            yield
        finally:
            await state.aclose()

    app = FastAPI(title="ITA_RENT_BOT Telegram webhook", lifespan=lifespan)
    app.include_router(webhook.router)
    errors.install(app)  # the same error shape as the whole API
    return app


async def poll(settings: Settings) -> None:
    from ita_rent_bot.app_state import AppState
    from ita_rent_bot.bot.runner import BotRuntime
    from ita_rent_bot.migrate import upgrade_to_head

    state = AppState.create(settings)
    try:
        await upgrade_to_head(state.engine, settings)
        runtime = BotRuntime.create(settings, state.session_factory)
        try:
            await runtime.run_polling()
        finally:
            await runtime.aclose()
    finally:
        await state.aclose()


def bot(
    host: str = typer.Option(None, help="Webhook mode: address to serve on (default API_HOST)."),
    port: int = typer.Option(None, help="Webhook mode: port to serve on (default API_PORT)."),
) -> None:
    """Run the Telegram bot alone: long polling, or webhook mode when PUBLIC_BASE_URL is set."""
    settings = cli_settings()
    if settings.telegram_bot_token is None:
        fail("TELEGRAM_BOT_TOKEN is not set; the bot cannot start")
    if not settings.public_base_url:
        run_async(poll(settings))
        return

    async def migrate() -> None:
        from ita_rent_bot.app_state import AppState
        from ita_rent_bot.migrate import upgrade_to_head

        state = AppState.create(settings)
        try:
            await upgrade_to_head(state.engine, settings)
        finally:
            await state.aclose()

    run_async(migrate())
    import uvicorn

    config = uvicorn.Config(
        webhook_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    run_async(uvicorn.Server(config).serve())


def register(app: typer.Typer) -> None:
    app.command(name="bot")(bot)
