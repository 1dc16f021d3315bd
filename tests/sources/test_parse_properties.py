"""Damaged pages never crash a parser: they give a result (maybe with skipped cards) or the
typed "not a result page" error. Mutations hit both the bytes and the JSON structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from ita_rent_bot.sources.base import NotAResultPageError, ParseResult
from ita_rent_bot.sources.registry import get_source

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DOCUMENTS = [
    ("subito", SAMPLES / "subito_list.html"),
    ("subito", SAMPLES / "subito_gallery.html"),
    ("subito", SAMPLES / "subito_hades.json"),
    ("immobiliare", SAMPLES / "immobiliare_search_list.json"),
    ("immobiliare", SAMPLES / "immobiliare_page.html"),
    ("idealista", SAMPLES / "idealista_cards.html"),
    ("idealista_api", SAMPLES / "idealista_api_search.json"),
    ("subito", FIXTURES / "subito/hades_search_appartamenti_umbria_sale.json"),
    ("immobiliare", FIXTURES / "immobiliare/api_search_list_roma_rent.json"),
    ("idealista", FIXTURES / "idealista/search_roma_rent_cards_1-15.html"),
    ("idealista_api", FIXTURES / "idealista_api/search_rent_alicante_since_p1.json"),
]
AVAILABLE = [(source, path.read_bytes()) for source, path in DOCUMENTS if path.exists()]
JSON_DOCUMENTS = [
    ("subito", SAMPLES / "subito_hades.json"),
    ("immobiliare", SAMPLES / "immobiliare_search_list.json"),
    ("idealista_api", SAMPLES / "idealista_api_search.json"),
]
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def parse_or_reject(source: str, body: bytes) -> ParseResult | None:
    """The parse result, or None for the typed rejection; anything else fails the test."""
    try:
        result = get_source(source).parse(body)
    except NotAResultPageError:
        return None
    for listing in result.listings:
        assert listing.source_id
        assert listing.url.startswith("http")
        assert listing.price_eur is None or isinstance(listing.price_eur, int)
        assert all(isinstance(photo, str) for photo in listing.photos)
    assert result.skipped >= 0
    return result


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found.extend(paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(paths(child, (*prefix, index)))
    return found


def replace_at(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replace_at(node[head], rest, value)}
    copy = list(node)
    copy[head] = replace_at(node[head], rest, value)
    return copy


def test_documents_are_present() -> None:
    assert len(AVAILABLE) >= 7  # at least our own samples


@pytest.mark.parametrize(("source", "body"), AVAILABLE, ids=lambda v: str(v)[:40])
@PROPERTY_SETTINGS
@given(cut=st.floats(min_value=0, max_value=1))
def test_truncated_pages_never_crash(source: str, body: bytes, cut: float) -> None:
    parse_or_reject(source, body[: int(len(body) * cut)])


@pytest.mark.parametrize(("source", "body"), AVAILABLE, ids=lambda v: str(v)[:40])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_byte_mutations_never_crash(source: str, body: bytes, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(body)))
    end = data.draw(st.integers(min_value=start, max_value=min(len(body), start + 64)))
    tokens = st.sampled_from([b'"', b"}", b"<", b"null", b"</script>"])
    junk = data.draw(st.binary(max_size=32) | tokens)
    parse_or_reject(source, body[:start] + junk + body[end:])


@pytest.mark.parametrize(("source", "path"), JSON_DOCUMENTS, ids=lambda v: str(v)[-30:])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_json_structure_mutations_never_crash(source: str, path: Path, data: st.DataObject) -> None:
    document = orjson.loads(path.read_bytes())
    where = data.draw(st.sampled_from(paths(document)))
    mutated = replace_at(document, where, data.draw(json_values))
    parse_or_reject(source, orjson.dumps(mutated))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_subito_embedded_json_mutations_never_crash(data: st.DataObject) -> None:
    body = (SAMPLES / "subito_gallery.html").read_bytes()
    start = body.index(b'type="application/json">') + len(b'type="application/json">')
    end = body.index(b"</script>", start)
    document = orjson.loads(body[start:end])
    where = data.draw(st.sampled_from(paths(document)))
    mutated = orjson.dumps(replace_at(document, where, data.draw(json_values)))
    result = parse_or_reject("subito", body[:start] + mutated + body[end:])
    if result is not None:
        assert len({x.source_id for x in result.listings}) == len(result.listings)
