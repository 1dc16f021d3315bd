"""Which messages a unit of deliveries becomes on each channel, in the user's language.

One Renderer per channel name; the engine never knows a channel's format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Protocol

from ita_rent_bot.channels.base import OutgoingMessage
from ita_rent_bot.config import Settings
from ita_rent_bot.locales import normalise_language
from ita_rent_bot.notifications.digest import Unit
from ita_rent_bot.notifications.models import KIND_PRICE_DROP
from ita_rent_bot.notifications.render import telegram as telegram_render
from ita_rent_bot.notifications.render import whatsapp as whatsapp_render
from ita_rent_bot.users.models import User


@dataclass(frozen=True)
class RenderContext:
    settings: Settings
    previous_prices: dict[int, int] = field(default_factory=dict)


def search_name(unit: Unit) -> str | None:
    search = unit.rows[0].search
    return search.name if search is not None else None


class Renderer(Protocol):
    def unit(self, user: User, unit: Unit, ctx: RenderContext) -> list[OutgoingMessage]:
        """The messages one unit goes out as (a card, or a search's digest)."""

    def template(
        self, user: User, units: Sequence[Unit], ctx: RenderContext
    ) -> OutgoingMessage | None:
        """An approved template announcing the held units, where the channel needs one."""

    def notice(self, user: User, text: str) -> OutgoingMessage:
        """A short system note in plain words."""


class TelegramRenderer:
    def unit(self, user: User, unit: Unit, ctx: RenderContext) -> list[OutgoingMessage]:
        language = normalise_language(user.language)
        if unit.digest:
            listings = [row.listing for row in unit.rows]
            return telegram_render.render_digest(language, search_name(unit), listings)
        row = unit.rows[0]
        return telegram_render.render_card(
            language,
            row.listing,
            filter_id=row.delivery.filter_id,
            filter_name=search_name(unit),
            all_photos=user.telegram_all_photos,
            price_drop=row.delivery.kind == KIND_PRICE_DROP,
            old_price=ctx.previous_prices.get(row.listing.id),
        )

    def template(
        self, user: User, units: Sequence[Unit], ctx: RenderContext
    ) -> OutgoingMessage | None:
        return None

    def notice(self, user: User, text: str) -> OutgoingMessage:
        return OutgoingMessage(text=escape(text, quote=False))


class WhatsAppRenderer:
    """Every unit is a digest in the client's format (instant mode: a digest of one)."""

    def unit(self, user: User, unit: Unit, ctx: RenderContext) -> list[OutgoingMessage]:
        return whatsapp_render.render_digest(
            normalise_language(user.language),
            search_name(unit) or "",
            [row.listing for row in unit.rows],
            with_photo=ctx.settings.whatsapp_send_photos,
        )

    def template(
        self, user: User, units: Sequence[Unit], ctx: RenderContext
    ) -> OutgoingMessage | None:
        return whatsapp_render.render_template_message(
            normalise_language(user.language),
            sum(len(unit.rows) for unit in units),
            search_name(units[0]) or "",
            ctx.settings,
        )

    def notice(self, user: User, text: str) -> OutgoingMessage:
        return OutgoingMessage(text=whatsapp_render.escape(text))


def renderers() -> dict[str, Renderer]:
    return {"telegram": TelegramRenderer(), "whatsapp": WhatsAppRenderer()}
