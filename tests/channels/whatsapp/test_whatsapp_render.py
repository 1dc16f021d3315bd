"""The WhatsApp digest: exact texts per language, plurals, missing fields, escaping, splitting."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ita_rent_bot.channels.base import Template
from ita_rent_bot.config import Settings
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.notifications.render.whatsapp import (
    BODY_LIMIT,
    CAPTION_LIMIT,
    escape,
    render_digest,
    render_template_message,
    whatsapp_length,
)

from .conftest import TEMPLATE_SID


def _three() -> list[ListingData]:
    return [
        ListingData(
            source="idealista",
            source_id="123",
            url="https://www.idealista.it/immobile/123/",
            title="Квартира в центре Рима",
            price_eur=1800,
            rooms=3,
            area_m2=85,
            address="Via del Corso, 123",
            city="Roma",
            photos=["https://img.idealista.it/123/1.jpg", "https://img.idealista.it/123/2.jpg"],
        ),
        ListingData(
            source="immobiliare",
            source_id="456",
            url="https://www.immobiliare.it/annunci/456/",
            title="Студия у моря",
            price_eur=1200,
            rooms=1,
            area_m2=45,
            address="Via Marina, 45",
        ),
        ListingData(
            source="subito",
            source_id="789",
            url="https://www.subito.it/appartamenti/789.htm",
            title="Таунхаус с садом",
            price_eur=2500,
            rooms=4,
            area_m2=120,
            address="Via Verde, 78",
        ),
    ]


EXPECTED = {
    "ru": """🏠 *Новые объявления!*

📍 Фильтр: _Рим, центр_
📊 Найдено: 3 объявления

*1. Квартира в центре Рима*
💰 1800€/мес • 🚪 3 комн. • 📐 85 м²
📍 Via del Corso, 123, Roma
🔗 https://www.idealista.it/immobile/123/

*2. Студия у моря*
💰 1200€/мес • 🚪 1 комн. • 📐 45 м²
📍 Via Marina, 45
🔗 https://www.immobiliare.it/annunci/456/

*3. Таунхаус с садом*
💰 2500€/мес • 🚪 4 комн. • 📐 120 м²
📍 Via Verde, 78
🔗 https://www.subito.it/appartamenti/789.htm

📱 Источник: ITA_RENT_BOT""",
    "en": """🏠 *New listings!*

📍 Search: _Рим, центр_
📊 Found: 3 listings

*1. Квартира в центре Рима*
💰 €1800/month • 🚪 3 rooms • 📐 85 m²
📍 Via del Corso, 123, Roma
🔗 https://www.idealista.it/immobile/123/

*2. Студия у моря*
💰 €1200/month • 🚪 1 room • 📐 45 m²
📍 Via Marina, 45
🔗 https://www.immobiliare.it/annunci/456/

*3. Таунхаус с садом*
💰 €2500/month • 🚪 4 rooms • 📐 120 m²
📍 Via Verde, 78
🔗 https://www.subito.it/appartamenti/789.htm

📱 Source: ITA_RENT_BOT""",
    "it": """🏠 *Nuovi annunci!*

📍 Ricerca: _Рим, центр_
📊 Trovati: 3 annunci

*1. Квартира в центре Рима*
💰 1800 €/mese • 🚪 3 locali • 📐 85 m²
📍 Via del Corso, 123, Roma
🔗 https://www.idealista.it/immobile/123/

*2. Студия у моря*
💰 1200 €/mese • 🚪 1 locale • 📐 45 m²
📍 Via Marina, 45
🔗 https://www.immobiliare.it/annunci/456/

*3. Таунхаус с садом*
💰 2500 €/mese • 🚪 4 locali • 📐 120 m²
📍 Via Verde, 78
🔗 https://www.subito.it/appartamenti/789.htm

📱 Fonte: ITA_RENT_BOT""",
}


@pytest.mark.parametrize("language", ["ru", "en", "it"])
def test_three_listing_digest_is_exactly_the_clients_format(language: str) -> None:
    [message] = render_digest(language, "Рим, центр", _three(), with_photo=False)
    assert message.text == EXPECTED[language]
    assert message.photos == ()


def test_photos_on_puts_the_first_listings_photo_on_the_first_message() -> None:
    [message] = render_digest("ru", "Рим, центр", _three(), with_photo=True)
    assert message.photos == ("https://img.idealista.it/123/1.jpg",)
    assert message.text == EXPECTED["ru"]


@pytest.mark.parametrize(
    ("language", "n", "found"),
    [
        ("ru", 1, "📊 Найдено: 1 объявление"),
        ("ru", 2, "📊 Найдено: 2 объявления"),
        ("ru", 5, "📊 Найдено: 5 объявлений"),
        ("ru", 21, "📊 Найдено: 21 объявление"),
        ("en", 1, "📊 Found: 1 listing"),
        ("en", 2, "📊 Found: 2 listings"),
        ("en", 5, "📊 Found: 5 listings"),
        ("en", 21, "📊 Found: 21 listings"),
        ("it", 1, "📊 Trovato: 1 annuncio"),
        ("it", 2, "📊 Trovati: 2 annunci"),
        ("it", 5, "📊 Trovati: 5 annunci"),
        ("it", 21, "📊 Trovati: 21 annunci"),
    ],
)
def test_the_count_has_the_right_plural(language: str, n: int, found: str) -> None:
    listings = [
        ListingData(source="s", source_id=str(i), url=f"https://x.it/{i}") for i in range(n)
    ]
    messages = render_digest(language, "f", listings, with_photo=False)
    assert messages[0].text.splitlines()[3] == found


@pytest.mark.parametrize(
    ("language", "rooms", "text"),
    [
        ("en", 1, "🚪 1 room"),
        ("en", 2, "🚪 2 rooms"),
        ("it", 1, "🚪 1 locale"),
        ("it", 5, "🚪 5 locali"),
    ],
)
def test_rooms_have_the_right_plural(language: str, rooms: int, text: str) -> None:
    listing = ListingData(source="s", source_id="1", url="https://x.it/1", rooms=rooms)
    [message] = render_digest(language, "f", [listing], with_photo=False)
    assert text in message.text


@pytest.mark.parametrize("language", ["ru", "en", "it"])
def test_missing_fields_are_left_out(language: str) -> None:
    bare = ListingData(source="subito", source_id="1", url="https://www.subito.it/1.htm")
    only_area = ListingData(source="s", source_id="2", url="https://x.it/2", area_m2=50)
    [message] = render_digest(language, "", [bare, only_area], with_photo=True)

    assert "None" not in message.text
    assert "?" not in message.text
    assert "💰" not in message.text
    assert "📍 " + {"ru": "Фильтр", "en": "Search", "it": "Ricerca"}[language] not in message.text
    assert message.photos == ()  # the first listing has no photo
    untitled = {"ru": "Квартира", "en": "Flat", "it": "Appartamento"}[language]
    assert f"*1. {untitled}*\n🔗 https://www.subito.it/1.htm" in message.text
    assert f"*2. {untitled}*\n📐 50 " in message.text


def test_formatting_marks_in_scraped_text_are_made_inert() -> None:
    listing = ListingData(
        source="s",
        source_id="1",
        url="https://x.it/a_b_c",
        title="*SUPER* _offerta_ ~no~ ```code``` \n> quote",
        address="Via `Roma`\n\n*1*",
    )
    [message] = render_digest("it", "my_*filter*", [listing], with_photo=False)
    title_line = next(line for line in message.text.splitlines() if line.startswith("*1. "))

    assert title_line == "*1. ∗SUPER∗ ˍoffertaˍ ∼no∼ ˋˋˋcodeˋˋˋ > quote*"
    assert "📍 Via ˋRomaˋ ∗1∗" in message.text
    assert "_myˍ∗filter∗_" in message.text
    assert "🔗 https://x.it/a_b_c" in message.text  # links stay usable


def test_escape_flattens_lines_and_truncates() -> None:
    assert escape("a\n\nb\tc") == "a b c"
    assert escape("x" * 20, 10) == "x" * 9 + "…"


def _listing(i: int, title_length: int = 120) -> ListingData:
    return ListingData(
        source="s",
        source_id=str(i),
        url=f"https://www.immobiliare.it/annunci/{100000 + i}/",
        title=("Trilocale luminoso con terrazzo " * 10)[:title_length],
        price_eur=900 + i,
        rooms=3,
        area_m2=70,
        address="Via Giuseppe Garibaldi 12",
        city="Milano",
        photos=[f"https://img.example.com/{i}.jpg"],
    )


def test_a_long_digest_is_split_between_listings_never_inside_one() -> None:
    listings = [_listing(i) for i in range(30)]
    messages = render_digest("ru", "Милан", listings, with_photo=False)

    assert len(messages) > 1
    assert all(whatsapp_length(m.text) <= BODY_LIMIT for m in messages)
    assert messages[0].text.startswith("🏠 *Новые объявления!*")
    assert "📊 Найдено: 30 объявлений" in messages[0].text
    assert messages[-1].text.endswith("📱 Источник: ITA_RENT_BOT")
    assert sum("🏠" in m.text for m in messages) == 1
    numbers = [int(n) for m in messages for n in re.findall(r"^\*(\d+)\. ", m.text, re.M)]
    assert numbers == list(range(1, 31))
    for i, listing in enumerate(listings, start=1):
        [holder] = [m for m in messages if f"*{i}. " in m.text]
        assert f"🔗 {listing.url}" in holder.text


def test_with_a_photo_the_first_message_fits_a_caption() -> None:
    messages = render_digest("en", "Milan", [_listing(i) for i in range(12)], with_photo=True)

    assert messages[0].photos == ("https://img.example.com/0.jpg",)
    assert whatsapp_length(messages[0].text) <= CAPTION_LIMIT
    assert all(m.photos == () for m in messages[1:])


listing_strategy = st.builds(
    ListingData,
    source=st.just("s"),
    source_id=st.text(min_size=1, max_size=5),
    url=st.text(alphabet="abcdefghij/_-.", min_size=1, max_size=300).map(
        lambda s: "https://x.it/" + s
    ),
    title=st.none() | st.text(max_size=400),
    price_eur=st.none() | st.integers(0, 100_000),
    rooms=st.none() | st.integers(0, 30),
    area_m2=st.none() | st.integers(0, 2000),
    address=st.none() | st.text(max_size=400),
    city=st.none() | st.text(max_size=60),
    photos=st.lists(st.just("https://img.example.com/p.jpg"), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    language=st.sampled_from(["ru", "en", "it"]),
    filter_name=st.text(max_size=100),
    listings=st.lists(listing_strategy, min_size=1, max_size=25),
    with_photo=st.booleans(),
)
def test_every_digest_fits_and_keeps_each_listing_whole(
    language: str, filter_name: str, listings: list[ListingData], with_photo: bool
) -> None:
    messages = render_digest(language, filter_name, listings, with_photo=with_photo)

    for index, message in enumerate(messages):
        limit = CAPTION_LIMIT if index == 0 and message.photos else BODY_LIMIT
        assert whatsapp_length(message.text) <= limit
    for i, listing in enumerate(listings, start=1):
        holders = [m for m in messages if f"\n*{i}. " in "\n" + m.text]
        assert len(holders) == 1
        assert f"🔗 {listing.url}" in holders[0].text


def test_template_message_carries_the_sid_and_variables(settings: Settings) -> None:
    configured = settings.model_copy(update={"whatsapp_template_sid": TEMPLATE_SID})
    message = render_template_message("ru", 5, "Рим *центр*", configured)

    assert message.template == Template(
        id=TEMPLATE_SID, variables={"1": "5", "2": "Рим ∗центр∗"}, language="ru"
    )
    assert message.text.startswith("🏠 5 новых объявлений по фильтру «Рим ∗центр∗»")


def test_template_message_for_meta_uses_the_template_name(settings: Settings) -> None:
    meta = settings.model_copy(
        update={"whatsapp_provider": "meta", "whatsapp_template_name": "new_listings"}
    )
    message = render_template_message("it", 1, "Roma", meta)

    assert message.template is not None
    assert message.template.id == "new_listings"
    assert message.text.startswith("🏠 1 nuovo annuncio per «Roma»")


def test_without_a_template_the_message_is_text_only(settings: Settings) -> None:
    message = render_template_message("en", 2, "Rome", settings)
    assert message.template is None
    assert message.text.startswith("🏠 2 new listings for “Rome”")
