"""Every text of the Telegram bot, in Russian, English and Italian (HTML parse mode).

`t` and `tn` escape every str parameter for HTML unless it is wrapped in `Html` (already safe).
"""

from __future__ import annotations

from html import escape

from ita_rent_bot.locales import Catalog
from ita_rent_bot.locales.bot_en import EN
from ita_rent_bot.locales.bot_it import IT
from ita_rent_bot.locales.bot_ru import RU


class Html(str):
    """A string that is already valid, escaped HTML."""

    __slots__ = ()


BOT = Catalog({"ru": RU, "en": EN, "it": IT})


def _safe(params: dict[str, object]) -> dict[str, object]:
    return {
        key: value if isinstance(value, Html) or not isinstance(value, str) else escape(value)
        for key, value in params.items()
    }


def t(lang: str, key: str, /, **params: object) -> str:
    """A bot text in the user's language; str parameters are HTML-escaped unless `Html`."""
    return BOT.text(lang, key, **_safe(params))


def tn(lang: str, key: str, n: int, /, **params: object) -> str:
    """A plural bot text ("{n} комната / комнаты / комнат")."""
    return BOT.plural(lang, key, n, **_safe(params))


def has_text(language: str, key: str) -> bool:
    return key in BOT.messages.get(language, BOT.messages["ru"])
