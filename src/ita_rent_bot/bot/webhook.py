"""POST /webhooks/telegram: Telegram's updates in webhook mode, accepted only with the secret
token header. The router's lifespan starts the bot inside the app when TELEGRAM_BOT_TOKEN is set.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from aiogram.types import Update
from aiogram.utils.token import TokenValidationError
from fastapi import APIRouter, FastAPI, Header, Request
from pydantic import BaseModel, ValidationError

from ita_rent_bot.api.errors import ApiError, ErrorOut
from ita_rent_bot.app_state import AppState
from ita_rent_bot.bot.runner import WEBHOOK_PATH, BotRuntime, webhook_secret
from ita_rent_bot.log import get_logger

log = get_logger(__name__)


class WebhookAck(BaseModel):
    ok: bool = True


@asynccontextmanager
async def bot_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the bot with the app: webhook mode, or polling where the embedded workers run."""
    state: AppState | None = getattr(app.state, "app_state", None)
    runtime: BotRuntime | None = None
    if state is not None and state.settings.telegram_bot_token is not None:
        try:
            runtime = BotRuntime.create(state.settings, state.session_factory)
        except TokenValidationError:
            log.error("telegram bot: not started", reason="TELEGRAM_BOT_TOKEN is malformed")
        else:
            await runtime.start(poll=state.settings.embedded_workers)
    app.state.telegram_bot = runtime
    try:
        yield
    finally:
        app.state.telegram_bot = None
        if runtime is not None:
            await runtime.stop()


router = APIRouter(tags=["webhooks"], lifespan=bot_lifespan)


@router.post(
    WEBHOOK_PATH,
    response_model=WebhookAck,
    responses={
        400: {"model": ErrorOut, "description": "The body is not a Telegram update."},
        403: {
            "model": ErrorOut,
            "description": "Missing or wrong X-Telegram-Bot-Api-Secret-Token.",
        },
        404: {"model": ErrorOut, "description": "The Telegram bot is not configured here."},
    },
)
async def telegram_webhook(
    request: Request,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> WebhookAck:
    runtime: BotRuntime | None = getattr(request.app.state, "telegram_bot", None)
    if runtime is None:
        raise ApiError(404, "the Telegram bot is not configured")
    expected = webhook_secret(runtime.settings)
    if secret is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise ApiError(403, "missing or wrong secret token")
    try:
        update = Update.model_validate(await request.json(), context={"bot": runtime.bot})
    except (ValueError, ValidationError):
        raise ApiError(400, "the body is not a Telegram update") from None
    await runtime.feed(update)
    return WebhookAck()
