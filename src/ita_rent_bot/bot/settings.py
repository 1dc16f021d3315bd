"""The user's own switches: /settings (language, quiet hours, time zone, card options), /pause,
/resume, /token, /help, /language, and /leave (delete my data, after a confirmation).
"""

from __future__ import annotations

import re
from datetime import time

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import LeaveAction, Menu, SettingsAction
from ita_rent_bot.locales.bot import t
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import MODE_DIGEST, MODE_INSTANT, User
from ita_rent_bot.users.schemas import UserPatch

_HOUR = r"(\d{1,2})(?:[:.](\d{2}))?"
QUIET_HOURS = re.compile(rf"^\s*{_HOUR}\s*[-–]\s*{_HOUR}\s*$")


class SettingsStates(StatesGroup):
    timezone = State()
    quiet_hours = State()


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """ "23-7", "22:30-07:00" → (start, end); None when it is not two valid times."""
    match = QUIET_HOURS.match(text)
    if match is None:
        return None
    h1, m1, h2, m2 = (int(part) if part else 0 for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


def _settings_text(lang: str, user: User) -> str:
    if user.quiet_hours_start is not None and user.quiet_hours_end is not None:
        quiet = f"{user.quiet_hours_start:%H:%M}–{user.quiet_hours_end:%H:%M}"
    else:
        quiet = t(lang, "settings.quiet_none")
    return t(
        lang,
        "settings.summary",
        language_name=keyboards.LANGUAGE_NAMES[user.language],
        timezone=user.timezone,
        quiet=quiet,
        paused=t(lang, "settings.paused_yes" if user.paused else "settings.paused_no"),
    )


async def show_settings(message: Message, state: FSMContext, user: User, lang: str) -> None:
    await state.clear()
    await message.answer(
        _settings_text(lang, user), reply_markup=keyboards.settings_menu(lang, user)
    )


async def settings_by_button(callback: CallbackQuery, user: User, lang: str) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _settings_text(lang, user), reply_markup=keyboards.settings_menu(lang, user)
        )


async def settings_button(
    callback: CallbackQuery,
    callback_data: SettingsAction,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    action, value = callback_data.action, callback_data.value
    patch: UserPatch | None = None
    if action == "lang" and not value:
        await callback.answer()
        await message.edit_text(
            t(lang, "settings.choose_language"), reply_markup=keyboards.languages(user.language)
        )
        return
    if action == "lang":
        patch = UserPatch.model_validate({"language": value})
    elif action == "photos":
        patch = UserPatch(telegram_all_photos=not user.telegram_all_photos)
    elif action == "drops":
        patch = UserPatch(price_drop_alerts=not user.price_drop_alerts)
    elif action == "mode":
        other = MODE_DIGEST if user.telegram_mode == MODE_INSTANT else MODE_INSTANT
        patch = UserPatch(telegram_mode=other)
    elif action == "quiet_off":
        patch = UserPatch(quiet_hours_start=None, quiet_hours_end=None)
    elif action in ("tz", "quiet"):
        await callback.answer()
        target = SettingsStates.timezone if action == "tz" else SettingsStates.quiet_hours
        await state.set_state(target)
        markup = (
            keyboards.quiet_hours_step(lang)
            if action == "quiet"
            else keyboards.cancel_only(lang, SettingsAction(action="menu"))
        )
        await message.edit_text(t(lang, f"settings.ask_{action}"), reply_markup=markup)
        return
    if patch is not None:
        await users.update_preferences(session, user=user, patch=patch)
    await state.clear()
    await callback.answer(t(user.language, "settings.updated") if patch else None)
    await message.edit_text(
        _settings_text(user.language, user),
        reply_markup=keyboards.settings_menu(user.language, user),
    )


async def timezone_typed(
    message: Message, state: FSMContext, session: AsyncSession, user: User, lang: str
) -> None:
    try:
        patch = UserPatch(timezone=(message.text or "").strip())
    except ValidationError:
        await message.answer(
            t(lang, "settings.bad_timezone"),
            reply_markup=keyboards.cancel_only(lang, SettingsAction(action="menu")),
        )
        return
    await users.update_preferences(session, user=user, patch=patch)
    await state.clear()
    await message.answer(
        _settings_text(lang, user), reply_markup=keyboards.settings_menu(lang, user)
    )


async def quiet_hours_typed(
    message: Message, state: FSMContext, session: AsyncSession, user: User, lang: str
) -> None:
    hours = parse_quiet_hours(message.text or "")
    patch: UserPatch | None = None
    if hours is not None:
        try:
            patch = UserPatch(quiet_hours_start=hours[0], quiet_hours_end=hours[1])
        except ValidationError:
            patch = None
    if patch is None:
        await message.answer(
            t(lang, "settings.bad_quiet"), reply_markup=keyboards.quiet_hours_step(lang)
        )
        return
    await users.update_preferences(session, user=user, patch=patch)
    await state.clear()
    await message.answer(
        _settings_text(lang, user), reply_markup=keyboards.settings_menu(lang, user)
    )


async def language(message: Message, user: User, lang: str) -> None:
    await message.answer(
        t(lang, "settings.choose_language"), reply_markup=keyboards.languages(user.language)
    )


async def pause(message: Message, session: AsyncSession, user: User, lang: str) -> None:
    await users.update_preferences(session, user=user, patch=UserPatch(paused=True))
    await message.answer(t(lang, "settings.paused"))


async def resume(message: Message, session: AsyncSession, user: User, lang: str) -> None:
    await users.update_preferences(session, user=user, patch=UserPatch(paused=False))
    await message.answer(t(lang, "settings.resumed"))


async def token(message: Message, session: AsyncSession, user: User, lang: str) -> None:
    issued = await users.issue_api_token(session, user=user)
    await message.answer(t(lang, "settings.token", token=issued))


async def help_text(message: Message, lang: str) -> None:
    await message.answer(t(lang, "help.text"))


async def help_by_button(callback: CallbackQuery, lang: str) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(t(lang, "help.text"))


async def leave(message: Message, lang: str) -> None:
    await message.answer(t(lang, "leave.confirm"), reply_markup=keyboards.confirm_leave(lang))


async def leave_button(
    callback: CallbackQuery,
    callback_data: LeaveAction,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    await callback.answer()
    if callback_data.confirm:
        await users.delete_user(session, user=user)
        await state.clear()
        text = t(lang, "leave.done")
    else:
        text = t(lang, "leave.kept")
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(show_settings, Command("settings"))
    router.callback_query.register(settings_by_button, Menu.filter(F.action == "settings"))
    router.callback_query.register(help_by_button, Menu.filter(F.action == "help"))
    router.callback_query.register(settings_button, SettingsAction.filter())
    router.message.register(timezone_typed, SettingsStates.timezone, F.text)
    router.message.register(quiet_hours_typed, SettingsStates.quiet_hours, F.text)
    router.message.register(language, Command("language"))
    router.message.register(pause, Command("pause"))
    router.message.register(resume, Command("resume"))
    router.message.register(token, Command("token"))
    router.message.register(help_text, Command("help"))
    router.message.register(leave, Command("leave", "delete_my_data"))
    router.callback_query.register(leave_button, LeaveAction.filter())
    return router
