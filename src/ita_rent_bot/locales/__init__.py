"""Message catalogs in Russian, English and Italian, with each language's real plural rules.

Each domain keeps its own catalog module (`locales/whatsapp.py`, `locales/bot.py`...) built with
`Catalog`; a plural entry is a tuple of forms in the order `plural_index` gives.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("ru", "en", "it")
DEFAULT_LANGUAGE = "ru"

Entry = str | tuple[str, ...]


def normalise_language(code: str | None) -> str:
    """A Telegram language code ("ru", "en-GB", "it-IT"...) to one we speak, else the default."""
    if code:
        short = code.split("-", 1)[0].split("_", 1)[0].lower()
        if short in LANGUAGES:
            return short
    return DEFAULT_LANGUAGE


def plural_index(language: str, n: int) -> int:
    """CLDR cardinal rules: ru has one/few/many (1, 2-4, 5-20...); en and it have one/other."""
    n = abs(n)
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, Entry]]) -> None:
        missing = set(LANGUAGES) - set(messages)
        if missing:
            raise ValueError(f"catalog lacks languages: {sorted(missing)}")
        self.messages = messages

    def keys(self, language: str) -> set[str]:
        return set(self.messages[language])

    def _entry(self, language: str, key: str) -> Entry:
        table = self.messages.get(language) or self.messages[DEFAULT_LANGUAGE]
        return table[key]

    def text(self, language: str, key: str, **params: object) -> str:
        entry = self._entry(language, key)
        if isinstance(entry, tuple):
            raise TypeError(f"{key} is a plural entry; use plural()")
        return entry.format(**params) if params else entry

    def plural(self, language: str, key: str, n: int, **params: object) -> str:
        entry = self._entry(language, key)
        if not isinstance(entry, tuple):
            raise TypeError(f"{key} is not a plural entry")
        lang = language if language in self.messages else DEFAULT_LANGUAGE
        form = entry[min(plural_index(lang, n), len(entry) - 1)]
        return form.format(n=n, **params)
