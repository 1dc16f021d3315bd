"""/whatsapp: link a number (a code sent by WhatsApp, typed back here), status, on/off, unlink,
instant or digest. The rules live in channels.whatsapp.linking; this is only the conversation.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import WhatsAppAction
from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.locales.bot import has_text, t
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import MODE_DIGEST, MODE_INSTANT, User
from ita_rent_bot.users.schemas import UserPatch


class WhatsAppStates(StatesGroup):
    number = State()
    code = State()


def _status_text(lang: str, user: User) -> str:
    if user.whatsapp_number is None or user.whatsapp_verified_at is None:
        return t(lang, "wa.status_unlinked")
    mode = t(lang, "wa.mode_instant" if user.whatsapp_mode == MODE_INSTANT else "wa.mode_digest")
    state = t(lang, "wa.on" if user.whatsapp_enabled else "wa.off")
    text = t(lang, "wa.status_linked", number=user.whatsapp_number, state=state, mode=mode)
    if user.whatsapp_problem:
        text += "\n" + _problem_text(lang, user.whatsapp_problem)
    return text


def _problem_text(lang: str, code: str) -> str:
    key = f"wa.problem.{code}"
    return t(lang, key) if has_text(lang, key) else t(lang, "wa.problem.other")


def _error_text(lang: str, exc: linking.LinkError) -> str:
    key = f"wa.error.{exc.code}"
    return t(lang, key) if has_text(lang, key) else t(lang, "wa.error.other", reason=exc.message)


async def _send_status(message: Message, lang: str, user: User, *, edit: bool) -> None:
    text, markup = _status_text(lang, user), keyboards.whatsapp_menu(lang, user)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def status(
    message: Message, state: FSMContext, user: User, lang: str, whatsapp: WhatsAppService | None
) -> None:
    await state.clear()
    if whatsapp is None:
        await message.answer(t(lang, "wa.unavailable"))
        return
    await _send_status(message, lang, user, edit=False)


async def whatsapp_button(
    callback: CallbackQuery,
    callback_data: WhatsAppAction,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    whatsapp: WhatsAppService | None,
) -> None:
    message = callback.message
    await callback.answer()
    if not isinstance(message, Message):
        return
    if whatsapp is None:
        await message.edit_text(t(lang, "wa.unavailable"))
        return
    action = callback_data.action
    if action == "link":
        await state.set_state(WhatsAppStates.number)
        await message.edit_text(
            t(lang, "wa.ask_number"),
            reply_markup=keyboards.cancel_only(lang, WhatsAppAction(action="cancel")),
        )
        return
    if action == "unlink":
        await message.edit_text(
            t(lang, "wa.confirm_unlink"), reply_markup=keyboards.confirm_unlink(lang)
        )
        return
    if action == "unlink_yes":
        await linking.unlink(session, user=user)
    elif action in ("on", "off"):
        await linking.set_enabled(session, user=user, enabled=action == "on")
    elif action in (MODE_INSTANT, MODE_DIGEST):
        await users.update_preferences(session, user=user, patch=UserPatch(whatsapp_mode=action))
    await state.clear()
    await _send_status(message, lang, user, edit=True)


async def number_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    whatsapp: WhatsAppService | None,
) -> None:
    if whatsapp is None:
        await state.clear()
        await message.answer(t(lang, "wa.unavailable"))
        return
    cancel = keyboards.cancel_only(lang, WhatsAppAction(action="cancel"))
    try:
        started = await linking.start_link(
            session, user=user, raw_number=message.text or "", service=whatsapp
        )
    except linking.LinkError as exc:
        await message.answer(_error_text(lang, exc), reply_markup=cancel)
        return
    await state.set_state(WhatsAppStates.code)
    await message.answer(t(lang, "wa.code_sent", number=started.number), reply_markup=cancel)


async def code_typed(
    message: Message, state: FSMContext, session: AsyncSession, user: User, lang: str
) -> None:
    try:
        linked = await linking.verify_code(session, user=user, code=(message.text or "").strip())
    except linking.LinkError as exc:
        await message.answer(
            _error_text(lang, exc),
            reply_markup=keyboards.cancel_only(lang, WhatsAppAction(action="cancel")),
        )
        return
    await state.clear()
    await message.answer(t(lang, "wa.linked", number=linked.whatsapp_number or ""))
    await _send_status(message, lang, linked, edit=False)


def create_router() -> Router:
    router = Router(name="whatsapp")
    router.message.register(status, Command("whatsapp"))
    router.callback_query.register(whatsapp_button, WhatsAppAction.filter())
    router.message.register(number_typed, WhatsAppStates.number)
    router.message.register(code_typed, WhatsAppStates.code)
    return router
