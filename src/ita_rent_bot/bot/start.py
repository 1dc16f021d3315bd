"""/start (sign-up and the three-line welcome), blocks and unblocks, and the catch-all replies."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from ita_rent_bot.bot import keyboards
from ita_rent_bot.db import utcnow
from ita_rent_bot.locales.bot import t
from ita_rent_bot.users.models import User


async def start(message: Message, state: FSMContext, user: User, lang: str) -> None:
    await state.clear()
    await message.answer(t(lang, "start.welcome"), reply_markup=keyboards.start_menu(lang))


async def blocked(event: ChatMemberUpdated, user: User | None) -> None:
    if user is not None and user.telegram_blocked_at is None:
        user.telegram_enabled = False
        user.telegram_blocked_at = utcnow()


async def unblocked(event: ChatMemberUpdated, user: User | None) -> None:
    if user is not None and user.telegram_blocked_at is not None:
        user.telegram_blocked_at = None
        user.telegram_enabled = True


async def unknown_message(message: Message, lang: str) -> None:
    await message.answer(t(lang, "fallback.unknown"), reply_markup=keyboards.start_menu(lang))


async def stale_button(callback: CallbackQuery, lang: str) -> None:
    await callback.answer(t(lang, "fallback.stale_button"))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.my_chat_member.register(
        blocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER >> KICKED)
    )
    router.my_chat_member.register(
        unblocked, ChatMemberUpdatedFilter(member_status_changed=KICKED >> MEMBER)
    )
    return router


def create_fallback_router() -> Router:
    """Last in line: a message nobody understood, a button from a finished conversation."""
    router = Router(name="fallback")
    router.message.register(unknown_message, F.text)
    router.callback_query.register(stale_button)
    return router
