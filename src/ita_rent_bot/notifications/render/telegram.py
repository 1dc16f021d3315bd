"""The Telegram listing card and digest, in HTML parse mode.

Every scraped string is escaped with `html.escape`; a field the portal did not give is left out.
A card with a photo keeps its caption within 1024 characters, a text within 4096 (counted in
UTF-16 units, as Telegram counts). An album (2-10 photos) cannot carry buttons, so they follow
in a short second message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Protocol

from ita_rent_bot.channels.base import Button, OutgoingMessage
from ita_rent_bot.locales.cards import CARDS, format_price, portal_name

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
ALBUM_MAX = 10
TITLE_MAX = 200
PLACE_MAX = 160


class CardListing(Protocol):
    """What a card shows of a listing (the Listing row, or anything shaped like it)."""

    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def price_eur(self) -> int | None: ...
    @property
    def rooms(self) -> int | None: ...
    @property
    def area_m2(self) -> int | None: ...
    @property
    def zone(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def photos(self) -> list[str]: ...
    @property
    def published_at(self) -> datetime | None: ...


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _facts_line(language: str, listing: CardListing) -> str | None:
    facts = []
    if listing.price_eur is not None:
        price = CARDS.text(language, "price", price=format_price(language, listing.price_eur))
        facts.append(f"💰 {price}")
    if listing.rooms is not None:
        facts.append(f"🚪 {CARDS.plural(language, 'rooms', listing.rooms)}")
    if listing.area_m2 is not None:
        facts.append(f"📐 {CARDS.text(language, 'area', n=listing.area_m2)}")
    return " • ".join(facts) if facts else None


def _place_line(listing: CardListing) -> str | None:
    parts = [p.strip() for p in (listing.zone, listing.address) if p and p.strip()]
    if not parts and listing.city and listing.city.strip():
        parts = [listing.city.strip()]
    return f"📍 {escape(_clip(', '.join(parts), PLACE_MAX))}" if parts else None


def _title_link(language: str, listing: CardListing, title_max: int) -> str:
    title = _clip(listing.title, title_max) if listing.title and listing.title.strip() else ""
    title = title or CARDS.text(language, "untitled")
    return f'<a href="{escape(listing.url, quote=True)}">{escape(title)}</a>'


def card_text(
    language: str,
    listing: CardListing,
    *,
    filter_name: str | None,
    old_price: int | None = None,
    price_drop: bool = False,
    limit: int = TEXT_LIMIT,
) -> str:
    """The card's HTML text, shortened (title first) until it fits `limit`."""
    title_max = TITLE_MAX
    while True:
        lines = []
        if price_drop:
            if old_price is not None and listing.price_eur is not None:
                note = CARDS.text(
                    language,
                    "price_drop",
                    old=format_price(language, old_price),
                    new=format_price(language, listing.price_eur),
                )
            else:
                note = CARDS.text(language, "price_drop_short")
            lines.append(f"📉 <b>{escape(note)}</b>")
        lines.append(f"🏠 <b>{_title_link(language, listing, title_max)}</b>")
        for line in (_facts_line(language, listing), _place_line(listing)):
            if line:
                lines.append(line)
        if filter_name:
            name = escape(_clip(filter_name, 64))
            lines.append(f"🔎 {CARDS.text(language, 'filter', name=name)}")
        lines.append(f"🌐 {escape(portal_name(listing.source))}")
        text = "\n".join(lines)
        if telegram_length(text) <= limit or title_max <= 16:
            return text
        title_max //= 2


def card_buttons(language: str, listing: CardListing, filter_id: int | None) -> tuple[Button, ...]:
    buttons = [
        Button(CARDS.text(language, "open"), url=listing.url),
        Button(CARDS.text(language, "save"), callback_data=f"save:{listing.id}"),
        Button(CARDS.text(language, "hide"), callback_data=f"hide:{listing.id}"),
    ]
    if filter_id is not None:
        buttons.append(Button(CARDS.text(language, "pause"), callback_data=f"pause:{filter_id}"))
    return tuple(buttons)


def render_card(
    language: str,
    listing: CardListing,
    *,
    filter_id: int | None,
    filter_name: str | None,
    all_photos: bool = False,
    price_drop: bool = False,
    old_price: int | None = None,
) -> list[OutgoingMessage]:
    """One listing as Telegram messages: a photo card, a text card, or an album plus buttons."""
    photos = tuple(p for p in listing.photos if p)
    buttons = card_buttons(language, listing, filter_id)
    limit = CAPTION_LIMIT if photos else TEXT_LIMIT
    text = card_text(
        language,
        listing,
        filter_name=filter_name,
        old_price=old_price,
        price_drop=price_drop,
        limit=limit,
    )
    if photos and telegram_length(text) > CAPTION_LIMIT:  # only a huge URL gets here
        photos = ()
        text = card_text(
            language, listing, filter_name=filter_name, old_price=old_price, price_drop=price_drop
        )
    if all_photos and len(photos) >= 2:
        album = OutgoingMessage(text=text, photos=photos[:ALBUM_MAX])
        follow = f"🏠 {_title_link(language, listing, TITLE_MAX)}"
        return [album, OutgoingMessage(text=follow, buttons=buttons)]
    return [OutgoingMessage(text=text, photos=photos[:1], buttons=buttons)]


def render_digest(
    language: str, filter_name: str | None, listings: Sequence[CardListing]
) -> list[OutgoingMessage]:
    """Several listings as text messages of at most 4096 characters, split between entries."""
    header = f"🏠 <b>{escape(CARDS.plural(language, 'digest_header', len(listings)))}</b>"
    if filter_name:
        header += f"\n🔎 {CARDS.text(language, 'filter', name=escape(_clip(filter_name, 64)))}"
    entries = []
    for number, listing in enumerate(listings, start=1):
        lines = [f"<b>{number}.</b> {_title_link(language, listing, TITLE_MAX)}"]
        for line in (_facts_line(language, listing), _place_line(listing)):
            if line:
                lines.append(line)
        lines.append(f"🌐 {escape(portal_name(listing.source))}")
        entries.append("\n".join(lines))
    messages: list[OutgoingMessage] = []
    current = header
    for entry in entries:
        candidate = f"{current}\n\n{entry}"
        if telegram_length(candidate) > TEXT_LIMIT and current:
            messages.append(OutgoingMessage(text=current))
            current = entry
        else:
            current = candidate
    messages.append(OutgoingMessage(text=current))
    return messages
