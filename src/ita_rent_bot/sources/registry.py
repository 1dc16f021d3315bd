"""Every source, listed explicitly: a new portal is one module plus one line here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ita_rent_bot.sources.base import Source
from ita_rent_bot.sources.geo import CITIES
from ita_rent_bot.sources.idealista import IdealistaSource
from ita_rent_bot.sources.idealista_api import IdealistaApiSource
from ita_rent_bot.sources.immobiliare import ImmobiliareSource
from ita_rent_bot.sources.subito import SubitoSource

if TYPE_CHECKING:
    from ita_rent_bot.config import Settings

_SOURCES: dict[str, Source] = {
    source.name: source
    for source in (SubitoSource(), ImmobiliareSource(), IdealistaSource(), IdealistaApiSource())
}
PORTALS: tuple[str, ...] = ("subito", "immobiliare", "idealista")


class UnknownSourceError(LookupError):
    """No source has that name."""


def get_source(name: str) -> Source:
    try:
        return _SOURCES[name]
    except KeyError:
        known = ", ".join(_SOURCES)
        raise UnknownSourceError(f"unknown source {name!r} (known: {known})") from None


def all_sources() -> list[Source]:
    return list(_SOURCES.values())


def source_for(portal: str, city: str, settings: Settings) -> Source:
    """The way to crawl a portal's city: idealista through its API when keys are set."""
    if portal == "idealista":
        api = _SOURCES["idealista_api"]
        if api.is_configured(settings) and city in CITIES:
            return api
    return get_source(portal)
