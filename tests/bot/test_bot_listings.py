"""A matched listing arrives as a card (the engine's channel and render), and its buttons work:
Save (then /saved), Hide (for good, twins included), Pause this search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot_harness import BotHarness, Chat, make_search, text_of, texts
from sqlalchemy import func, select
from telegram_html import html_problem

from fakes.telegram_api import TOKEN, Call
from ita_rent_bot.bot.listings import SAVED_PAGE
from ita_rent_bot.channels.telegram import TelegramChannel, make_bot
from ita_rent_bot.db import utcnow
from ita_rent_bot.filters import outbox
from ita_rent_bot.filters.matcher import FilterIndex
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import MARK_HIDDEN, MARK_SAVED, Listing, ListingMark
from ita_rent_bot.notifications.engine import DeliveryEngine, EngineOptions
from ita_rent_bot.notifications.limits import RateLimits
from ita_rent_bot.notifications.models import Delivery

pytest_plugins = ("bot_fixtures",)


@dataclass
class Ingested:
    """What listings.service's ingest hands to matching: the new listings, no price changes."""

    new: list[Listing]
    price_changed: list[object] = field(default_factory=list)


def a_listing(n: int, **fields: object) -> Listing:
    values: dict[str, object] = {
        "source": "immobiliare",
        "source_id": f"c{n}",
        "url": f"https://www.immobiliare.it/annunci/{n}/",
        "title": f"Trilocale <luminoso> & arredato {n}",
        "price_eur": 1500,
        "rooms": 3,
        "area_m2": 80,
        "city": "roma",
        "zone": "Monti",
        "photos": [f"https://pwm.im-cdn.it/image/{n}/xxl.jpg"],
    }
    values.update(fields)
    return Listing(**values)


async def ingest_and_deliver(bot: BotHarness, listings: list[Listing]) -> int:
    """New listings go through matching into the outbox, and the engine sends what is due."""
    async with bot.factory() as session, session.begin():
        session.add_all(listings)
        await session.flush()
        report = await outbox.enqueue_matches(
            session, FilterIndex(), Ingested(listings), now=utcnow()
        )
    settings = bot.runtime.settings
    channel = TelegramChannel(make_bot(TOKEN, bot.api.base_url, timeout=5.0))
    engine = DeliveryEngine(
        bot.factory,
        {"telegram": channel},
        RateLimits(),
        settings,
        options=EngineOptions.from_settings(settings, poll_seconds=0.05, backoff_base_seconds=0.05),
    )
    try:
        await engine.run_until_idle(limit_seconds=30)
    finally:
        await channel.aclose()
    return report.inserted


async def marks(bot: BotHarness, kind: str) -> list[int]:
    async with bot.factory() as session:
        rows = await session.scalars(select(ListingMark.listing_id).where(ListingMark.kind == kind))
        return sorted(rows)


def card_id(chat: Chat) -> int:
    cards = [c for c in chat.bot.api.sent(chat.chat_id) if c.method == "sendphoto" and c.message_id]
    assert cards, "no card arrived"
    message_id = cards[-1].message_id
    assert message_id is not None
    return message_id


async def test_a_matched_listing_arrives_as_a_card_and_its_buttons_work(bot: BotHarness) -> None:
    chat = bot.chat(701)
    await make_search(chat, city="Roma", price="-2000")
    first = a_listing(1)
    assert await ingest_and_deliver(bot, [first]) == 1

    card = [c for c in bot.api.sent(701) if c.method == "sendphoto"][-1]
    assert html_problem(text_of(card)) is None
    assert "Trilocale &lt;luminoso&gt; &amp; arredato 1" in text_of(card)
    message_id = card_id(chat)
    assert list(chat.buttons(message_id)) == ["Open", "Save", "Hide", "Pause this search"]

    calls = await chat.press("Save", message_id=message_id)
    assert [c.method for c in calls] == ["answercallbackquery"]
    assert "Saved" in texts(calls)
    assert "Already saved" in texts(await chat.press("Save", message_id=message_id))
    assert await marks(bot, MARK_SAVED) == [first.id]
    calls = await chat.send("/saved")
    assert "1 saved listing:" in texts(calls)
    assert "Trilocale &lt;luminoso&gt; &amp; arredato 1" in texts(calls)

    calls = await chat.press("Hide", message_id=message_id)
    assert "Hidden" in texts(calls)
    assert "editmessagereplymarkup" in [c.method for c in calls]
    assert "Save" not in chat.buttons(message_id)
    assert await marks(bot, MARK_HIDDEN) == [first.id]
    assert await marks(bot, MARK_SAVED) == []
    assert "No saved listings" in texts(await chat.send("/saved"))

    # the same flat again, re-posted on another portal: hidden means it never comes back
    twin = a_listing(2, source="idealista", twin_of_id=first.id)
    assert await ingest_and_deliver(bot, [twin]) == 0
    assert len([c for c in bot.api.sent(701) if c.method == "sendphoto"]) == 1

    calls = await chat.press("Pause this search", message_id=message_id)
    assert "is paused" in texts(calls)
    async with bot.factory() as session:
        assert (await session.scalars(select(SearchFilter.paused))).all() == [True]
    assert await ingest_and_deliver(bot, [a_listing(3)]) == 0


async def test_saved_list_and_removing_from_it(bot: BotHarness) -> None:
    chat = bot.chat(702)
    await make_search(chat, city="Roma", price="-2000")
    listings = [a_listing(10 + n, photos=[]) for n in range(3)]
    assert await ingest_and_deliver(bot, listings) == 3
    cards = [c.message_id for c in bot.api.sent(702) if c.method == "sendmessage"][-3:]
    for message_id in cards:
        await chat.press("Save", message_id=message_id)
    calls = await chat.send("/saved")
    assert "3 saved listings:" in texts(calls)
    calls = await chat.press("✕ 1")
    assert "2 saved listings:" in texts(calls)
    assert len(await marks(bot, MARK_SAVED)) == 2


async def test_buttons_of_a_listing_that_is_gone(bot: BotHarness) -> None:
    chat = bot.chat(703)
    await chat.send("/start")
    menu = chat.last_id()
    assert "no longer exists" in texts(await chat.tap("save:999999", message_id=menu))
    assert "no longer exists" in texts(await chat.tap("hide:999999", message_id=menu))
    assert "no longer exists" in texts(await chat.tap("pause:999999", message_id=menu))
    async with bot.factory() as session:
        assert await session.scalar(select(func.count()).select_from(ListingMark)) == 0
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 0


async def _save_many(bot: BotHarness, chat_id: int, count: int) -> list[int]:
    """`count` saved listings with long titles, the last saved most recently; their ids,
    newest first."""
    user = await bot.user(chat_id)
    async with bot.factory() as session, session.begin():
        listings = [
            a_listing(100 + n, title=f"Bilocale {n} " + "molto luminoso " * 20)
            for n in range(count)
        ]
        session.add_all(listings)
        await session.flush()
        start = utcnow() - timedelta(hours=1)
        session.add_all(
            ListingMark(
                user_id=user.id,
                listing_id=listing.id,
                kind=MARK_SAVED,
                created_at=start + timedelta(seconds=n),
            )
            for n, listing in enumerate(listings)
        )
    return [listing.id for listing in reversed(listings)]


async def _tap_exact(chat: Chat, label: str) -> list[Call]:
    message_id = chat.last_id()
    return await chat.tap(chat.buttons(message_id)[label], message_id=message_id)


def _removals(chat: Chat) -> list[str]:
    return [b for b in chat.buttons() if b.startswith("✕")]


async def test_saved_pages_and_removing_on_a_later_page(bot: BotHarness) -> None:
    n = SAVED_PAGE
    chat = bot.chat(704, language="en")
    await chat.send("/start")
    newest_first = await _save_many(bot, 704, 2 * n + 5)

    calls = await chat.send("/saved")
    assert [c.status for c in calls if c.method == "sendmessage"] == [200]  # long titles fit
    shown = texts(calls)
    assert f"{2 * n + 5} saved listings:\nPage 1 of 3" in shown
    assert f"\n{n}. " in shown
    assert f"\n{n + 1}. " not in shown
    assert _removals(chat) == [f"✕ {k}" for k in range(1, n + 1)]
    assert "⬅️ Newer" not in chat.buttons()

    shown = texts(await _tap_exact(chat, "Older ➡️"))
    assert "Page 2 of 3" in shown
    assert f"\n{n + 1}. " in shown
    assert {"⬅️ Newer", "Older ➡️"} <= set(chat.buttons())

    calls = await _tap_exact(chat, f"✕ {n + 5}")  # the (n+5)th newest goes; the page stays
    assert "Removed from saved." in texts(calls)
    assert f"{2 * n + 4} saved listings:\nPage 2 of 3" in texts(calls)
    assert newest_first[n + 4] not in await marks(bot, MARK_SAVED)
    assert len(await marks(bot, MARK_SAVED)) == 2 * n + 4

    await _tap_exact(chat, "Older ➡️")
    assert _removals(chat) == [f"✕ {k}" for k in range(2 * n + 1, 2 * n + 5)]
    for _ in range(4):  # empty the last page: the one before it shows
        calls = await _tap_exact(chat, f"✕ {2 * n + 1}")
    assert f"{2 * n} saved listings:\nPage 2 of 2" in texts(calls)
    assert "Older ➡️" not in chat.buttons()

    assert "Page 1 of 2" in texts(await _tap_exact(chat, "⬅️ Newer"))
