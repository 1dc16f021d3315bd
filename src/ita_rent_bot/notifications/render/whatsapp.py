"""The WhatsApp digest in the client's format, in Russian, English and Italian.

Scraped text cannot break the layout: WhatsApp has no escape character, so its formatting marks
(* _ ~ `) in scraped strings become look-alike characters and line breaks become spaces. A digest
longer than 1600 characters is split between listings, never inside one; when photos are on, the
first message carries the first listing's photo and stays within the 1024-character caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ita_rent_bot.channels.base import OutgoingMessage, Template
from ita_rent_bot.config import Settings
from ita_rent_bot.locales.whatsapp import CATALOG

BODY_LIMIT = 1600
CAPTION_LIMIT = 1024
TITLE_LIMIT = 150
PLACE_LIMIT = 150
FILTER_NAME_LIMIT = 60

_LOOK_ALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


class DigestListing(Protocol):
    """What the digest reads from a listing (the `Listing` model and `ListingData` both fit)."""

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
    def city(self) -> str | None: ...
    @property
    def zone(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def photos(self) -> Sequence[str]: ...


def escape(text: str, limit: int | None = None) -> str:
    """Scraped text made inert: one line, no formatting marks, at most `limit` characters."""
    flat = " ".join(text.split()).translate(_LOOK_ALIKES)
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def whatsapp_length(text: str) -> int:
    """Length as WhatsApp and Twilio count it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _place(listing: DigestListing) -> str | None:
    parts: list[str] = []
    for value in (listing.address or listing.zone, listing.city):
        cleaned = escape(value) if value else ""
        if cleaned and not any(cleaned.lower() in part.lower() for part in parts):
            parts.append(cleaned)
    return escape(", ".join(parts), PLACE_LIMIT) if parts else None


def _listing_block(language: str, number: int, listing: DigestListing) -> str:
    """One listing; shortened (title, then place, then the link's text) to fit one message."""
    block = _block_lines(language, number, listing, TITLE_LIMIT, with_place=True)
    if whatsapp_length(block) > BODY_LIMIT:
        block = _block_lines(language, number, listing, 40, with_place=False)
    while whatsapp_length(block) > BODY_LIMIT:  # only a link of well over 1000 characters
        block = block[: len(block) - (whatsapp_length(block) - BODY_LIMIT) - 1] + "…"
    return block


def _block_lines(
    language: str, number: int, listing: DigestListing, title_limit: int, *, with_place: bool
) -> str:
    title = escape(listing.title, title_limit) if listing.title else ""
    lines = [f"*{number}. {title or CATALOG.text(language, 'untitled')}*"]
    facts: list[str] = []
    if listing.price_eur is not None:
        facts.append(CATALOG.text(language, "price", price=listing.price_eur))
    if listing.rooms is not None:
        facts.append(CATALOG.plural(language, "rooms", listing.rooms))
    if listing.area_m2 is not None:
        facts.append(CATALOG.text(language, "area", n=listing.area_m2))
    if facts:
        lines.append(" • ".join(facts))
    place = _place(listing) if with_place else None
    if place:
        lines.append(f"📍 {place}")
    lines.append(f"🔗 {listing.url}")
    return "\n".join(lines)


def _header(language: str, filter_name: str, count: int) -> str:
    lines = [CATALOG.text(language, "digest_title"), ""]
    name = escape(filter_name, FILTER_NAME_LIMIT) if filter_name else ""
    if name:
        lines.append(CATALOG.text(language, "digest_filter", name=name))
    lines.append(CATALOG.plural(language, "digest_found", count))
    return "\n".join(lines)


def _pack(units: list[str], first_limit: int) -> list[str]:
    """Join units with a blank line, starting a new message where the next unit would not fit."""
    messages: list[str] = []
    current = ""
    for unit in units:
        limit = first_limit if not messages else BODY_LIMIT
        candidate = f"{current}\n\n{unit}" if current else unit
        if current and whatsapp_length(candidate) > limit:
            messages.append(current)
            current = unit
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def render_digest(
    language: str,
    filter_name: str,
    listings: Sequence[DigestListing],
    *,
    with_photo: bool,
) -> list[OutgoingMessage]:
    """The digest as WhatsApp messages (several when longer than 1600 characters)."""
    if not listings:
        return []
    units = [_header(language, filter_name, len(listings))]
    units += [_listing_block(language, i, item) for i, item in enumerate(listings, start=1)]
    units.append(CATALOG.text(language, "footer"))
    photo = listings[0].photos[0] if with_photo and listings[0].photos else None
    texts = _pack(units, CAPTION_LIMIT if photo else BODY_LIMIT)
    messages = [OutgoingMessage(text=text) for text in texts]
    if photo:
        messages[0] = OutgoingMessage(text=texts[0], photos=(photo,))
    return messages


def render_template_message(
    language: str, count: int, filter_name: str, settings: Settings
) -> OutgoingMessage:
    """Outside the 24-hour window: the approved template (variables 1 = count, 2 = filter name).

    `text` is the same notice in words, for a channel or log that cannot show templates. Without a
    configured template (WHATSAPP_TEMPLATE_SID for Twilio, WHATSAPP_TEMPLATE_NAME for Meta) the
    message has no template and only the text.
    """
    name = escape(filter_name, FILTER_NAME_LIMIT)
    text = CATALOG.plural(language, "template_text", count, name=name)
    template_id = (
        settings.whatsapp_template_name
        if settings.resolved_whatsapp_provider == "meta"
        else settings.whatsapp_template_sid
    )
    if not template_id:
        return OutgoingMessage(text=text)
    variables = {"1": str(count), "2": name}
    return OutgoingMessage(
        text=text, template=Template(id=template_id, variables=variables, language=language)
    )
