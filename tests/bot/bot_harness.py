"""Talking to the real aiogram bot as a user, through the fake Bot API (tests/fakes).

A test sends (`Chat.send`, `Chat.press`) and waits until aiogram reports the update handled: its
"Update id=N is handled" line comes after the middleware's commit, so nothing sleeps or times.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram_html import html_problem

from fakes.telegram_api import TOKEN, Call, FakeTelegramAPI
from ita_rent_bot.bot.runner import BotRuntime
from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_session_factory
from ita_rent_bot.users import service as users
from ita_rent_bot.users.models import User

_callback_ids = itertools.count(1)
WAIT_SECONDS = 15.0  # a safety net for a hung test, never a timing assertion
TEXT_METHODS = ("sendmessage", "editmessagetext")
POLLING_METHODS = ("getupdates", "getme", "deletewebhook", "setmycommands")  # the runner's own


class HandledUpdates(logging.Handler):
    """Collects the ids aiogram reports as processed (handled or not), end to end."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.done: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith("Update id=") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            self.done[int(args[0])].set()  # type: ignore[call-overload]


def bot_settings(database_url: str, api: FakeTelegramAPI, **extra: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        **extra,
    )


def text_of(call: Call) -> str:
    params = call.params
    return str(params.get("text") or params.get("caption") or "")


@dataclass
class BotHarness:
    api: FakeTelegramAPI
    runtime: BotRuntime
    factory: async_sessionmaker[AsyncSession]
    handled: HandledUpdates

    async def run(self, push: Callable[[], int]) -> list[Call]:
        """Push one update, wait until the bot is done with it; the calls it made meanwhile."""
        mark = len(self.api.calls)
        update_id = push()
        await asyncio.wait_for(self.handled.done[update_id].wait(), WAIT_SECONDS)
        calls = [c for c in self.api.calls[mark:] if c.method not in POLLING_METHODS]
        for call in calls:
            if call.method in TEXT_METHODS or call.params.get("caption"):
                problem = html_problem(text_of(call))
                assert problem is None, f"Telegram would refuse {text_of(call)!r}: {problem}"
        return calls

    def chat(self, chat_id: int, language: str = "en") -> Chat:
        return Chat(self, chat_id, language)

    async def user(self, chat_id: int) -> User:
        async with self.factory() as session:
            user = await users.get_by_telegram_chat(session, chat_id=chat_id)
            assert user is not None
            return user


@dataclass
class Chat:
    """One user talking to the bot in a private chat."""

    bot: BotHarness
    chat_id: int
    language: str = "en"
    history: list[Call] = field(default_factory=list)

    async def send(self, text: str) -> list[Call]:
        api = self.bot.api
        calls = await self.bot.run(
            lambda: api.push_message(self.chat_id, text, language_code=self.language)
        )
        self.history.extend(calls)
        return calls

    def buttons(self, message_id: int | None = None) -> dict[str, str]:
        """Button text → callback data (or url) of a bot message, the latest one by default."""
        kept = self.bot.api.messages[(self.chat_id, message_id or self.last_id())]
        rows = (kept.reply_markup or {}).get("inline_keyboard", [])
        return {b["text"]: b.get("callback_data") or b.get("url", "") for row in rows for b in row}

    def last_id(self) -> int:
        """The bot's latest message in this chat that carries buttons."""
        with_buttons = [
            key[1]
            for key, kept in self.bot.api.messages.items()
            if key[0] == self.chat_id and kept.reply_markup
        ]
        assert with_buttons, "the bot sent no message with buttons"
        return max(with_buttons)

    async def press(self, label: str, *, message_id: int | None = None) -> list[Call]:
        """Tap the button whose text contains `label` on a bot message (the latest by default)."""
        target = message_id or self.last_id()
        matches = [data for text, data in self.buttons(target).items() if label in text]
        assert len(matches) == 1, f"{label!r} among {list(self.buttons(target))}"
        return await self.tap(matches[0], message_id=target)

    async def tap(self, data: str, *, message_id: int) -> list[Call]:
        """A button press as Telegram sends it: the message carries its text and keyboard."""
        api = self.bot.api
        kept = api.messages.get((self.chat_id, message_id))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private"},
            "from": {"id": api.bot_id, "is_bot": True, "first_name": "ITA_RENT_BOT"},
            "text": kept.text if kept is not None and kept.text else "…",
        }
        if kept is not None and kept.reply_markup:
            message["reply_markup"] = kept.reply_markup
        callback = {
            "id": f"cb{next(_callback_ids)}",
            "from": api.user(self.chat_id, language_code=self.language),
            "chat_instance": str(self.chat_id),
            "message": message,
            "data": data,
        }
        calls = await self.bot.run(lambda: api.push_update({"callback_query": callback}))
        self.history.extend(calls)
        return calls

    def last_text(self) -> str:
        texts = [text_of(c) for c in self.history if c.method in TEXT_METHODS and c.status == 200]
        return texts[-1] if texts else ""


def texts(calls: list[Call]) -> str:
    """Everything the user saw in these calls, text and toasts, one string to search."""
    parts = [text_of(c) for c in calls if c.method in (*TEXT_METHODS, "sendphoto")]
    parts += [str(c.params.get("text", "")) for c in calls if c.method == "answercallbackquery"]
    return "\n".join(parts)


@asynccontextmanager
async def running_bot(
    api: FakeTelegramAPI,
    engine: AsyncEngine,
    handled: HandledUpdates,
    settings: Settings,
) -> AsyncIterator[BotHarness]:
    factory = create_session_factory(engine)
    runtime = BotRuntime.create(settings, factory)
    await runtime.start(poll=True)
    try:
        yield BotHarness(api, runtime, factory, handled)
    finally:
        await runtime.stop()


async def make_search(chat: Chat, city: str = "Roma", price: str = "-2000") -> str:
    """A search made through the wizard with the defaults elsewhere; what the bot said at Save."""
    await chat.send("/new")
    await chat.send(city)
    await chat.send(price)
    await chat.press("Any")
    await chat.press("Any")
    await chat.press("Next")
    return texts(await chat.press("Save"))
