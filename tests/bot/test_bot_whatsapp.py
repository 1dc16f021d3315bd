"""/whatsapp: linking a number with the code WhatsApp delivers (Twilio faked on loopback), then
status, instant or digest, off and on, unlink."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from bot_harness import BotHarness, HandledUpdates, bot_settings, running_bot, texts
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.telegram_api import FakeTelegramAPI
from fakes.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.locales.whatsapp import CATALOG as WHATSAPP_TEXTS

pytest_plugins = ("bot_fixtures",)

SENDER = "whatsapp:+14155238886"


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def bot_with_whatsapp(
    telegram_api: FakeTelegramAPI,
    sqlite_engine: AsyncEngine,
    handled_updates: HandledUpdates,
    sqlite_url: str,
    twilio: FakeTwilio,
) -> AsyncIterator[BotHarness]:
    settings = bot_settings(
        sqlite_url,
        telegram_api,
        whatsapp_enabled=True,
        whatsapp_provider="twilio",
        whatsapp_api_url=twilio.messages_url,
        whatsapp_api_token=AUTH_TOKEN,
        whatsapp_business_account_id=ACCOUNT_SID,
        whatsapp_phone_number_id=[SENDER],
        whatsapp_sender_mps=1000.0,
    )
    async with running_bot(telegram_api, sqlite_engine, handled_updates, settings) as harness:
        yield harness


def code_sent_to(twilio: FakeTwilio, number: str) -> str:
    bodies = [r.form["Body"] for r in twilio.accepted() if r.form["To"] == f"whatsapp:{number}"]
    assert bodies, "no code went out by WhatsApp"
    match = re.search(r"\b(\d{6})\b", bodies[-1])
    assert match is not None, bodies[-1]
    return match.group(1)


async def test_link_a_number_with_the_code_then_manage_it(
    bot_with_whatsapp: BotHarness, twilio: FakeTwilio
) -> None:
    bot = bot_with_whatsapp
    chat = bot.chat(901)
    assert "not linked" in texts(await chat.send("/whatsapp"))
    assert "international format" in texts(await chat.press("Link a number"))

    calls = await chat.send("12345")
    assert WHATSAPP_TEXTS.text("en", "error_invalid_number") in texts(calls)
    assert twilio.accepted() == []

    calls = await chat.send("+39 333 123 4567")
    assert "sent a code by WhatsApp to +393331234567" in texts(calls)
    code = code_sent_to(twilio, "+393331234567")
    wrong = "000000" if code != "000000" else "111111"
    calls = await chat.send(wrong)
    assert WHATSAPP_TEXTS.text("en", "error_wrong_code", left=4) in texts(calls)
    assert (await bot.user(901)).whatsapp_enabled is False

    calls = await chat.send(code)
    assert "+393331234567 is linked" in texts(calls)
    user = await bot.user(901)
    assert (user.whatsapp_number, user.whatsapp_enabled) == ("+393331234567", True)
    assert user.whatsapp_verified_at is not None
    assert "Notifications: on, as a digest" in texts(calls)

    calls = await chat.press("Send at once")
    assert "Notifications: on, instant" in texts(calls)
    calls = await chat.press("Turn off")
    assert "Notifications: off, instant" in texts(calls)
    assert (await bot.user(901)).whatsapp_enabled is False
    await chat.press("Turn on")
    assert (await bot.user(901)).whatsapp_enabled is True

    await chat.press("Unlink")
    calls = await chat.press("Yes, unlink")
    assert "not linked" in texts(calls)
    user = await bot.user(901)
    assert (user.whatsapp_number, user.whatsapp_enabled) == (None, False)


async def test_too_many_wrong_codes(bot_with_whatsapp: BotHarness, twilio: FakeTwilio) -> None:
    chat = bot_with_whatsapp.chat(902)
    await chat.send("/whatsapp")
    await chat.press("Link a number")
    await chat.send("+393331234568")
    code = code_sent_to(twilio, "+393331234568")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(linking.MAX_ATTEMPTS - 1):
        await chat.send(wrong)
    calls = await chat.send(wrong)
    assert WHATSAPP_TEXTS.text("en", "error_too_many_attempts") in texts(calls)
    calls = await chat.send(code)  # even the right code is refused now
    assert WHATSAPP_TEXTS.text("en", "error_too_many_attempts") in texts(calls)
    assert (await bot_with_whatsapp.user(902)).whatsapp_number is None


async def test_whatsapp_not_configured(bot: BotHarness) -> None:
    chat = bot.chat(903)
    assert "not set up on this server" in texts(await chat.send("/whatsapp"))
