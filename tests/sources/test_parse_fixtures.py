"""Every real saved page in ../shared/fixtures, parsed with exact values read from the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from conftest import FIXTURES, require_shared
from ita_rent_bot.sources.base import ParseResult
from ita_rent_bot.sources.registry import get_source


@dataclass(frozen=True)
class Expected:
    source_id: str
    url: str
    price_eur: int | None
    rooms: int | None
    area_m2: int | None
    photos: int
    city: str


@dataclass(frozen=True)
class Page:
    path: str
    source: str
    count: int
    expected: tuple[Expected, ...]


PAGES = (
    Page(
        "subito/search_roma_affitto_appartamenti.html",
        "subito",
        39,  # 30 in originalList + 12 in galleryList, 3 of them promoted copies
        (
            Expected(
                "610404179",
                "https://www.subito.it/appartamenti/boccea-bilocale-arredato-condominio-incluso-roma-648842038.htm",
                550,
                2,
                55,
                6,
                "roma",
            ),
            Expected(
                "611342940",
                "https://www.subito.it/appartamenti/la-storta-trilocale-arredato-con-terrazzo-privato-roma-653668021.htm",
                650,
                3,
                65,
                1,
                "roma",
            ),
            Expected(
                "600911192",
                "https://www.subito.it/appartamenti/monolocale-500-00-mensile-roma-612685931.htm",
                500,
                1,
                35,
                6,
                "anzio",
            ),
            Expected(
                "611506252",
                "https://www.subito.it/appartamenti/porta-furba-bilocale-arredato-con-giardino-privato-roma-654442991.htm",
                700,
                2,
                40,
                5,
                "roma",
            ),
            Expected(
                "be37f620-8df8-4a1f-bbca-659f2dde3beb",
                "https://www.subito.it/appartamenti/santa-marinella-roma-658163557.htm",
                None,
                None,
                40,
                5,
                "santa-marinella",
            ),
            Expected(
                "611988313",
                "https://www.subito.it/appartamenti/appartamento-marino-roma-657365499.htm",
                550,
                None,
                55,
                0,
                "marino",
            ),
            Expected(
                "612042360",
                "https://www.subito.it/appartamenti/appartamento-per-docenti-e-personale-ata-roma-657780256.htm",
                360,
                3,
                50,
                12,
                "nettuno",
            ),
        ),
    ),
    Page(
        "subito/hades_search_appartamenti_umbria_sale.json",
        "subito",
        3,
        (
            Expected(
                "612233839",
                "https://www.subito.it/appartamenti/appartamento-corciano-cod-rif-3336165vrg-perugia-659035166.htm",
                165000,
                2,
                49,
                8,
                "corciano",
            ),
            Expected(
                "612199968",
                "https://www.subito.it/appartamenti/2-locali-a-terni-terni-658729909.htm",
                78000,
                2,
                60,
                13,
                "terni",
            ),
            Expected(
                "612196573",
                "https://www.subito.it/appartamenti/appartamento-di-60-m²-con-3-locali-e-box-auto-a-te-terni-658722688.htm",
                78000,
                3,
                60,
                17,
                "terni",
            ),
        ),
    ),
    Page(
        "immobiliare/api_search_list_roma_rent.json",
        "immobiliare",
        25,
        (
            Expected(
                "131916338",
                "https://www.immobiliare.it/annunci/131916338/",
                2150,
                4,
                100,
                0,
                "roma",
            ),
            Expected(
                "131913116",
                "https://www.immobiliare.it/annunci/131913116/",
                1250,
                2,
                50,
                20,
                "roma",
            ),
            Expected(
                "131911224",
                "https://www.immobiliare.it/annunci/131911224/",
                1100,
                2,
                60,
                15,
                "roma",
            ),
            Expected(
                "131906410",
                "https://www.immobiliare.it/annunci/131906410/",
                4285,
                2,
                50,
                14,
                "roma",
            ),
            Expected(
                "131913566",
                "https://www.immobiliare.it/annunci/131913566/",
                4000,
                2,
                10,
                20,
                "roma",
            ),
        ),
    ),
    Page(
        "idealista/search_roma_rent_cards_1-15.html",
        "idealista",
        15,
        (
            Expected(
                "36635562", "https://www.idealista.it/immobile/36635562/", 700, 1, 35, 2, "roma"
            ),
            Expected(
                "36229121", "https://www.idealista.it/immobile/36229121/", 1300, 2, 60, 2, "roma"
            ),
            Expected(
                "35996843", "https://www.idealista.it/immobile/35996843/", 11700, 13, 315, 1, "roma"
            ),
            Expected(
                "36393089", "https://www.idealista.it/immobile/36393089/", 2200, 4, 104, 1, "roma"
            ),
            Expected(
                "36635435", "https://www.idealista.it/immobile/36635435/", 2500, 2, 72, 1, "roma"
            ),
        ),
    ),
    Page(
        "idealista_api/search_rent_alicante_p2.json",
        "idealista_api",
        50,
        (
            Expected(
                "104701243",
                "https://www.idealista.com/inmueble/104701243/",
                950,
                2,
                70,
                1,
                "alicante",
            ),
            Expected(
                "104679740",
                "https://www.idealista.com/inmueble/104679740/",
                1100,
                2,
                57,
                1,
                "san-juan-de-alicante",
            ),
            Expected(
                "101653130",
                "https://www.idealista.com/inmueble/101653130/",
                840,
                0,
                35,
                1,
                "alicante",
            ),
            Expected(
                "86628573",
                "https://www.idealista.com/inmueble/86628573/",
                1200,
                3,
                85,
                1,
                "el-campello",
            ),
            Expected(
                "87249716",
                "https://www.idealista.com/inmueble/87249716/",
                800,
                0,
                40,
                1,
                "alicante",
            ),
        ),
    ),
    Page(
        "idealista_api/search_rent_alicante_since_p1.json",
        "idealista_api",
        3,
        (
            Expected(
                "104947341",
                "https://www.idealista.com/inmueble/104947341/",
                1200,
                2,
                70,
                1,
                "alicante",
            ),
            Expected(
                "99385764",
                "https://www.idealista.com/inmueble/99385764/",
                1000,
                0,
                35,
                1,
                "alicante",
            ),
            Expected(
                "102369581",
                "https://www.idealista.com/inmueble/102369581/",
                1200,
                2,
                101,
                1,
                "alicante",
            ),
        ),
    ),
)


def parse_fixture(path: str, source: str) -> ParseResult:
    return get_source(source).parse(require_shared(FIXTURES / path).read_bytes())


@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_every_fixture_page_parses_with_exact_values(page: Page) -> None:
    result = parse_fixture(page.path, page.source)

    assert result.skipped == 0
    assert len(result.listings) == page.count
    ids = [listing.source_id for listing in result.listings]
    assert len(set(ids)) == len(ids)
    by_id = {listing.source_id: listing for listing in result.listings}
    for want in page.expected:
        got = by_id[want.source_id]
        assert (got.url, got.price_eur, got.rooms, got.area_m2, len(got.photos), got.city) == (
            want.url,
            want.price_eur,
            want.rooms,
            want.area_m2,
            want.photos,
            want.city,
        ), want.source_id
    expected_portal = "idealista" if page.source == "idealista_api" else page.source
    assert {listing.source for listing in result.listings} == {expected_portal}


def test_fixture_list_covers_every_portal_page() -> None:
    root = require_shared(FIXTURES)
    portal_dirs = ("subito", "immobiliare", "idealista", "idealista_api")
    on_disk = {
        str(path.relative_to(root)) for folder in portal_dirs for path in (root / folder).iterdir()
    }
    assert on_disk == {page.path for page in PAGES}


def test_subito_page_details() -> None:
    result = parse_fixture("subito/search_roma_affitto_appartamenti.html", "subito")
    first = result.listings[0]

    assert result.total == 2661
    assert result.has_next is True
    assert len(result.promoted) == 9  # gallery ads not in the organic list
    assert "610404179" not in result.promoted
    assert first.title == "BOCCEA BILOCALE ARREDATO CONDOMiNIO INCLUSO"
    assert first.address == "Via Carezzano, 00166 Roma RM, Italia"
    assert (first.latitude, first.longitude) == (41.9279404, 12.3336241)
    assert first.published_at == datetime(2026, 8, 24, 18, 25, 57, tzinfo=UTC)  # 20:25:57 Rome
    assert first.advertiser == "agency"
    assert first.furnished is True
    assert first.photos[0] == (
        "https://images.sbito.it/api/v1/sbt-ads-images-pro/images/f4/"
        "f40c6aaf-6f26-4816-9ec7-f541fd3e7890?rule=gallery-desktop-2x-auto"
    )
    assert first.description is not None
    assert first.description.startswith("BOCCEA BILOCALE PORZIONE DI VILLA")
    private = next(x for x in result.listings if x.source_id == "612071884")
    assert private.advertiser == "private"


def test_subito_hades_details() -> None:
    result = parse_fixture("subito/hades_search_appartamenti_umbria_sale.json", "subito")
    first = result.listings[0]

    assert result.total == 86
    assert first.title == "Appartamento Corciano [Cod. rif 3336165VRG]"
    assert first.published_at == datetime(2026, 8, 31, 18, 50, 16, 991000, tzinfo=UTC)
    assert (first.latitude, first.longitude) == (43.0837856, 12.2754139)
    assert first.advertiser == "agency"
    assert first.address is None  # the API gives no street


def test_immobiliare_details() -> None:
    result = parse_fixture("immobiliare/api_search_list_roma_rent.json", "immobiliare")
    by_id = {x.source_id: x for x in result.listings}
    flat = by_id["131911224"]

    assert (result.total, result.has_next) == (5057, True)
    assert flat.title == "Bilocale via Alberico Albricci 13, Camilluccia - Farnesina, Roma"
    assert flat.address == "Via Alberico Albricci"
    assert flat.zone == "Camilluccia - Farnesina"
    assert (flat.latitude, flat.longitude) == (41.9415, 12.4608)
    assert flat.advertiser == "agency"
    assert flat.published_at is None
    assert flat.photos[0] == "https://pwm.im-cdn.it/image/1992409670/xxl.jpg"
    assert by_id["131916338"].photos == []


def test_idealista_card_details() -> None:
    result = parse_fixture("idealista/search_roma_rent_cards_1-15.html", "idealista")
    first = result.listings[0]

    assert first.title == "Monolocale in Via Castell'Umberto, 27, Borghesiana - Finocchio, Roma"
    assert (first.address, first.zone, first.city) == (
        "Via Castell'Umberto, 27",
        "Borghesiana - Finocchio",
        "roma",
    )
    assert first.advertiser == "agency"
    assert first.photos == [
        "https://img4.idealista.it/blur/480_360_mq/0/id.pro.it.image.master/43/da/3b/831278962.jpg",
        "https://img4.idealista.it/blur/480_360_mq/0/id.pro.it.image.master/50/64/26/831278984.jpg",
    ]
    assert first.description is not None
    assert first.description.startswith("Id annuncio: 191677_7c2f369b")
    assert (first.latitude, first.published_at) == (None, None)


def test_idealista_api_details() -> None:
    result = parse_fixture("idealista_api/search_rent_alicante_p2.json", "idealista_api")
    first = result.listings[0]

    assert (result.total, result.has_next) == (120, True)
    assert first.title == "Flat in calle Trident"
    assert (first.zone, first.address) == ("Cabo de las Huertas", "calle Trident")
    assert (first.latitude, first.longitude) == (38.3633774, -0.4236021)
    assert first.photos == [
        "https://img3.idealista.com/blur/WEB_LISTING/0/id.pro.es.image.master/9e/79/e7/1229110484.jpg"
    ]
    assert first.advertiser is None
    last = parse_fixture("idealista_api/search_rent_alicante_since_p1.json", "idealista_api")
    assert last.has_next is False
