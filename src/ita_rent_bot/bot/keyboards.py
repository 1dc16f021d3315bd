"""Inline keyboards and their callback data, so every router speaks the same button language.

The card buttons ("save:<listing_id>", "hide:<listing_id>", "pause:<filter_id>") are rendered by
the notification engine; the classes here parse exactly those strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.locales import LANGUAGES
from ita_rent_bot.locales.bot import t
from ita_rent_bot.users.models import MODE_INSTANT, User

LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "it": "Italiano"}
ROOM_PRESETS = ("1", "2", "3", "1-2", "2-3", "3-")


class SaveListing(CallbackData, prefix="save"):
    listing_id: int


class HideListing(CallbackData, prefix="hide"):
    listing_id: int


class PauseFilter(CallbackData, prefix="pause"):
    filter_id: int


class Menu(CallbackData, prefix="menu"):
    action: str  # new | filters | settings | help | saved


class Wizard(CallbackData, prefix="wiz"):
    action: (
        str  # back | cancel | any | city | rooms | src | private | inc | exc | next | save | edit
    )
    value: str = ""


class FilterAction(CallbackData, prefix="flt"):
    action: str  # list | open | edit | pause | resume | delete | delete_yes
    filter_id: int = 0


class SavedAction(CallbackData, prefix="saved"):
    listing_id: int


class SavedPage(CallbackData, prefix="savedp"):
    page: int  # from 0


class SettingsAction(CallbackData, prefix="set"):
    action: str  # menu | lang | tz | quiet | quiet_off | photos | drops | mode
    value: str = ""


class WhatsAppAction(CallbackData, prefix="wa"):
    action: str  # link | on | off | unlink | unlink_yes | instant | digest | cancel | status


class LeaveAction(CallbackData, prefix="leave"):
    confirm: bool


def _mark(on: bool) -> str:
    return "✅" if on else "⬜"


def start_menu(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.new_search"), callback_data=Menu(action="new"))
    kb.button(text=t(lang, "btn.my_searches"), callback_data=Menu(action="filters"))
    kb.button(text=t(lang, "btn.settings"), callback_data=Menu(action="settings"))
    kb.button(text=t(lang, "btn.help"), callback_data=Menu(action="help"))
    kb.adjust(1, 3)
    return kb.as_markup()


def languages(current: str | None = None) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in LANGUAGES:
        mark = "• " if code == current else ""
        kb.button(
            text=mark + LANGUAGE_NAMES[code],
            callback_data=SettingsAction(action="lang", value=code),
        )
    kb.adjust(3)
    return kb.as_markup()


def wizard_step(
    lang: str, *, any_button: bool = False, choices: Sequence[tuple[str, Wizard]] = ()
) -> InlineKeyboardMarkup:
    """A wizard step: optional quick choices, "any", then back and cancel (always there)."""
    kb = InlineKeyboardBuilder()
    for text, data in choices:
        kb.button(text=text, callback_data=data)
    sizes = [3] * ((len(choices) + 2) // 3)
    if any_button:
        kb.button(text=t(lang, "btn.any"), callback_data=Wizard(action="any"))
        sizes.append(1)
    kb.button(text=t(lang, "btn.back"), callback_data=Wizard(action="back"))
    kb.button(text=t(lang, "btn.cancel"), callback_data=Wizard(action="cancel"))
    kb.adjust(*sizes, 2)
    return kb.as_markup()


def city_step(lang: str, suggestions: Sequence[tuple[str, str]] = ()) -> InlineKeyboardMarkup:
    """Suggestions are (slug, display name) pairs."""
    return wizard_step(
        lang, choices=[(name, Wizard(action="city", value=slug)) for slug, name in suggestions]
    )


def rooms_step(lang: str) -> InlineKeyboardMarkup:
    return wizard_step(
        lang,
        any_button=True,
        choices=[
            (
                preset.replace("-", "+") if preset.endswith("-") else preset,
                Wizard(action="rooms", value=preset),
            )
            for preset in ROOM_PRESETS
        ],
    )


def options_step(
    lang: str,
    *,
    portals: Sequence[str],
    selected: Sequence[str],
    private_only: bool,
) -> InlineKeyboardMarkup:
    """Portal toggles (none selected means every portal), private only, and the word lists."""
    kb = InlineKeyboardBuilder()
    for portal in portals:
        on = not selected or portal in selected
        kb.button(text=f"{_mark(on)} {portal}", callback_data=Wizard(action="src", value=portal))
    kb.button(
        text=f"{_mark(private_only)} {t(lang, 'btn.private_only')}",
        callback_data=Wizard(action="private"),
    )
    kb.button(text=t(lang, "btn.include_words"), callback_data=Wizard(action="inc"))
    kb.button(text=t(lang, "btn.exclude_words"), callback_data=Wizard(action="exc"))
    kb.button(text=t(lang, "btn.next"), callback_data=Wizard(action="next"))
    kb.button(text=t(lang, "btn.back"), callback_data=Wizard(action="back"))
    kb.button(text=t(lang, "btn.cancel"), callback_data=Wizard(action="cancel"))
    kb.adjust(len(portals) or 1, 1, 2, 1, 2)
    return kb.as_markup()


def summary_step(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.save"), callback_data=Wizard(action="save"))
    for step in ("city", "price", "rooms", "area", "options"):
        kb.button(text=t(lang, f"btn.edit_{step}"), callback_data=Wizard(action="edit", value=step))
    kb.button(text=t(lang, "btn.back"), callback_data=Wizard(action="back"))
    kb.button(text=t(lang, "btn.cancel"), callback_data=Wizard(action="cancel"))
    kb.adjust(1, 3, 2, 2)
    return kb.as_markup()


def filters_list(lang: str, filters: Sequence[SearchFilter]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for f in filters:
        prefix = "⏸ " if f.paused else ""
        kb.button(text=prefix + f.name, callback_data=FilterAction(action="open", filter_id=f.id))
    kb.button(text=t(lang, "btn.new_search"), callback_data=Menu(action="new"))
    kb.adjust(1)
    return kb.as_markup()


def filter_detail(lang: str, f: SearchFilter) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.edit"), callback_data=FilterAction(action="edit", filter_id=f.id))
    if f.paused:
        kb.button(
            text=t(lang, "btn.resume"), callback_data=FilterAction(action="resume", filter_id=f.id)
        )
    else:
        kb.button(
            text=t(lang, "btn.pause"), callback_data=FilterAction(action="pause", filter_id=f.id)
        )
    kb.button(
        text=t(lang, "btn.delete"), callback_data=FilterAction(action="delete", filter_id=f.id)
    )
    kb.button(text=t(lang, "btn.to_list"), callback_data=FilterAction(action="list"))
    kb.adjust(3, 1)
    return kb.as_markup()


def confirm_delete_filter(lang: str, filter_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=t(lang, "btn.yes_delete"),
        callback_data=FilterAction(action="delete_yes", filter_id=filter_id),
    )
    kb.button(
        text=t(lang, "btn.no"), callback_data=FilterAction(action="open", filter_id=filter_id)
    )
    kb.adjust(2)
    return kb.as_markup()


def saved_list(
    lang: str, listings: Sequence[Listing], *, first: int, page: int, pages: int
) -> InlineKeyboardMarkup:
    """A remove button per listing (numbered as in the list), then the page buttons."""
    kb = InlineKeyboardBuilder()
    for number, listing in enumerate(listings, start=first):
        kb.button(text=f"✕ {number}", callback_data=SavedAction(listing_id=listing.id))
    kb.adjust(5)
    nav = InlineKeyboardBuilder()
    if page > 0:
        nav.button(text=t(lang, "saved.newer"), callback_data=SavedPage(page=page - 1))
    if page < pages - 1:
        nav.button(text=t(lang, "saved.older"), callback_data=SavedPage(page=page + 1))
    kb.attach(nav)
    return kb.as_markup()


def settings_menu(lang: str, user: User) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.language"), callback_data=SettingsAction(action="lang"))
    kb.button(text=t(lang, "btn.timezone"), callback_data=SettingsAction(action="tz"))
    kb.button(text=t(lang, "btn.quiet_hours"), callback_data=SettingsAction(action="quiet"))
    kb.button(
        text=f"{_mark(user.telegram_all_photos)} {t(lang, 'btn.all_photos')}",
        callback_data=SettingsAction(action="photos"),
    )
    kb.button(
        text=f"{_mark(user.price_drop_alerts)} {t(lang, 'btn.price_drops')}",
        callback_data=SettingsAction(action="drops"),
    )
    mode_key = "btn.mode_instant" if user.telegram_mode == MODE_INSTANT else "btn.mode_digest"
    kb.button(text=t(lang, mode_key), callback_data=SettingsAction(action="mode"))
    kb.adjust(3, 1, 1, 1)
    return kb.as_markup()


def quiet_hours_step(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.quiet_off"), callback_data=SettingsAction(action="quiet_off"))
    kb.button(text=t(lang, "btn.cancel"), callback_data=SettingsAction(action="menu"))
    kb.adjust(2)
    return kb.as_markup()


def cancel_only(lang: str, data: CallbackData) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.cancel"), callback_data=data)
    return kb.as_markup()


def whatsapp_menu(lang: str, user: User) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if user.whatsapp_number is None or user.whatsapp_verified_at is None:
        kb.button(text=t(lang, "btn.wa_link"), callback_data=WhatsAppAction(action="link"))
    else:
        if user.whatsapp_enabled:
            kb.button(text=t(lang, "btn.wa_off"), callback_data=WhatsAppAction(action="off"))
        else:
            kb.button(text=t(lang, "btn.wa_on"), callback_data=WhatsAppAction(action="on"))
        other = "digest" if user.whatsapp_mode == MODE_INSTANT else "instant"
        kb.button(text=t(lang, f"btn.wa_{other}"), callback_data=WhatsAppAction(action=other))
        kb.button(text=t(lang, "btn.wa_unlink"), callback_data=WhatsAppAction(action="unlink"))
    kb.adjust(1)
    return kb.as_markup()


def confirm_unlink(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.yes_unlink"), callback_data=WhatsAppAction(action="unlink_yes"))
    kb.button(text=t(lang, "btn.no"), callback_data=WhatsAppAction(action="status"))
    kb.adjust(2)
    return kb.as_markup()


def confirm_leave(lang: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t(lang, "btn.yes_leave"), callback_data=LeaveAction(confirm=True))
    kb.button(text=t(lang, "btn.no"), callback_data=LeaveAction(confirm=False))
    kb.adjust(1)
    return kb.as_markup()
