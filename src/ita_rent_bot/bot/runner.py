"""Running the bot: long polling by default, webhook mode (setWebhook with the secret token)
when PUBLIC_BASE_URL is set. `BotRuntime` owns the Bot, the Dispatcher and the WhatsApp service.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.bot.commands import publish_commands
from ita_rent_bot.bot.dispatcher import create_bot, create_dispatcher
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
POLLING_TIMEOUT_SECONDS = 30
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, else one derived from the bot token (the same on every replica)."""
    if settings.telegram_webhook_secret is not None:
        return settings.telegram_webhook_secret.get_secret_value()
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.telegram_bot_token.get_secret_value().encode()
    return hmac.new(token, b"ita-rent-bot telegram webhook", hashlib.sha256).hexdigest()


def webhook_url(settings: Settings) -> str | None:
    if not settings.public_base_url:
        return None
    return settings.public_base_url.rstrip("/") + WEBHOOK_PATH


def _log_polling_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("telegram polling stopped with an error", error=repr(task.exception()))


@dataclass
class BotRuntime:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    whatsapp: WhatsAppService | None = None
    polling_timeout: int = POLLING_TIMEOUT_SECONDS
    _polling: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        polling_timeout: int = POLLING_TIMEOUT_SECONDS,
    ) -> BotRuntime:
        whatsapp = WhatsAppService.from_settings(settings)
        dispatcher = create_dispatcher(
            settings=settings, session_factory=session_factory, whatsapp_service=whatsapp
        )
        return cls(
            settings=settings,
            bot=create_bot(settings),
            dispatcher=dispatcher,
            whatsapp=whatsapp,
            polling_timeout=polling_timeout,
        )

    @property
    def webhook_mode(self) -> bool:
        return webhook_url(self.settings) is not None

    async def start(self, *, poll: bool = True) -> None:
        """Publish the command menu, then, in webhook mode, register the webhook; otherwise
        start polling in the background if `poll` (only one process may poll a bot: API-only
        replicas pass False)."""
        await publish_commands(self.bot)
        url = webhook_url(self.settings)
        if url is not None:
            try:
                await self.bot.set_webhook(
                    url,
                    secret_token=webhook_secret(self.settings),
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                )
            except (TelegramAPIError, TelegramNetworkError) as exc:
                # Telegram keeps a webhook set before, so updates may well keep coming
                log.error("telegram bot: could not set the webhook", url=url, error=str(exc))
            else:
                log.info("telegram bot: webhook mode", url=url)
        elif poll:
            self._polling = asyncio.create_task(self.run_polling(handle_signals=False))
            self._polling.add_done_callback(_log_polling_end)
            log.info("telegram bot: long polling")

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Long polling until stopped (a signal, or `stop`); a webhook set earlier is removed.

        Telegram out of reach at start (aiogram gives up then) is retried with a growing delay;
        a wrong token is not.
        """
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                await self.bot.delete_webhook()
                await self.dispatcher.start_polling(
                    self.bot,
                    polling_timeout=self.polling_timeout,
                    handle_signals=handle_signals,
                    close_bot_session=False,
                )
                return
            except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
                log.warning(
                    "telegram bot: Bot API out of reach, retrying", error=str(exc), in_s=delay
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)

    async def feed(self, update: Update) -> None:
        """One update from the webhook; an answer returned by a handler is sent as a call."""
        try:
            result: Any = await self.dispatcher.feed_webhook_update(self.bot, update)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(self.bot, result)
        except Exception as exc:
            log.error("webhook update failed", update_id=update.update_id, error=repr(exc))

    async def stop(self) -> None:
        task, self._polling = self._polling, None
        if task is not None:
            if not task.done():
                try:
                    await self.dispatcher.stop_polling()
                except RuntimeError:  # not started yet: cancelling it before its first step
                    task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task  # an error was logged when it ended
        await self.aclose()

    async def aclose(self) -> None:
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        if self.whatsapp is not None:
            await self.whatsapp.aclose()
