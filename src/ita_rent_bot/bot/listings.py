"""The buttons on a listing card (Save, Hide, Pause this search) and the /saved list.

Hide is for good: the mark keeps that listing out of every later notification.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.bot import keyboards
from ita_rent_bot.bot.keyboards import (
    HideListing,
    PauseFilter,
    SavedAction,
    SavedPage,
    SaveListing,
)
from ita_rent_bot.bot.views import listing_line
from ita_rent_bot.filters import service as filters
from ita_rent_bot.listings.models import MARK_HIDDEN, MARK_SAVED, Listing, ListingMark
from ita_rent_bot.locales.bot import t, tn
from ita_rent_bot.users.models import User

SAVED_PAGE = 10  # ten lines of up to ~250 characters: well inside Telegram's 4,096


@dataclass
class SavedPageView:
    listings: list[Listing]
    total: int
    page: int  # from 0
    pages: int


async def _mark(session: AsyncSession, *, user: User, listing_id: int, kind: str) -> bool | None:
    """Add the mark; True if new, False if it was there, None if the listing does not exist."""
    if await session.get(Listing, listing_id) is None:
        return None
    if await session.get(ListingMark, (user.id, listing_id, kind)) is not None:
        return False
    session.add(ListingMark(user_id=user.id, listing_id=listing_id, kind=kind))
    await session.flush()
    return True


async def save(
    callback: CallbackQuery,
    callback_data: SaveListing,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    added = await _mark(session, user=user, listing_id=callback_data.listing_id, kind=MARK_SAVED)
    key = {None: "card.gone", True: "card.saved", False: "card.already_saved"}[added]
    await callback.answer(t(lang, key))


def _without_marking(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The card's keyboard without Save and Hide (Open and Pause this search stay)."""
    prefixes = (f"{SaveListing.__prefix__}:", f"{HideListing.__prefix__}:")
    rows = [
        [b for b in row if not (b.callback_data or "").startswith(prefixes)]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


async def hide(
    callback: CallbackQuery,
    callback_data: HideListing,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    listing_id = callback_data.listing_id
    added = await _mark(session, user=user, listing_id=listing_id, kind=MARK_HIDDEN)
    if added is None:
        await callback.answer(t(lang, "card.gone"))
        return
    await session.execute(
        delete(ListingMark).where(
            ListingMark.user_id == user.id,
            ListingMark.listing_id == listing_id,
            ListingMark.kind == MARK_SAVED,
        )
    )
    await callback.answer(t(lang, "card.hidden"))
    message = callback.message
    if isinstance(message, Message) and message.reply_markup is not None:
        # "message is not modified" when hidden twice: nothing to change then
        with contextlib.suppress(TelegramBadRequest):
            await message.edit_reply_markup(reply_markup=_without_marking(message.reply_markup))


async def pause_filter(
    callback: CallbackQuery,
    callback_data: PauseFilter,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    found = await filters.set_paused(
        session, user_id=user.id, filter_id=callback_data.filter_id, paused=True
    )
    key = "card.filter_paused" if found is not None else "filters.not_found"
    await callback.answer(t(lang, key, name=found.name if found else ""), show_alert=True)


def _saved_marks(user: User) -> Select[Listing]:
    return (
        select(Listing)
        .join(ListingMark, ListingMark.listing_id == Listing.id)
        .where(ListingMark.user_id == user.id, ListingMark.kind == MARK_SAVED)
    )


async def _saved_page(session: AsyncSession, user: User, page: int) -> SavedPageView:
    """One page of the user's saved listings, newest first; a page past the end shows the
    last one."""
    total = await session.scalar(_saved_marks(user).with_only_columns(func.count())) or 0
    pages = max(1, math.ceil(total / SAVED_PAGE))
    page = min(max(page, 0), pages - 1)
    listings = await session.scalars(
        _saved_marks(user)
        .order_by(ListingMark.created_at.desc(), Listing.id.desc())
        .offset(page * SAVED_PAGE)
        .limit(SAVED_PAGE)
    )
    return SavedPageView(list(listings), total=total, page=page, pages=pages)


async def _page_of(session: AsyncSession, user: User, listing_id: int) -> int:
    """The page a saved listing is on (0 when it is not saved)."""
    mark = await session.get(ListingMark, (user.id, listing_id, MARK_SAVED))
    if mark is None:
        return 0
    newer = await session.scalar(
        _saved_marks(user)
        .with_only_columns(func.count())
        .where(
            or_(
                ListingMark.created_at > mark.created_at,
                and_(ListingMark.created_at == mark.created_at, Listing.id > listing_id),
            )
        )
    )
    return (newer or 0) // SAVED_PAGE


def _saved_view(lang: str, view: SavedPageView) -> tuple[str, InlineKeyboardMarkup | None]:
    if not view.listings:
        return t(lang, "saved.empty"), None
    first = view.page * SAVED_PAGE + 1
    lines = [f"{n}. {listing_line(lang, item)}" for n, item in enumerate(view.listings, first)]
    header = tn(lang, "saved.count", view.total)
    if view.pages > 1:
        header += "\n" + t(lang, "saved.page", page=view.page + 1, pages=view.pages)
    markup = keyboards.saved_list(
        lang, view.listings, first=first, page=view.page, pages=view.pages
    )
    return header + "\n\n" + "\n\n".join(lines), markup


async def saved(message: Message, session: AsyncSession, user: User, lang: str) -> None:
    text, markup = _saved_view(lang, await _saved_page(session, user, 0))
    await message.answer(text, reply_markup=markup, disable_web_page_preview=True)


async def _show(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):  # "message is not modified"
            await callback.message.edit_text(
                text, reply_markup=markup, disable_web_page_preview=True
            )


async def saved_page(
    callback: CallbackQuery,
    callback_data: SavedPage,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    await callback.answer()
    await _show(callback, *_saved_view(lang, await _saved_page(session, user, callback_data.page)))


async def unsave(
    callback: CallbackQuery,
    callback_data: SavedAction,
    session: AsyncSession,
    user: User,
    lang: str,
) -> None:
    page = await _page_of(session, user, callback_data.listing_id)
    await session.execute(
        delete(ListingMark).where(
            ListingMark.user_id == user.id,
            ListingMark.listing_id == callback_data.listing_id,
            ListingMark.kind == MARK_SAVED,
        )
    )
    await callback.answer(t(lang, "saved.removed"))
    await _show(callback, *_saved_view(lang, await _saved_page(session, user, page)))


def create_router() -> Router:
    router = Router(name="listings")
    router.callback_query.register(save, SaveListing.filter())
    router.callback_query.register(hide, HideListing.filter())
    router.callback_query.register(pause_filter, PauseFilter.filter())
    router.message.register(saved, Command("saved"))
    router.callback_query.register(unsave, SavedAction.filter())
    router.callback_query.register(saved_page, SavedPage.filter())
    return router
