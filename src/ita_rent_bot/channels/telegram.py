"""The Telegram channel: aiogram's Bot in HTML mode, each Bot API answer mapped to an Outcome.

TELEGRAM_API_BASE_URL points the bot at a local Bot API server (or a loopback fake in tests).
A photo Telegram cannot fetch (portals often refuse hotlinking) is sent again as a text card.
"""

from __future__ import annotations

from typing import ClassVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, MediaUnion

from ita_rent_bot.channels.base import (
    Button,
    Channel,
    Outcome,
    OutgoingMessage,
    PermanentFailure,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
)
from ita_rent_bot.config import Settings

DEFAULT_TIMEOUT_SECONDS = 20.0
_PHOTO_REFUSED = (
    "wrong file identifier",
    "failed to get http url content",
    "wrong type of the web page content",
    "image_process_failed",
    "photo_invalid_dimensions",
    "wrong remote file",
    "photo_invalid",
)


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Buttons two to a row, in the order given."""
    if not buttons:
        return None
    items = [
        InlineKeyboardButton(text=b.text, url=b.url, callback_data=b.callback_data) for b in buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=[items[i : i + 2] for i in range(0, len(items), 2)])


def api_server(base_url: str | None) -> TelegramAPIServer:
    return TelegramAPIServer.from_base(base_url) if base_url else PRODUCTION


def make_bot(token: str, base_url: str | None, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Bot:
    """The one way this project builds an aiogram Bot: HTML parse mode, optional API server."""
    session = AiohttpSession(api=api_server(base_url), timeout=timeout)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


def outcome_of_error(exc: AiogramError) -> Outcome:
    """A Bot API error as the engine's Outcome (retry, give up on the message, or user gone)."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryLater(after_seconds=float(exc.retry_after), reason=exc.message, code="429")
    if isinstance(exc, TelegramForbiddenError):
        return RecipientGone(reason=exc.message, code="403")
    if isinstance(exc, TelegramMigrateToChat):
        return PermanentFailure(reason=exc.message, code="migrated")
    if isinstance(exc, TelegramBadRequest):
        if "chat not found" in exc.message.lower():
            return RecipientGone(reason=exc.message, code="400")
        return PermanentFailure(reason=exc.message, code="400")
    if isinstance(exc, TelegramServerError):
        return RetryLater(after_seconds=None, reason=exc.message, code="5xx")
    if isinstance(exc, TelegramNetworkError):
        return RetryLater(after_seconds=None, reason=exc.message, code="network")
    if isinstance(exc, TelegramAPIError):
        return RetryLater(after_seconds=None, reason=exc.message, code="api")
    return RetryLater(after_seconds=None, reason=type(exc).__name__, code="decode")


class TelegramChannel(Channel):
    name: ClassVar[str] = "telegram"
    body_limit: ClassVar[int] = 4096
    caption_limit: ClassVar[int | None] = 1024
    max_media: ClassVar[int] = 10
    supports_buttons: ClassVar[bool] = True

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramChannel | None:
        if settings.telegram_bot_token is None:
            return None
        token = settings.telegram_bot_token.get_secret_value()
        return cls(make_bot(token, settings.telegram_api_base_url))

    async def aclose(self) -> None:
        await self.bot.session.close()

    async def _text(self, chat_id: int, message: OutgoingMessage) -> int:
        sent = await self.bot.send_message(
            chat_id, message.text, reply_markup=keyboard(message.buttons)
        )
        return sent.message_id

    async def _send(self, chat_id: int, message: OutgoingMessage) -> int:
        if len(message.photos) >= 2:
            media: list[MediaUnion] = [
                InputMediaPhoto(media=url, caption=message.text if i == 0 else None)
                for i, url in enumerate(message.photos[: self.max_media])
            ]
            album = await self.bot.send_media_group(chat_id, media)
            return album[0].message_id
        if message.photos:
            try:
                sent = await self.bot.send_photo(
                    chat_id,
                    message.photos[0],
                    caption=message.text,
                    reply_markup=keyboard(message.buttons),
                )
            except TelegramBadRequest as exc:
                if not any(p in exc.message.lower() for p in _PHOTO_REFUSED):
                    raise
                return await self._text(chat_id, message)
            return sent.message_id
        return await self._text(chat_id, message)

    async def send(self, recipient: Recipient, message: OutgoingMessage) -> Outcome:
        try:
            chat_id = int(recipient.address)
        except ValueError:
            return RecipientGone(reason="not a Telegram chat id", code="address")
        try:
            message_id = await self._send(chat_id, message)
        except AiogramError as exc:
            return outcome_of_error(exc)
        except (TimeoutError, OSError) as exc:
            return RetryLater(after_seconds=None, reason=type(exc).__name__, code="network")
        return Sent(provider_message_id=str(message_id), path="bot_api")
