"""Failures: a user who blocked the bot, a Bot API error inside a handler (an apology and a log
line with the update id), and the dispatcher carrying on afterwards."""

from __future__ import annotations

import time

import pytest
from bot_harness import BotHarness, texts

from fakes.telegram_api import Fault
from ita_rent_bot.locales.bot import t
from ita_rent_bot.users import service as users

pytest_plugins = ("bot_fixtures",)


async def test_a_blocked_user_has_telegram_turned_off_until_they_write_again(
    bot: BotHarness,
) -> None:
    chat = bot.chat(801)
    await chat.send("/start")
    bot.api.block_chat(801)

    calls = await chat.send("/help")
    assert [(c.method, c.status) for c in calls] == [("sendmessage", 403)]  # no apology tried
    user = await bot.user(801)
    assert user.telegram_enabled is False
    assert user.telegram_blocked_at is not None

    bot.api.unblock_chat(801)
    calls = await chat.send("/help")
    assert "/new" in texts(calls)
    user = await bot.user(801)
    assert user.telegram_enabled is True
    assert user.telegram_blocked_at is None


def member_update(chat_id: int, old: str, new: str) -> dict[str, object]:
    """The user blocked ("kicked") or unblocked ("member") the bot."""
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "ITA_RENT_BOT"}

    def member(status: str) -> dict[str, object]:
        return {"status": status, "user": bot_user} | (
            {"until_date": 0} if status == "kicked" else {}
        )

    return {
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }


async def test_block_and_unblock_updates_switch_the_channel(bot: BotHarness) -> None:
    chat = bot.chat(802)
    await chat.send("/start")
    calls = await bot.run(lambda: bot.api.push_update(member_update(802, "member", "kicked")))
    assert calls == []
    user = await bot.user(802)
    assert (user.telegram_enabled, user.telegram_blocked_at is not None) == (False, True)

    await bot.run(lambda: bot.api.push_update(member_update(802, "kicked", "member")))
    user = await bot.user(802)
    assert (user.telegram_enabled, user.telegram_blocked_at) == (True, None)


async def test_a_stranger_blocking_the_bot_creates_nobody(bot: BotHarness) -> None:
    await bot.run(lambda: bot.api.push_update(member_update(803, "member", "kicked")))
    async with bot.factory() as session:
        assert await users.get_by_telegram_chat(session, chat_id=803) is None


async def test_a_handler_error_is_an_apology_and_a_log_line(
    bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = bot.chat(804, language="it")
    await chat.send("/start")
    capsys.readouterr()

    bot.api.fail_next(1, Fault("400"))
    calls = await chat.send("/pause")
    assert [(c.method, c.status) for c in calls] == [("sendmessage", 400), ("sendmessage", 200)]
    assert texts(calls[1:]) == t("it", "error.apology")
    assert (await bot.user(804)).paused is False  # the update's work was rolled back

    update_id = max(bot.handled.done)
    logged = capsys.readouterr().err
    assert "bot handler failed" in logged
    assert f"update_id={update_id}" in logged
    assert "chat not found" in logged

    calls = await chat.send("/pause")  # the dispatcher carries on
    assert "pausa" in texts(calls)
    assert (await bot.user(804)).paused is True


async def test_an_error_after_a_button_apologises_in_the_chat(bot: BotHarness) -> None:
    chat = bot.chat(805)
    await chat.send("/start")
    bot.api.fail_next(1, Fault("5xx", status=502))
    calls = await chat.press("New search")
    assert [(c.method, c.status) for c in calls] == [
        ("answercallbackquery", 200),
        ("sendmessage", 502),
        ("answercallbackquery", 200),  # Telegram refuses a second answer; it does not matter
        ("sendmessage", 200),
    ]
    assert texts(calls[-1:]) == t("en", "error.apology")
