"""How the bot shows a search and a listing in text: every stored or scraped string escaped."""

from __future__ import annotations

from html import escape

from pydantic import BaseModel, Field

from ita_rent_bot.filters import cities
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.locales.bot import Html, t, tn


class FilterDraft(BaseModel):
    """The wizard's work in progress, kept in the FSM storage (so it must stay JSON)."""

    filter_id: int | None = None
    name: str | None = None
    city: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    sources: list[str] = Field(default_factory=list)
    private_only: bool = False
    include_words: list[str] = Field(default_factory=list)
    exclude_words: list[str] = Field(default_factory=list)
    return_to_summary: bool = False
    auto_name: bool = True  # the name is ours (city and budget), so it follows the edits

    @classmethod
    def from_filter(cls, f: SearchFilter) -> FilterDraft:
        fields = {name: getattr(f, name) for name in EDITABLE_FIELDS}
        draft = cls(filter_id=f.id, return_to_summary=True, **fields)
        draft.auto_name = f.name == default_name(draft)
        return draft

    def editable(self) -> dict[str, object]:
        """The fields the wizard edits, as FilterIn/FilterPatch take them."""
        return {name: getattr(self, name) for name in EDITABLE_FIELDS}


EDITABLE_FIELDS = (
    "name",
    "city",
    "price_min",
    "price_max",
    "rooms_min",
    "rooms_max",
    "area_min",
    "area_max",
    "sources",
    "private_only",
    "include_words",
    "exclude_words",
)


def format_range(lang: str, lo: int | None, hi: int | None, unit: str = "") -> str:
    if lo is None and hi is None:
        return t(lang, "range.any")
    if lo is None:
        return t(lang, "range.to", hi=hi, unit=unit)
    if hi is None:
        return t(lang, "range.from", lo=lo, unit=unit)
    if lo == hi:
        return f"{lo}{unit}"
    return f"{lo}–{hi}{unit}"


def city_name(slug: str | None, lang: str) -> str:
    return cities.display_name(slug, language=lang) if slug else "—"


def default_name(draft: FilterDraft) -> str:
    """A short name for a new search: the city and the top of the budget."""
    name = cities.display_name(draft.city) if draft.city else "?"
    if draft.price_max is not None:
        name += f" ≤{draft.price_max} €"
    return name[:64]


def words(values: list[str]) -> str:
    return ", ".join(values) if values else "—"


def filter_summary(lang: str, draft: FilterDraft) -> str:
    """The lines of a search as the user sees it in the wizard's summary and in /filters."""
    rows = [
        t(lang, "summary.city", city=city_name(draft.city, lang)),
        t(lang, "summary.price", price=format_range(lang, draft.price_min, draft.price_max, " €")),
        t(lang, "summary.rooms", rooms=format_range(lang, draft.rooms_min, draft.rooms_max)),
        t(lang, "summary.area", area=format_range(lang, draft.area_min, draft.area_max, " m²")),
        t(
            lang,
            "summary.portals",
            portals=", ".join(draft.sources) if draft.sources else t(lang, "summary.all_portals"),
        ),
    ]
    if draft.private_only:
        rows.append(t(lang, "summary.private_only"))
    rows.append(t(lang, "summary.include", words=words(draft.include_words)))
    rows.append(t(lang, "summary.exclude", words=words(draft.exclude_words)))
    return "\n".join(rows)


LINE_TITLE_MAX = 100  # a list line shows the title's start; the card shows all of it


def listing_line(lang: str, listing: Listing) -> str:
    """One listing in a short list (preview, /saved): title, the figures we know, a link."""
    facts = []
    if listing.price_eur is not None:
        facts.append(t(lang, "listing.price", price=listing.price_eur))
    if listing.rooms is not None:
        facts.append(tn(lang, "n.rooms", listing.rooms))
    if listing.area_m2 is not None:
        facts.append(f"{listing.area_m2} m²")
    if listing.zone:
        facts.append(escape(listing.zone))
    title = listing.title or t(lang, "listing.untitled")
    if len(title) > LINE_TITLE_MAX:
        title = title[: LINE_TITLE_MAX - 1].rstrip() + "…"
    link = f'<a href="{escape(listing.url, quote=True)}">{escape(listing.source)}</a>'
    return t(
        lang,
        "listing.line",
        title=Html(escape(title)),
        facts=Html(" · ".join(facts)),
        link=Html(link),
    )
