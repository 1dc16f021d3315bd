"""Our own sample pages in each portal's shapes: every parser is tested without ../shared."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ita_rent_bot.sources.base import ChallengePageError, NotAResultPageError, ParseResult
from ita_rent_bot.sources.registry import all_sources, get_source

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def parse(source: str, name: str) -> ParseResult:
    return get_source(source).parse((SAMPLES / name).read_bytes())


def test_subito_old_list_shape_skips_banners_and_counts_damaged_cards() -> None:
    result = parse("subito", "subito_list.html")

    assert [x.source_id for x in result.listings] == ["500000001", "500000002", "500000004"]
    assert result.skipped == 1  # the card without an urn; the AdvItem banner is not a card
    assert (result.total, result.has_next) == (4, True)
    first, private, far = result.listings
    assert (first.price_eur, first.rooms, first.area_m2) == (1200, 2, 60)
    assert (first.city, first.zone) == ("milano", "Città Studi")
    assert first.published_at == datetime(2026, 1, 15, 8, 30, tzinfo=UTC)  # 09:30 in Rome, CET
    assert first.furnished is True
    assert len(first.photos) == 2
    assert (private.advertiser, private.area_m2, private.description) == ("private", None, None)
    assert far.city == "sesto-san-giovanni"
    assert (far.latitude, far.longitude) == (None, None)  # a (0, 0) pin is no pin
    assert far.published_at is None  # "not a date"


def test_subito_current_shape_drops_promoted_duplicates() -> None:
    result = parse("subito", "subito_gallery.html")

    assert [x.source_id for x in result.listings] == [
        "700000001",
        "0f1e2d3c-0000-4000-8000-000000000002",
        "700000003",
    ]
    assert result.promoted == frozenset({"700000003"})
    assert result.skipped == 0
    assert result.has_next is True  # page 2 of 3
    organic = result.listings[0]
    assert len(organic.photos) == 1  # the organic entry wins over its promoted copy
    assert organic.description == "Trilocale con balcone."


def test_subito_hades_answer() -> None:
    result = parse("subito", "subito_hades.json")

    first, second = result.listings
    assert (first.source_id, first.price_eur, first.rooms, first.area_m2) == (
        "900000001",
        900,
        2,
        55,
    )
    assert first.published_at == datetime(2026, 3, 2, 17, 45, tzinfo=UTC)
    assert first.furnished is False
    assert first.photos == [
        "https://images.sbito.it/api/v1/sbt-ads-images-pro/images/e1/e1?rule=gallery-desktop-2x-auto"
    ]
    assert (second.rooms, second.city, second.advertiser) == (5, "fiesole", "agency")
    assert result.has_next is False


@pytest.mark.parametrize("name", ["immobiliare_search_list.json", "immobiliare_page.html"])
def test_immobiliare_json_and_page_embedding_it(name: str) -> None:
    result = parse("immobiliare", name)

    assert [x.source_id for x in result.listings] == ["100000001", "100000002", "100000004"]
    assert result.skipped == 1
    assert (result.total, result.has_next) == (3, True)
    flat, villa, hidden = result.listings
    assert flat.photos == [
        "https://pwm.im-cdn.it/image/11/xxl.jpg",
        "https://pwm.im-cdn.it/image/12/xxl.jpg",
    ]
    assert (flat.zone, flat.furnished, flat.description) == (
        "Centro",
        True,
        "Bilocale ristrutturato in centro.",
    )
    assert (villa.rooms, villa.area_m2, villa.advertiser, villa.furnished) == (
        5,
        1250,
        "private",
        False,
    )
    assert villa.photos == ["https://example.org/photos/21-large.jpg"]
    assert (hidden.price_eur, hidden.rooms, hidden.advertiser) == (None, None, None)


def test_idealista_cards_by_pattern_not_position() -> None:
    result = parse("idealista", "idealista_cards.html")

    assert [x.source_id for x in result.listings] == ["40000001", "40000002"]
    assert result.skipped == 1
    assert result.has_next is True
    flat, studio = result.listings
    assert (flat.price_eur, flat.rooms, flat.area_m2) == (1050, 2, 55)
    assert (flat.address, flat.zone, flat.city) == ("Via Padova, 5", "Loreto", "milano")
    assert flat.advertiser == "private"
    assert flat.description == "Bilocale arredato, vicino alla metro."
    assert len(flat.photos) == 2  # the static map placeholder is not a photo
    assert studio.url == "https://www.idealista.it/immobile/40000002/"
    assert (studio.price_eur, studio.rooms, studio.address, studio.zone) == (None, 1, None, "Brera")
    assert studio.advertiser == "agency"


def test_idealista_api_answer() -> None:
    result = parse("idealista_api", "idealista_api_search.json")

    first, second = result.listings
    assert result.skipped == 1
    assert (first.price_eur, first.rooms, first.area_m2) == (1350, 3, 72)
    assert (first.city, first.zone, first.address) == ("roma", "San Lorenzo", "Via Tiburtina")
    assert second.price_eur == 800  # from priceInfo when `price` is absent
    assert (second.city, second.zone, second.photos) == ("fiumicino", "Isola Sacra", [])


def test_datadome_challenge_is_not_an_empty_result() -> None:
    with pytest.raises(ChallengePageError):
        parse("idealista", "datadome_challenge.html")


@pytest.mark.parametrize("source", [s.name for s in all_sources()])
@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>Pagina non trovata</body></html>", b"{}", b"[1, 2]", b'{"truncated'],
)
def test_other_documents_are_not_result_pages(source: str, body: bytes) -> None:
    with pytest.raises(NotAResultPageError):
        get_source(source).parse(body)


def test_an_empty_result_page_is_a_result() -> None:
    empty_subito = (
        b'<html><script id="__NEXT_DATA__" type="application/json">'
        b'{"props":{"pageProps":{"initialState":{"items":{"total":0,"totalPages":0,'
        b'"originalList":[],"galleryList":[]}}}}}</script></html>'
    )
    empty_idealista = b'<main class="listing-items"><section class="items-container"></section>'

    assert get_source("subito").parse(empty_subito).listings == []
    assert get_source("idealista").parse(empty_idealista).listings == []
    assert get_source("immobiliare").parse(b'{"results": [], "count": 0}').listings == []
    assert get_source("idealista_api").parse(b'{"elementList": [], "total": 0}').listings == []


def test_a_card_whose_identity_cannot_be_stored_is_damaged() -> None:
    huge_id = b'{"realEstate": {"id": 1' + b"0" * 80 + b'}, "seo": {"url": "https://x.it/a"}}'
    long_url = b'{"realEstate": {"id": 7}, "seo": {"url": "https://x.it/' + b"a" * 1100 + b'"}}'
    fine = b'{"realEstate": {"id": 8}, "seo": {"url": "https://x.it/8"}}'
    body = b'{"results": [' + b",".join([huge_id, long_url, fine]) + b"]}"

    result = get_source("immobiliare").parse(body)

    assert ([x.source_id for x in result.listings], result.skipped) == (["8"], 2)
