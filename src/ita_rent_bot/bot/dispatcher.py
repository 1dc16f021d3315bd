"""The Bot (channels.telegram.make_bot: HTML, TELEGRAM_API_BASE_URL) and the Dispatcher with
every router in one ordered list.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.bot import errors, filters, listings, settings, start, whatsapp
from ita_rent_bot.bot.middleware import CommandResetsState, DbSessionMiddleware
from ita_rent_bot.channels.telegram import make_bot
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings

# Order matters: errors first, features next, the catch-all last.
ROUTERS: tuple[Callable[[], Router], ...] = (
    errors.create_router,
    start.create_router,
    settings.create_router,
    filters.create_router,
    listings.create_router,
    whatsapp.create_router,
    start.create_fallback_router,
)


class BotNotConfiguredError(RuntimeError):
    """TELEGRAM_BOT_TOKEN is not set."""


def create_bot(settings: Settings) -> Bot:
    """The bot that answers users: HTML parse mode, TELEGRAM_API_BASE_URL when set."""
    if settings.telegram_bot_token is None:
        raise BotNotConfiguredError("TELEGRAM_BOT_TOKEN is not set")
    return make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url)


def _fsm(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    """In memory on one machine; in Redis when REDIS_URL is set, so any replica continues a chat."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        storage = RedisStorage.from_url(settings.redis_url)
        return storage, storage.create_isolation()
    return MemoryStorage(), SimpleEventIsolation()


def create_dispatcher(
    *,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    whatsapp_service: WhatsAppService | None = None,
) -> Dispatcher:
    """Handlers receive `settings`, `session_factory`, `whatsapp` (None when WhatsApp is off),
    plus per update `session`, `user`, `lang` (the middleware) and `state` (aiogram's FSM)."""
    storage, isolation = _fsm(settings)
    dp = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        session_factory=session_factory,
        whatsapp=whatsapp_service,
    )
    dp.update.outer_middleware(DbSessionMiddleware(session_factory))
    dp.message.outer_middleware(CommandResetsState())
    dp.message.filter(F.chat.type == "private")
    dp.callback_query.filter(F.message.chat.type == "private")
    dp.include_routers(*(build() for build in ROUTERS))
    return dp
