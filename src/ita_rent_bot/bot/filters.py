"""The search wizard (/new) and the list of searches (/filters: edit, pause, resume, delete).

Wizard: city → price → rooms → area → options → summary → save. Every step has Back and Cancel;
typed input goes through the shared validator (filters.validation) and its messages.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import FilterAction, Menu, Wizard
from ita_rent_bot.bot.views import FilterDraft, default_name, filter_summary, listing_line
from ita_rent_bot.filters import cities, validation
from ita_rent_bot.filters import service as filters
from ita_rent_bot.filters.schemas import SOURCE_NAMES, FilterIn, FilterPatch
from ita_rent_bot.filters.validation import FilterValidationError
from ita_rent_bot.locales.bot import Html, t, tn
from ita_rent_bot.users.models import User

PORTALS: tuple[str, ...] = SOURCE_NAMES
PREVIEW_LIMIT = 3


class WizardStates(StatesGroup):
    city = State()
    price = State()
    rooms = State()
    area = State()
    options = State()
    include_words = State()
    exclude_words = State()
    summary = State()


STEPS = ("city", "price", "rooms", "area", "options", "summary")
RANGE_STEPS = {"price": "price", "rooms": "rooms", "area": "area"}


def _state(step: str) -> State:
    state: State = getattr(WizardStates, step)
    return state


async def _draft(state: FSMContext) -> FilterDraft:
    return FilterDraft.model_validate((await state.get_data()).get("draft", {}))


async def _save_draft(state: FSMContext, draft: FilterDraft) -> None:
    await state.update_data(draft=draft.model_dump())


def _step_view(lang: str, step: str, draft: FilterDraft) -> tuple[str, InlineKeyboardMarkup]:
    number = STEPS.index(step) + 1 if step in STEPS else STEPS.index("options") + 1
    header = t(lang, "wiz.step", n=number, total=len(STEPS))
    if step == "city":
        return header + t(lang, "wiz.city"), keyboards.city_step(lang)
    if step in ("price", "area"):
        return header + t(lang, f"wiz.{step}"), keyboards.wizard_step(lang, any_button=True)
    if step == "rooms":
        return header + t(lang, "wiz.rooms"), keyboards.rooms_step(lang)
    if step == "options":
        text = header + t(lang, "wiz.options") + "\n\n" + filter_summary(lang, draft)
        markup = keyboards.options_step(
            lang, portals=PORTALS, selected=draft.sources, private_only=draft.private_only
        )
        return text, markup
    if step in ("include_words", "exclude_words"):
        return t(lang, f"wiz.{step}"), keyboards.wizard_step(lang)
    text = t(lang, "wiz.summary", summary=Html(filter_summary(lang, draft)))
    return text, keyboards.summary_step(lang)


async def _show(
    step: str,
    *,
    lang: str,
    state: FSMContext,
    draft: FilterDraft,
    message: Message,
    edit: bool,
    error: str | None = None,
) -> None:
    """Move to `step`: edit the prompt in place after a button, send a new one after typing."""
    await state.set_state(_state(step))
    await _save_draft(state, draft)
    text, markup = _step_view(lang, step, draft)
    if error:
        text = f"⚠️ {escape(error)}\n\n{text}"
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


def _after(step: str, draft: FilterDraft) -> str:
    if draft.return_to_summary:
        return "summary"
    return STEPS[STEPS.index(step) + 1]


def _before(step: str, draft: FilterDraft) -> str | None:
    if step in ("include_words", "exclude_words"):
        return "options"
    if draft.return_to_summary and step != "summary":
        return "summary"
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


async def _current_step(state: FSMContext) -> str | None:
    raw = await state.get_state()
    return raw.split(":", 1)[1] if raw and raw.startswith("WizardStates:") else None


# --- entering the wizard -------------------------------------------------------------------


async def new_by_command(message: Message, state: FSMContext, lang: str) -> None:
    await state.clear()
    await _show("city", lang=lang, state=state, draft=FilterDraft(), message=message, edit=False)


async def new_by_button(callback: CallbackQuery, state: FSMContext, lang: str) -> None:
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await _show(
            "city",
            lang=lang,
            state=state,
            draft=FilterDraft(),
            message=callback.message,
            edit=False,
        )


# --- typed answers -------------------------------------------------------------------------


async def city_typed(message: Message, state: FSMContext, lang: str) -> None:
    draft = await _draft(state)
    try:
        draft.city = validation.parse_city(message.text or "")
    except FilterValidationError as exc:
        suggestions = [
            (slug, cities.display_name(slug, language=lang))
            for slug in exc.params.get("suggestions", [])
        ]
        await message.answer(
            f"⚠️ {escape(exc.message(lang))}\n\n{t(lang, 'wiz.city')}",
            reply_markup=keyboards.city_step(lang, suggestions),
        )
        return
    await _show(
        _after("city", draft), lang=lang, state=state, draft=draft, message=message, edit=False
    )


async def _apply_range(
    step: str, text: str, *, lang: str, state: FSMContext, message: Message, edit: bool
) -> None:
    draft = await _draft(state)
    try:
        lo, hi = validation.parse_range(text, RANGE_STEPS[step])
    except FilterValidationError as exc:
        await _show(
            step,
            lang=lang,
            state=state,
            draft=draft,
            message=message,
            edit=False,
            error=exc.message(lang),
        )
        return
    setattr(draft, f"{step}_min", lo)
    setattr(draft, f"{step}_max", hi)
    await _show(
        _after(step, draft), lang=lang, state=state, draft=draft, message=message, edit=edit
    )


async def range_typed(message: Message, state: FSMContext, lang: str) -> None:
    step = await _current_step(state)
    if step in RANGE_STEPS:
        await _apply_range(
            step, message.text or "", lang=lang, state=state, message=message, edit=False
        )


async def words_typed(message: Message, state: FSMContext, lang: str) -> None:
    step = await _current_step(state)
    draft = await _draft(state)
    if step not in ("include_words", "exclude_words"):
        return
    try:
        values = validation.parse_words(message.text or "", step)
    except FilterValidationError as exc:
        await _show(
            step,
            lang=lang,
            state=state,
            draft=draft,
            message=message,
            edit=False,
            error=exc.message(lang),
        )
        return
    if step == "include_words":
        draft.include_words = values
    else:
        draft.exclude_words = values
    await _show("options", lang=lang, state=state, draft=draft, message=message, edit=False)


# --- buttons -------------------------------------------------------------------------------


async def wizard_button(
    callback: CallbackQuery,
    callback_data: Wizard,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    step = await _current_step(state)
    message = callback.message
    if step is None or not isinstance(message, Message):
        await callback.answer(t(lang, "fallback.stale_button"))
        return
    await callback.answer()
    draft = await _draft(state)
    action, value = callback_data.action, callback_data.value

    if action == "cancel":
        await state.clear()
        await message.edit_text(t(lang, "wiz.cancelled"), reply_markup=keyboards.start_menu(lang))
    elif action == "back":
        previous = _before(step, draft)
        if previous is None:
            await state.clear()
            await message.edit_text(
                t(lang, "wiz.cancelled"), reply_markup=keyboards.start_menu(lang)
            )
        else:
            await _show(previous, lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "city":
        draft.city = value
        await _show(
            _after("city", draft), lang=lang, state=state, draft=draft, message=message, edit=True
        )
    elif action == "any" and step in RANGE_STEPS:
        await _apply_range(step, "any", lang=lang, state=state, message=message, edit=True)
    elif action == "rooms" and step == "rooms":
        await _apply_range("rooms", value, lang=lang, state=state, message=message, edit=True)
    elif action == "src" and value in PORTALS:
        chosen = set(draft.sources or PORTALS) ^ {value}
        draft.sources = [] if not chosen or chosen == set(PORTALS) else sorted(chosen)
        await _show("options", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "private":
        draft.private_only = not draft.private_only
        await _show("options", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action in ("inc", "exc"):
        target = "include_words" if action == "inc" else "exclude_words"
        await _show(target, lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "next":
        await _show("summary", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "edit" and value in STEPS:
        draft.return_to_summary = True
        await _show(value, lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "save":
        await _save(message, state=state, session=session, user=user, lang=lang, draft=draft)


async def _save(
    message: Message,
    *,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    lang: str,
    draft: FilterDraft,
) -> None:
    if draft.name is None:
        draft.name = default_name(draft)
    try:
        if draft.filter_id is None:
            saved = await filters.create_filter(
                session, user_id=user.id, data=FilterIn.model_validate(draft.editable())
            )
        else:
            patched = await filters.update_filter(
                session,
                user_id=user.id,
                filter_id=draft.filter_id,
                patch=FilterPatch.model_validate(draft.editable()),
            )
            if patched is None:
                await state.clear()
                await message.edit_text(t(lang, "filters.not_found"))
                return
            saved = patched
    except ValidationError as exc:
        await _show(
            "summary",
            lang=lang,
            state=state,
            draft=draft,
            message=message,
            edit=True,
            error=validation.first_error(exc).message(lang),
        )
        return
    except FilterValidationError as exc:
        await _show(
            "summary",
            lang=lang,
            state=state,
            draft=draft,
            message=message,
            edit=True,
            error=exc.message(lang),
        )
        return
    await state.clear()
    summary = filter_summary(lang, FilterDraft.from_filter(saved))
    await message.edit_text(t(lang, "wiz.saved", name=saved.name, summary=Html(summary)))
    if draft.filter_id is not None:
        return
    matches = await filters.preview_matches(session, saved, limit=PREVIEW_LIMIT)
    if matches:
        lines = "\n\n".join(listing_line(lang, listing) for listing in matches)
        text = tn(lang, "wiz.preview", len(matches)) + "\n\n" + lines
    else:
        text = t(lang, "wiz.no_preview")
    await message.answer(text + "\n\n" + t(lang, "wiz.only_new"), disable_web_page_preview=True)


# --- /filters ------------------------------------------------------------------------------


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
        await _show(
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
    router.message.register(new_by_command, Command("new"))
    router.callback_query.register(new_by_button, Menu.filter(F.action == "new"))
    router.message.register(list_by_command, Command("filters"))
    router.callback_query.register(list_by_button, Menu.filter(F.action == "filters"))
    router.callback_query.register(filter_button, FilterAction.filter())
    router.message.register(city_typed, WizardStates.city, F.text)
    router.message.register(
        range_typed, StateFilter(WizardStates.price, WizardStates.rooms, WizardStates.area), F.text
    )
    router.message.register(
        words_typed, StateFilter(WizardStates.include_words, WizardStates.exclude_words), F.text
    )
    router.callback_query.register(wizard_button, Wizard.filter())
    return router
