"""/whatsapp: link a number (a code sent by WhatsApp, typed back here), status, on/off, unlink,
instant or digest. The rules live in channels.whatsapp.linking; this is only the conversation.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import WhatsAppAction
from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.locales.bot import has_text, t
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import MODE_DIGEST, MODE_INSTANT, User
from ita_rent_bot.users.schemas import UserPatch


class WhatsAppStates(StatesGroup):
    number = State()
    code = State()


def _status_text(lang: str, user: User, settings: Settings) -> str:
    status = linking.whatsapp_status(user, settings)
    if not status.linked or status.number is None:
        return t(lang, "wa.status_unlinked")
    mode = t(lang, "wa.mode_instant" if status.mode == MODE_INSTANT else "wa.mode_digest")
    state = t(lang, "wa.on" if status.enabled else "wa.off")
    text = t(lang, "wa.status_linked", number=status.number, state=state, mode=mode)
    if status.problem:
        key = f"wa.problem.{status.problem}"
        text += "\n" + t(lang, key if has_text(lang, key) else "wa.problem.other")
    return text


def _cancel(lang: str) -> InlineKeyboardMarkup:
    return keyboards.cancel_only(lang, WhatsAppAction(action="cancel"))


async def _send_status(
    message: Message, lang: str, user: User, settings: Settings, *, edit: bool
) -> None:
    text, markup = _status_text(lang, user, settings), keyboards.whatsapp_menu(lang, user)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def status(
    message: Message,
    user: User,
    lang: str,
    settings: Settings,
    whatsapp: WhatsAppService | None,
) -> None:
    if whatsapp is None and user.whatsapp_number is None:
        await message.answer(t(lang, "wa.unavailable"))
        return
    await _send_status(message, lang, user, settings, edit=False)


async def whatsapp_button(
    callback: CallbackQuery,
    callback_data: WhatsAppAction,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    settings: Settings,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    action = callback_data.action
    if action == "link":
        await callback.answer()
        await state.set_state(WhatsAppStates.number)
        await message.edit_text(t(lang, "wa.ask_number"), reply_markup=_cancel(lang))
        return
    if action == "unlink":
        await callback.answer()
        await message.edit_text(
            t(lang, "wa.confirm_unlink"), reply_markup=keyboards.confirm_unlink(lang)
        )
        return
    try:
        if action == "unlink_yes":
            await linking.unlink(session, user=user)
        elif action in ("on", "off"):
            await linking.set_enabled(session, user=user, enabled=action == "on")
        elif action in (MODE_INSTANT, MODE_DIGEST):
            patch = UserPatch(whatsapp_mode=action)
            await users.update_preferences(session, user=user, patch=patch)
    except linking.LinkError as exc:
        await callback.answer(exc.message, show_alert=True)
        return
    await callback.answer()
    await state.clear()
    await _send_status(message, lang, user, settings, edit=True)


async def number_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    whatsapp: WhatsAppService | None,
) -> None:
    try:
        started = await linking.start_link(
            session, user=user, raw_number=message.text or "", service=whatsapp
        )
    except linking.LinkError as exc:
        await message.answer(escape(exc.message), reply_markup=_cancel(lang))
        return
    await state.set_state(WhatsAppStates.code)
    await message.answer(t(lang, "wa.code_sent", number=started.number), reply_markup=_cancel(lang))


async def code_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    settings: Settings,
) -> None:
    """A wrong code is counted in the session, which the middleware commits (LinkError is ours)."""
    try:
        linked = await linking.verify_code(session, user=user, code=message.text or "")
    except linking.LinkError as exc:
        await message.answer(escape(exc.message), reply_markup=_cancel(lang))
        return
    await state.clear()
    await message.answer(t(lang, "wa.linked", number=linked.whatsapp_number or ""))
    await _send_status(message, lang, linked, settings, edit=False)


def create_router() -> Router:
    router = Router(name="whatsapp")
    router.message.register(status, Command("whatsapp"))
    router.callback_query.register(whatsapp_button, WhatsAppAction.filter())
    router.message.register(number_typed, WhatsAppStates.number, F.text)
    router.message.register(code_typed, WhatsAppStates.code, F.text)
    return router
