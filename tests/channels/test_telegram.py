"""The Telegram channel (real aiogram) against the fake Bot API: what goes out, how errors map."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from fakes.telegram_api import TOKEN, FakeTelegramAPI, Fault
from ita_rent_bot.channels.base import (
    Button,
    OutgoingMessage,
    PermanentFailure,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
)
from ita_rent_bot.channels.telegram import TelegramChannel, make_bot
from ita_rent_bot.config import Settings

CHAT = Recipient(user_id=1, address="4242")
BUTTONS = (
    Button("Open", url="https://www.subito.it/appartamenti/1.htm"),
    Button("Save", callback_data="save:1"),
    Button("Hide", callback_data="hide:1"),
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
async def channel(fake: FakeTelegramAPI) -> AsyncIterator[TelegramChannel]:
    built = TelegramChannel(make_bot(TOKEN, fake.base_url, timeout=1.0))
    yield built
    await built.aclose()


async def test_text_goes_out_in_html_mode_with_buttons_two_to_a_row(
    channel: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    outcome = await channel.send(CHAT, OutgoingMessage("<b>Casa</b> &amp; co", buttons=BUTTONS))
    assert isinstance(outcome, Sent)
    (call,) = fake.sent(4242)
    assert call.method == "sendmessage"
    assert outcome.provider_message_id == str(call.message_id)
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"] == "<b>Casa</b> &amp; co"
    rows = call.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["Open", "Save"], ["Hide"]]
    assert rows[0][0]["url"] == "https://www.subito.it/appartamenti/1.htm"
    assert rows[0][1]["callback_data"] == "save:1"


async def test_a_photo_carries_the_caption_and_an_album_the_first_caption(
    channel: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    photo = await channel.send(CHAT, OutgoingMessage("cap", photos=("https://i/1.jpg",)))
    album = await channel.send(
        CHAT, OutgoingMessage("album", photos=tuple(f"https://i/{n}.jpg" for n in range(12)))
    )
    assert isinstance(photo, Sent)
    assert isinstance(album, Sent)
    first, second = fake.sent(4242)
    assert first.method == "sendphoto"
    assert first.params["caption"] == "cap"
    assert second.method == "sendmediagroup"
    media = second.params["media"]
    assert len(media) == 10
    assert media[0]["caption"] == "album"
    assert all("caption" not in m for m in media[1:])


async def test_a_photo_telegram_cannot_fetch_goes_as_text(
    channel: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    fake.unreachable_photos.add("https://hotlink.refused/1.jpg")
    message = OutgoingMessage("card", photos=("https://hotlink.refused/1.jpg",), buttons=BUTTONS)
    outcome = await channel.send(CHAT, message)
    assert isinstance(outcome, Sent)
    assert [(c.method, c.status) for c in fake.calls] == [("sendphoto", 400), ("sendmessage", 200)]
    assert fake.calls[1].params["text"] == "card"


async def test_errors_become_outcomes(channel: TelegramChannel, fake: FakeTelegramAPI) -> None:
    fake.fail_next(1, Fault("429", retry_after=17))
    limited = await channel.send(CHAT, OutgoingMessage("x"))
    assert isinstance(limited, RetryLater)
    assert limited.after_seconds == 17
    assert limited.code == "429"

    fake.fail_next(1, Fault("5xx", status=502))
    broken = await channel.send(CHAT, OutgoingMessage("x"))
    assert broken == RetryLater(after_seconds=None, reason="Internal Server Error", code="5xx")

    fake.fail_next(1, Fault("timeout", hang_seconds=3))
    slow = await channel.send(CHAT, OutgoingMessage("x"))
    assert isinstance(slow, RetryLater)
    assert slow.code == "network"

    fake.block_chat(4242)
    blocked = await channel.send(CHAT, OutgoingMessage("x"))
    assert blocked == RecipientGone(reason="Forbidden: bot was blocked by the user", code="403")

    fake.unknown_chat(77)
    missing = await channel.send(Recipient(2, "77"), OutgoingMessage("x"))
    assert missing == RecipientGone(reason="Bad Request: chat not found", code="400")

    too_long = await channel.send(Recipient(3, "78"), OutgoingMessage("x" * 5000))
    assert too_long == PermanentFailure(reason="Bad Request: message is too long", code="400")

    not_a_chat = await channel.send(Recipient(4, "not-a-chat"), OutgoingMessage("x"))
    assert isinstance(not_a_chat, RecipientGone)


async def test_the_base_url_setting_points_the_bot_at_the_fake(
    fake: FakeTelegramAPI, sqlite_url: str
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=sqlite_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=fake.base_url,
    )
    channel = TelegramChannel.from_settings(settings)
    assert channel is not None
    me = await channel.bot.get_me()
    await channel.aclose()
    assert me.username == "ita_rent_test_bot"
    assert fake.calls[0].method == "getme"
    no_token = Settings(_env_file=None, database_url=sqlite_url)  # type: ignore[call-arg]
    assert TelegramChannel.from_settings(no_token) is None


async def test_the_fake_enforces_its_caps_over_any_second(fake: FakeTelegramAPI) -> None:
    fake.global_per_second, fake.chat_per_second = 3, 1
    channel = TelegramChannel(make_bot(TOKEN, fake.base_url, timeout=1.0))
    outcomes = [
        await channel.send(Recipient(1, str(c)), OutgoingMessage("x")) for c in (1, 1, 2, 3, 4)
    ]
    await channel.aclose()
    assert [type(o).__name__ for o in outcomes] == [
        "Sent",
        "RetryLater",
        "Sent",
        "Sent",
        "RetryLater",
    ]
    assert [c.cap for c in fake.capped()] == ["chat", "global"]
    assert fake.max_in_window() == 3


async def test_the_fake_long_polls_updates_with_offsets(
    channel: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    assert await channel.bot.get_updates(timeout=0) == []
    first = fake.push_message(4242, "/start", language_code="it")
    updates = await channel.bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    # a long poll waits for the next update and answers as soon as it comes
    waiting = asyncio.create_task(
        channel.bot.get_updates(offset=first + 1, timeout=10, request_timeout=15)
    )
    await asyncio.sleep(0.2)
    assert not waiting.done()
    second = fake.push_callback(4242, "save:9", message_id=1)
    updates = await waiting
    assert [u.update_id for u in updates] == [second]
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.data == "save:9"
    assert await channel.bot.answer_callback_query(updates[0].callback_query.id, text="ok")
    assert await channel.bot.set_webhook("https://bot.example.com/tg")
    info = await channel.bot.get_webhook_info()
    assert info.url == "https://bot.example.com/tg"
    assert await channel.bot.delete_webhook()
    sent = await channel.bot.send_message(4242, "hello")
    edited = await channel.bot.edit_message_text("bye", chat_id=4242, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "bye"
