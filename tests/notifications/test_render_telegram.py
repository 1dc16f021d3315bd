"""The Telegram card and digest: escaped, within Telegram's limits, a missing field left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.notifications.render.telegram import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    render_card,
    render_digest,
    telegram_length,
)


@dataclass
class Flat:
    id: int = 7
    source: str = "idealista"
    url: str = "https://www.idealista.it/immobile/123/"
    title: str | None = "Bilocale in Via del Corso"
    price_eur: int | None = 1800
    rooms: int | None = 3
    area_m2: int | None = 85
    zone: str | None = "Centro Storico"
    address: str | None = "Via del Corso 12"
    city: str | None = "Roma"
    photos: list[str] = field(default_factory=list)
    published_at: datetime | None = None


def test_a_card_in_russian_with_every_field() -> None:
    (message,) = render_card("ru", Flat(), filter_id=3, filter_name="Центр")
    assert message.text == (
        '🏠 <b><a href="https://www.idealista.it/immobile/123/">Bilocale in Via del Corso</a></b>\n'
        "💰 1\u00a0800 €/мес • 🚪 3 комнаты • 📐 85 м²\n"
        "📍 Centro Storico, Via del Corso 12\n"
        "🔎 Поиск: Центр\n"
        "🌐 idealista.it"
    )
    assert [(b.text, b.url, b.callback_data) for b in message.buttons] == [
        ("Открыть", "https://www.idealista.it/immobile/123/", None),
        ("Сохранить", None, "save:7"),
        ("Скрыть", None, "hide:7"),
        ("Пауза поиска", None, "pause:3"),
    ]
    assert message.photos == ()


def test_plural_rooms_and_local_price_formats() -> None:
    texts = {
        lang: render_card(lang, Flat(rooms=n, price_eur=12500), filter_id=None, filter_name=None)[
            0
        ].text
        for lang in ("ru", "en", "it")
        for n in (1,)
    }
    assert "1 комната" in texts["ru"]
    assert "12\u00a0500 €/мес" in texts["ru"]
    assert "1 room" in texts["en"]
    assert "€12,500/month" in texts["en"]
    assert "1 locale" in texts["it"]
    assert "12.500 €/mese" in texts["it"]
    five = render_card("ru", Flat(rooms=5), filter_id=None, filter_name=None)[0].text
    assert "5 комнат" in five


def test_missing_fields_are_left_out() -> None:
    bare = Flat(title=None, price_eur=None, rooms=None, area_m2=None, zone=None, address=None)
    (message,) = render_card("en", bare, filter_id=None, filter_name=None)
    assert message.text == (
        '🏠 <b><a href="https://www.idealista.it/immobile/123/">Listing</a></b>\n'
        "📍 Roma\n"
        "🌐 idealista.it"
    )
    assert "None" not in message.text
    assert "?" not in message.text
    assert [b.callback_data for b in message.buttons] == [None, "save:7", "hide:7"]


def test_scraped_strings_are_escaped() -> None:
    evil = Flat(
        title='<script>alert("x")</script> & co',
        zone="<b>Zona</b>",
        url='https://x.it/?a=1&b="2"',
    )
    (message,) = render_card("en", evil, filter_id=1, filter_name="<i>mine</i>")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in message.text
    assert "&lt;b&gt;Zona&lt;/b&gt;" in message.text
    assert 'href="https://x.it/?a=1&amp;b=&quot;2&quot;"' in message.text
    assert "&lt;i&gt;mine&lt;/i&gt;" in message.text
    assert "<script>" not in message.text


def test_a_photo_card_and_an_album_with_buttons_after_it() -> None:
    photos = [f"https://img.example/{i}.jpg" for i in range(12)]
    (single,) = render_card("en", Flat(photos=photos), filter_id=1, filter_name=None)
    assert single.photos == (photos[0],)
    assert single.buttons
    album, buttons = render_card(
        "en", Flat(photos=photos), filter_id=1, filter_name=None, all_photos=True
    )
    assert album.photos == tuple(photos[:10])
    assert album.buttons == ()
    assert buttons.photos == ()
    assert [b.callback_data for b in buttons.buttons] == [None, "save:7", "hide:7", "pause:1"]


def test_a_price_drop_names_both_prices() -> None:
    (message,) = render_card(
        "it", Flat(price_eur=1700), filter_id=1, filter_name=None, price_drop=True, old_price=1900
    )
    assert message.text.startswith("📉 <b>Prezzo sceso: 1.900 → 1.700 €</b>\n")


text = st.text(min_size=0, max_size=3000)


@given(title=text, zone=text, address=text, name=text, has_photo=st.booleans())
def test_a_card_always_fits_telegram(
    title: str, zone: str, address: str, name: str, has_photo: bool
) -> None:
    flat = Flat(
        title=title, zone=zone, address=address, photos=["https://p/1.jpg"] if has_photo else []
    )
    (message,) = render_card("ru", flat, filter_id=1, filter_name=name)
    limit = CAPTION_LIMIT if message.photos else TEXT_LIMIT
    assert telegram_length(message.text) <= limit
    assert "None" not in message.text.replace(title, "").replace(name, "")


def test_a_digest_counts_in_the_right_plural_and_splits_at_4096() -> None:
    (two,) = render_digest("ru", "Рим", [Flat(id=1), Flat(id=2)])
    assert two.text.startswith("🏠 <b>2 новых объявления</b>\n🔎 Поиск: Рим\n\n<b>1.</b> ")
    many = render_digest("en", None, [Flat(id=i, title="T" * 190) for i in range(60)])
    assert len(many) > 1
    assert all(telegram_length(m.text) <= TEXT_LIMIT for m in many)
    assert many[0].text.startswith("🏠 <b>60 new listings</b>")
    assert sum(m.text.count("🌐 idealista.it") for m in many) == 60
