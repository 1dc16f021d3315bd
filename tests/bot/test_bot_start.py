"""/start, /help, languages, the catch-all, and the commands that switch things for the user."""

from __future__ import annotations

from bot_harness import BotHarness, texts

from fakes.telegram_api import FakeTelegramAPI
from ita_rent_bot.bot.commands import COMMANDS, publish_commands
from ita_rent_bot.channels.telegram import make_bot
from ita_rent_bot.locales.bot import t
from ita_rent_bot.users import service as users

pytest_plugins = ("bot_fixtures",)


async def test_start_creates_the_user_in_their_telegram_language(bot: BotHarness) -> None:
    chat = bot.chat(501, language="it-IT")
    calls = await chat.send("/start")

    assert [c.method for c in calls] == ["sendmessage"]
    assert "Tengo d'occhio gli annunci" in texts(calls)
    assert len(texts(calls).splitlines()) == 3
    assert "🔎 Nuova ricerca" in chat.buttons()
    user = await bot.user(501)
    assert user.language == "it"
    assert user.telegram_username == "user501" or user.telegram_username is None


async def test_an_unknown_language_falls_back_to_russian(bot: BotHarness) -> None:
    chat = bot.chat(502, language="de")
    calls = await chat.send("/start")
    assert "Я слежу за объявлениями" in texts(calls)
    assert (await bot.user(502)).language == "ru"


async def test_the_language_can_be_changed(bot: BotHarness) -> None:
    chat = bot.chat(503, language="ru")
    await chat.send("/language")
    calls = await chat.press("English")
    assert "Settings" in texts(calls)
    assert (await bot.user(503)).language == "en"
    calls = await chat.send("/help")
    assert "/new — new search" in texts(calls)


async def test_help_and_an_unknown_message(bot: BotHarness) -> None:
    chat = bot.chat(504)
    assert "/whatsapp" in texts(await chat.send("/help"))
    calls = await chat.send("hello there")
    assert "I did not get that" in texts(calls)
    assert "🔎 New search" in chat.buttons()


async def test_pause_and_resume_every_notification(bot: BotHarness) -> None:
    chat = bot.chat(505)
    assert "paused" in texts(await chat.send("/pause"))
    assert (await bot.user(505)).paused is True
    assert "on again" in texts(await chat.send("/resume"))
    assert (await bot.user(505)).paused is False


async def test_token_is_shown_once_and_rotates(bot: BotHarness) -> None:
    chat = bot.chat(506)
    first = texts(await chat.send("/token")).split("<code>")[1].split("</code>")[0]
    second = texts(await chat.send("/token")).split("<code>")[1].split("</code>")[0]
    assert first != second
    async with bot.factory() as session:
        assert await users.get_by_api_token(session, token=first) is None
        owner = await users.get_by_api_token(session, token=second)
        assert owner is not None
        assert owner.telegram_chat_id == 506
        assert owner.api_token_hash != second  # stored hashed


async def test_settings_quiet_hours_and_time_zone(bot: BotHarness) -> None:
    chat = bot.chat(507)
    await chat.send("/settings")
    await chat.press("Quiet hours")
    calls = await chat.send("soon")
    assert "I did not get that" in texts(calls)
    calls = await chat.send("23-7")
    assert "Quiet hours: 23:00–07:00" in texts(calls)
    user = await bot.user(507)
    assert (user.quiet_hours_start.hour, user.quiet_hours_end.hour) == (23, 7)  # type: ignore[union-attr]

    await chat.press("Time zone")
    assert "do not know that time zone" in texts(await chat.send("Mars/Olympus"))
    assert "Time zone: Europe/London" in texts(await chat.send("Europe/London"))

    await chat.press("Quiet hours")
    calls = await chat.press("No quiet hours")
    assert "Quiet hours: none" in texts(calls)
    user = await bot.user(507)
    assert user.timezone == "Europe/London"
    assert user.quiet_hours_start is None


async def test_settings_toggles(bot: BotHarness) -> None:
    chat = bot.chat(508)
    await chat.send("/settings")
    await chat.press("All photos")
    await chat.press("Price drops")
    await chat.press("Telegram: instant")
    user = await bot.user(508)
    assert user.telegram_all_photos is True
    assert user.price_drop_alerts is False
    assert user.telegram_mode == "digest"
    assert "✅ All photos" in " ".join(chat.buttons())


async def test_leave_deletes_everything_after_confirmation(bot: BotHarness) -> None:
    chat = bot.chat(509)
    await chat.send("/start")
    await chat.send("/leave")
    calls = await chat.press("No")
    assert "nothing deleted" in texts(calls)
    await bot.user(509)
    await chat.send("/leave")
    calls = await chat.press("Yes, delete everything")
    assert "All your data is deleted" in texts(calls)
    async with bot.factory() as session:
        assert await users.get_by_telegram_chat(session, chat_id=509) is None


async def test_a_button_from_a_finished_conversation_is_answered(bot: BotHarness) -> None:
    chat = bot.chat(510)
    await chat.send("/start")
    start_menu = chat.last_id()
    await chat.send("/leave")
    await chat.press("Yes, delete everything")
    calls = await chat.tap("wiz:back:", message_id=start_menu)
    assert [c.method for c in calls] == ["answercallbackquery"]
    assert texts(calls) == t("en", "fallback.stale_button")


async def test_the_command_menu_is_published_in_each_language(bot: BotHarness) -> None:
    menus = bot.api.commands
    assert set(menus) == {"", "ru", "en", "it"}
    for menu in menus.values():
        assert [command for command, _ in menu] == list(COMMANDS)
    assert menus["en"][0] == ("new", "New search")
    assert menus["it"][0] == ("new", "Nuova ricerca")
    assert menus[""] == menus["ru"]  # without a language: the default, Russian


async def test_every_command_in_the_menu_is_answered(bot: BotHarness) -> None:
    for n, command in enumerate(COMMANDS):
        calls = await bot.chat(600 + n).send(f"/{command}")
        assert calls, command
        assert t("en", "fallback.unknown") not in texts(calls), command


async def test_a_refused_menu_does_not_stop_the_bot(telegram_api: FakeTelegramAPI) -> None:
    bot = make_bot("123456:not-the-token", telegram_api.base_url)  # Telegram answers 401
    try:
        await publish_commands(bot)  # logs the refusal and returns
    finally:
        await bot.session.close()
    assert telegram_api.commands == {}
    assert [c.status for c in telegram_api.calls_to("setMyCommands")] == [401]
