"""Reading the JSON portals embed in their pages, fast and without trusting its shape.

`script_json` finds a `<script id=...>` by byte offsets and decodes it with orjson: building a
DOM of a 1 MB page only to read one script costs far more than the JSON itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from ita_rent_bot.sources.base import NotAResultPageError

JsonDict = dict[str, Any]


def as_dict(value: object) -> JsonDict:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def dig(value: object, *keys: str) -> Any:
    """value[k1][k2]... or None as soon as a level is not a dict or lacks the key."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def first_present(mapping: JsonDict, *keys: str) -> Any:
    """The first key present (camelCase pages and snake_case APIs name the same field)."""
    for key in keys:
        value = mapping.get(key)
        if value is not None:
            return value
    return None


def load_json(data: bytes, what: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise NotAResultPageError(f"{what} is not valid JSON") from None


_JSON_START = re.compile(rb"\s*[{\[]")


def looks_like_json(body: bytes) -> bool:
    """Whether the document starts (after blanks) like JSON; no copy of a large page."""
    return _JSON_START.match(body) is not None


def script_json(body: bytes, script_id: bytes) -> Any | None:
    """The decoded JSON of `<script id="script_id">`, or None when the page has no such script."""
    marker = b'id="' + script_id + b'"'
    at = body.find(marker)
    if at < 0:
        marker = b"id='" + script_id + b"'"
        at = body.find(marker)
    if at < 0:
        return None
    tag_start = body.rfind(b"<script", 0, at)
    if tag_start < 0 or body.find(b">", tag_start, at) >= 0:
        return None
    content_start = body.find(b">", at)
    if content_start < 0:
        return None
    content_end = body.find(b"</script", content_start)
    if content_end < 0:
        return None
    return load_json(body[content_start + 1 : content_end], f"the {script_id.decode()} script")


def find_dict(
    value: Any, accept: Callable[[JsonDict], bool], *, depth: int = 12
) -> JsonDict | None:
    """The first dict (depth-first, at most `depth` levels down) that `accept` approves."""
    if depth < 0:
        return None
    if isinstance(value, dict):
        if accept(value):
            return value
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = find_dict(child, accept, depth=depth - 1)
        if found is not None:
            return found
    return None
