"""Text folding shared by city lookup and word matching: lowercase ASCII-ish words, one space.

Accents are dropped (Forlì → forli, Città → citta), case is folded (ß → ss), every character
that is not a letter or digit becomes a word break (Reggio nell'Emilia → reggio nell emilia).
Cyrillic stays Cyrillic (й becomes и), so Russian text folds the same way on both sides.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare.casefold()).strip()
