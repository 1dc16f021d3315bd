"""Searches in the bot: the wizard's entry points (/new, "New search") and /filters (open, edit,
pause, resume, delete), assembled into one router.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards, wizard
from ita_rent_bot.bot.keyboards import FilterAction, Menu, Wizard
from ita_rent_bot.bot.views import FilterDraft, filter_summary
from ita_rent_bot.bot.wizard import WizardStates
from ita_rent_bot.filters import service as filters
from ita_rent_bot.locales.bot import Html, t, tn
from ita_rent_bot.users.models import User


async def _list_view(
    session: AsyncSession, user: User, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    found = await filters.list_filters(session, user_id=user.id)
    if not found:
        return t(lang, "filters.empty"), keyboards.filters_list(lang, [])
    return tn(lang, "filters.count", len(found)), keyboards.filters_list(lang, found)


async def list_by_command(message: Message, session: AsyncSession, user: User, lang: str) -> None:
    text, markup = await _list_view(session, user, lang)
    await message.answer(text, reply_markup=markup)


async def list_by_button(
    callback: CallbackQuery, session: AsyncSession, user: User, lang: str
) -> None:
    await callback.answer()
    text, markup = await _list_view(session, user, lang)
    if isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def filter_button(
    callback: CallbackQuery,
    callback_data: FilterAction,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    action, filter_id = callback_data.action, callback_data.filter_id
    if action == "list":
        await callback.answer()
        text, markup = await _list_view(session, user, lang)
        await message.edit_text(text, reply_markup=markup)
        return
    if action == "delete_yes":
        deleted = await filters.delete_filter(session, user_id=user.id, filter_id=filter_id)
        await callback.answer(t(lang, "filters.deleted" if deleted else "filters.not_found"))
        text, markup = await _list_view(session, user, lang)
        await message.edit_text(text, reply_markup=markup)
        return
    if action in ("pause", "resume"):
        found = await filters.set_paused(
            session, user_id=user.id, filter_id=filter_id, paused=action == "pause"
        )
        await callback.answer(t(lang, f"filters.{action}d") if found else None)
    else:
        found = await filters.get_filter(session, user_id=user.id, filter_id=filter_id)
        await callback.answer()
    if found is None:
        text, markup = await _list_view(session, user, lang)
        await message.edit_text(t(lang, "filters.not_found") + "\n\n" + text, reply_markup=markup)
        return
    if action == "edit":
        await wizard.show_step(
            "summary",
            lang=lang,
            state=state,
            draft=FilterDraft.from_filter(found),
            message=message,
            edit=True,
        )
        return
    summary = filter_summary(lang, FilterDraft.from_filter(found))
    status = t(lang, "filters.paused_status" if found.paused else "filters.active_status")
    if action == "delete":
        text = t(lang, "filters.confirm_delete", name=found.name)
        await message.edit_text(text, reply_markup=keyboards.confirm_delete_filter(lang, found.id))
        return
    text = t(lang, "filters.detail", name=found.name, status=status, summary=Html(summary))
    await message.edit_text(text, reply_markup=keyboards.filter_detail(lang, found))


def create_router() -> Router:
    router = Router(name="filters")
    router.message.register(wizard.new_by_command, Command("new"))
    router.callback_query.register(wizard.new_by_button, Menu.filter(F.action == "new"))
    router.message.register(list_by_command, Command("filters"))
    router.callback_query.register(list_by_button, Menu.filter(F.action == "filters"))
    router.callback_query.register(filter_button, FilterAction.filter())
    router.message.register(wizard.city_typed, WizardStates.city, F.text)
    router.message.register(
        wizard.range_typed,
        StateFilter(WizardStates.price, WizardStates.rooms, WizardStates.area),
        F.text,
    )
    router.message.register(
        wizard.words_typed,
        StateFilter(WizardStates.include_words, WizardStates.exclude_words),
        F.text,
    )
    router.callback_query.register(wizard.wizard_button, Wizard.filter())
    return router
