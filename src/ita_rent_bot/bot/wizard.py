"""The search wizard: city → price → rooms → area → options → summary → save.

Every step has Back and Cancel; typed input goes through the shared validator
(filters.validation) and its messages. New searches start from /new or the "New search" button;
an edit from /filters starts at the summary. filters.py registers these handlers.
"""

from __future__ import annotations

from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import Wizard
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
RANGE_STEPS = validation.RANGES  # ("price", "rooms", "area"): the step is the field


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


async def show_step(
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
    await show_step(
        "city", lang=lang, state=state, draft=FilterDraft(), message=message, edit=False
    )


async def new_by_button(callback: CallbackQuery, state: FSMContext, lang: str) -> None:
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await show_step(
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
    await show_step(
        _after("city", draft), lang=lang, state=state, draft=draft, message=message, edit=False
    )


async def _apply_range(
    step: str, text: str, *, lang: str, state: FSMContext, message: Message, edit: bool
) -> None:
    draft = await _draft(state)
    try:
        lo, hi = validation.parse_range(text, step)
    except FilterValidationError as exc:
        await show_step(
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
    await show_step(
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
        await show_step(
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
    await show_step("options", lang=lang, state=state, draft=draft, message=message, edit=False)


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
            await show_step(
                previous, lang=lang, state=state, draft=draft, message=message, edit=True
            )
    elif action == "city":
        draft.city = value
        await show_step(
            _after("city", draft), lang=lang, state=state, draft=draft, message=message, edit=True
        )
    elif action == "any" and step in RANGE_STEPS:
        await _apply_range(step, "any", lang=lang, state=state, message=message, edit=True)
    elif action == "rooms" and step == "rooms":
        await _apply_range("rooms", value, lang=lang, state=state, message=message, edit=True)
    elif action == "src" and value in PORTALS:
        chosen = set(draft.sources or PORTALS) ^ {value}
        draft.sources = [] if not chosen or chosen == set(PORTALS) else sorted(chosen)
        await show_step("options", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "private":
        draft.private_only = not draft.private_only
        await show_step("options", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action in ("inc", "exc"):
        target = "include_words" if action == "inc" else "exclude_words"
        await show_step(target, lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "next":
        await show_step("summary", lang=lang, state=state, draft=draft, message=message, edit=True)
    elif action == "edit" and value in STEPS:
        draft.return_to_summary = True
        await show_step(value, lang=lang, state=state, draft=draft, message=message, edit=True)
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
    if draft.name is None or draft.auto_name:
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
        await show_step(
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
        await show_step(
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
