"""Telegram's HTML rules (as the real Bot API applies them): what the fake does not check."""

from __future__ import annotations

import re

ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
     "tg-spoiler", "blockquote", "tg-emoji"}
)  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+=\"[^\"<>]*\")*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML ("can't parse entities"), or None when it is fine."""
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                return f"unsupported start tag at offset {position}"
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                return f'unsupported tag "{name}" at offset {position}'
            if closing:
                if not stack or stack.pop() != name:
                    return f'unmatched end tag "{name}" at offset {position}'
            else:
                stack.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                return f"unsupported entity at offset {position}"
            position = match.end()
        elif char == ">":
            return f"a bare > at offset {position}"
        else:
            position += 1
    if stack:
        return f'no end tag for "{stack[-1]}"'
    return None
