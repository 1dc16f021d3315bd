"""The search wizard (/new) and /filters, driven as a user through the fake Bot API."""

from __future__ import annotations

from bot_harness import BotHarness, make_search, texts
from sqlalchemy import select

from ita_rent_bot.filters import cities
from ita_rent_bot.filters import service as filters
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.schemas import FilterIn
from ita_rent_bot.filters.validation import FilterValidationError
from ita_rent_bot.listings.models import Listing

pytest_plugins = ("bot_fixtures",)


async def saved_filters(bot: BotHarness) -> list[SearchFilter]:
    async with bot.factory() as session:
        return list((await session.scalars(select(SearchFilter).order_by(SearchFilter.id))).all())


def rule(field: str, code: str, **params: object) -> str:
    """The shared validator's own message, as the wizard must show it."""
    return FilterValidationError(field, code, params).message("en")


async def test_start_to_saved_filter(bot_on_each_database: BotHarness) -> None:
    bot = bot_on_each_database
    chat = bot.chat(601)
    await chat.send("/start")
    calls = await chat.press("New search")
    assert "Step 1 of 6" in texts(calls)
    assert "Which city?" in texts(calls)
    assert {"⬅️ Back", "✖️ Cancel"} <= set(chat.buttons())

    assert "Monthly rent" in texts(await chat.send("Milan"))
    assert "How many rooms?" in texts(await chat.send("800-1500"))
    assert "Area in m²" in texts(await chat.press("2-3"))
    assert "Options." in texts(await chat.send("50-"))
    await chat.press("idealista")
    await chat.press("Private only")
    await chat.press("Must contain")
    await chat.send("balcone, ascensore")
    await chat.press("Must not contain")
    calls = await chat.send("asta")
    assert "Must contain: balcone, ascensore" in texts(calls)
    calls = await chat.press("Next")
    summary = texts(calls)
    twice = await chat.tap("wiz:next:", message_id=calls[-1].message_id or 0)  # a double tap
    assert [(c.method, c.status) for c in twice][:2] == [
        ("answercallbackquery", 200),
        ("editmessagetext", 400),
    ]
    assert "sendmessage" not in [c.method for c in twice]  # no apology for that
    for line in ("City: Milan", "Price: 800–1500 €", "Rooms: 2–3", "Area: from 50 m²"):
        assert line in summary
    assert "Portals: immobiliare, subito" in summary
    calls = await chat.press("Save")
    assert "saved" in texts(calls)
    assert "No matching listings yet" in texts(calls)
    assert "only new ones" in texts(calls)

    [search] = await saved_filters(bot)
    user = await bot.user(601)
    assert search.user_id == user.id
    assert (search.city, search.price_min, search.price_max) == ("milano", 800, 1500)
    assert (search.rooms_min, search.rooms_max) == (2, 3)
    assert (search.area_min, search.area_max) == (50, None)
    assert sorted(search.sources) == ["immobiliare", "subito"]
    assert search.private_only is True
    assert search.include_words == ["balcone", "ascensore"]
    assert search.exclude_words == ["asta"]
    assert search.name == "Milano ≤1500 €"
    assert search.paused is False


async def test_invalid_input_at_each_step(bot: BotHarness) -> None:
    chat = bot.chat(602)
    await chat.send("/new")

    calls = await chat.send("Milno")
    suggested = cities.suggest_cities("Milno", limit=5)
    assert suggested[0] == "milano"
    assert rule("city", "unknown_city", value="Milno", suggestions=suggested) in texts(calls)
    assert list(chat.buttons())[: len(suggested)] == [
        cities.display_name(slug, language="en") for slug in suggested
    ]
    calls = await chat.press("Milan")
    assert "Monthly rent" in texts(calls)

    calls = await chat.send("cheap")
    assert rule("price", "not_a_number", value="cheap") in texts(calls)
    calls = await chat.send("1500-800")
    assert rule("price", "min_gt_max", min=1500, max=800) in texts(calls)
    assert "How many rooms?" in texts(await chat.send("1200"))

    calls = await chat.send("99")
    assert rule("rooms_min", "too_large", max=20) in texts(calls)
    assert "Area in m²" in texts(await chat.press("Any"))

    calls = await chat.send("huge")
    assert rule("area", "not_a_number", value="huge") in texts(calls)
    assert "Options." in texts(await chat.send("40-80"))

    await chat.press("Must contain")
    calls = await chat.send("x" * 41)
    assert rule("include_words", "too_long", max=40) in texts(calls)
    await chat.send("terrazzo")
    await chat.press("Must not contain")
    await chat.send("Terrazzo")
    await chat.press("Next")
    calls = await chat.press("Save")
    assert rule("exclude_words", "word_conflict", word="Terrazzo") in texts(calls)
    assert await saved_filters(bot) == []

    await chat.press("Options")
    await chat.press("Must not contain")
    await chat.send("-")
    await chat.press("Next")
    assert "saved" in texts(await chat.press("Save"))
    [search] = await saved_filters(bot)
    assert (search.price_max, search.rooms_min, search.area_min) == (1200, None, 40)
    assert search.exclude_words == []


async def test_back_and_cancel(bot: BotHarness) -> None:
    chat = bot.chat(603)
    await chat.send("/new")
    calls = await chat.press("Back")
    assert "Cancelled" in texts(calls)

    await chat.send("/new")
    await chat.send("Roma")
    calls = await chat.press("Back")
    assert [c.method for c in calls] == ["answercallbackquery", "editmessagetext"]
    assert "Which city?" in texts(calls)
    assert "Monthly rent" in texts(await chat.send("Torino"))
    assert "Cancelled" in texts(await chat.press("Cancel"))
    assert "I did not get that" in texts(await chat.send("800"))
    assert await saved_filters(bot) == []


async def test_a_command_ends_the_wizard(bot: BotHarness) -> None:
    chat = bot.chat(604)
    await chat.send("/new")
    await chat.send("/help")
    assert "I did not get that" in texts(await chat.send("Milano"))


async def test_preview_of_the_newest_existing_matches(bot: BotHarness) -> None:
    async with bot.factory() as session, session.begin():
        session.add_all(
            Listing(
                source="immobiliare",
                source_id=f"p{n}",
                url=f"https://www.immobiliare.it/annunci/{n}/",
                title="<Attico> & vista" if n == 4 else f"Bilocale {n}",
                price_eur=1000 + n,
                rooms=2,
                area_m2=50,
                city="roma",
            )
            for n in range(1, 5)
        )
    chat = bot.chat(605)
    saved = await make_search(chat)
    assert "the newest 3 listings already online" in saved
    assert "&lt;Attico&gt; &amp; vista" in saved
    assert "Bilocale 3" in saved
    assert "Bilocale 1" not in saved
    assert "1004 €/month · 2 rooms · 50 m²" in saved


async def test_filters_list_pause_resume_edit_delete(bot: BotHarness) -> None:
    chat = bot.chat(606)
    assert "no searches yet" in texts(await chat.send("/filters"))
    await make_search(chat, city="Roma", price="-2000")
    await make_search(chat, city="Torino", price="-900")
    calls = await chat.send("/filters")
    assert "You have 2 searches:" in texts(calls)

    calls = await chat.press("Torino")
    assert "<b>Torino ≤900 €</b> — active" in texts(calls)
    calls = await chat.press("Pause")
    assert "paused" in texts(calls)
    assert [s.paused for s in await saved_filters(bot)] == [False, True]
    await chat.press("Resume")
    assert [s.paused for s in await saved_filters(bot)] == [False, False]

    calls = await chat.press("Edit")
    assert "Your search" in texts(calls)
    await chat.press("Price")
    calls = await chat.send("700-950")
    assert "Your search" in texts(calls)  # back to the summary, not on to rooms
    await chat.press("Save")
    torino = (await saved_filters(bot))[1]
    assert (torino.price_min, torino.price_max, torino.city) == (700, 950, "torino")
    assert torino.name == "Torino ≤950 €"  # our own name follows the edit

    await chat.send("/filters")
    await chat.press("Roma")
    await chat.press("Delete")
    await chat.press("No")
    assert len(await saved_filters(bot)) == 2
    await chat.press("Delete")
    calls = await chat.press("Yes, delete")
    assert "You have 1 search:" in texts(calls)
    assert [s.city for s in await saved_filters(bot)] == ["torino"]


async def test_someone_elses_filter_is_not_found(bot: BotHarness) -> None:
    owner, other = bot.chat(607), bot.chat(608)
    await make_search(owner)
    [search] = await saved_filters(bot)
    await other.send("/filters")
    calls = await other.tap(f"flt:pause:{search.id}", message_id=other.last_id())
    assert "no longer exists" in texts(calls)
    assert (await saved_filters(bot))[0].paused is False


async def test_a_name_the_user_chose_stays_through_an_edit(bot: BotHarness) -> None:
    chat = bot.chat(609)
    await chat.send("/start")
    user = await bot.user(609)
    async with bot.factory() as session, session.begin():
        data = FilterIn(name="Near the office", city="Milano", price_max=1200)
        await filters.create_filter(session, user_id=user.id, data=data)
    await chat.send("/filters")
    await chat.press("Near the office")
    await chat.press("Edit")
    await chat.press("Price")
    await chat.send("-1400")
    await chat.press("Save")
    [search] = await saved_filters(bot)
    assert (search.name, search.price_max) == ("Near the office", 1400)
