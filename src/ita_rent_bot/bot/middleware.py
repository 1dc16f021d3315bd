"""One database session per update, committed when the handler returns, and the User it is about.

Handlers receive `session`, `user` (None outside private chats and for membership updates of
someone we have never met) and `lang`. A handler that raises rolls everything back; the errors
handler then answers with an apology.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TelegramUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.locales import normalise_language
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Updates that mean the person is talking to us, so that we create their User on first contact.
_CONTACT_UPDATES = frozenset({"message", "callback_query"})


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: TelegramUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        data["lang"] = normalise_language(from_user.language_code if from_user else None)
        async with self.session_factory() as session:
            data["session"] = session
            user: User | None = None
            if from_user is not None and chat is not None and chat.type == "private":
                creating = isinstance(event, Update) and event.event_type in _CONTACT_UPDATES
                if creating:
                    user, _ = await users.get_or_create_telegram_user(
                        session,
                        chat_id=chat.id,
                        username=from_user.username,
                        language_code=from_user.language_code,
                    )
                    if user.telegram_blocked_at is not None:
                        # They write to us again, so they unblocked the bot.
                        user.telegram_blocked_at = None
                        user.telegram_enabled = True
                else:
                    user = await users.get_by_telegram_chat(session, chat_id=chat.id)
            data["user"] = user
            if user is not None:
                data["lang"] = user.language
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            return result


class CommandResetsState(BaseMiddleware):
    """A command ends whatever conversation was going on (a half-done wizard, a pending code)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        text = getattr(event, "text", None)
        state = data.get("state")
        if isinstance(text, str) and text.startswith("/") and state is not None:
            await state.clear()
            data["raw_state"] = None
        return await handler(event, data)
