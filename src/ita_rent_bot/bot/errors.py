"""The one place handler errors end: a short apology in the user's language, logged with the
update id; a 403 "bot was blocked" turns the user's Telegram channel off instead, and a button
tapped twice ("message is not modified") is nothing at all.

The handler's own session was rolled back, so this opens a short one of its own.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ErrorEvent, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.db import unit_of_work, utcnow
from ita_rent_bot.locales.bot import t
from ita_rent_bot.log import get_logger
from ita_rent_bot.users import service as users

log = get_logger(__name__)


def _chat_id(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        message = update.callback_query.message
        return message.chat.id if message is not None else update.callback_query.from_user.id
    return None


async def mark_blocked(session_factory: async_sessionmaker[AsyncSession], chat_id: int) -> None:
    """The user blocked the bot: stop sending there until they write to us again."""
    async with unit_of_work(session_factory) as session:
        user = await users.get_by_telegram_chat(session, chat_id=chat_id)
        if user is not None and user.telegram_blocked_at is None:
            user.telegram_enabled = False
            user.telegram_blocked_at = utcnow()


async def on_error(
    event: ErrorEvent,
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    lang: str = "ru",
    **_: Any,
) -> bool:
    update, exc = event.update, event.exception
    chat_id = _chat_id(update)
    if isinstance(exc, TelegramForbiddenError):
        log.info("user blocked the bot", update_id=update.update_id)
        if chat_id is not None:
            await mark_blocked(session_factory, chat_id)
        return True
    if isinstance(exc, TelegramBadRequest) and "message is not modified" in exc.message:
        # a button tapped twice: the message already shows what the second tap would show
        if update.callback_query is not None:
            with contextlib.suppress(TelegramAPIError):
                await bot.answer_callback_query(update.callback_query.id)
        return True
    log.error(
        "bot handler failed",
        update_id=update.update_id,
        error=f"{type(exc).__name__}: {exc}",
        exc_info=exc,
    )
    apology = t(lang, "error.apology")
    try:
        if update.callback_query is not None:
            # stop the button's spinner; it may have been answered already, so the apology
            # itself goes to the chat
            with contextlib.suppress(TelegramAPIError):
                await bot.answer_callback_query(update.callback_query.id)
        if chat_id is not None:
            await bot.send_message(chat_id, apology)
    except TelegramForbiddenError:
        if chat_id is not None:
            await mark_blocked(session_factory, chat_id)
    except TelegramAPIError as send_exc:
        log.warning("could not send the apology", update_id=update.update_id, error=str(send_exc))
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
