"""Many replicas: with REDIS_URL the conversation state lives in Redis, so a wizard started on
one replica's webhook finishes on another's."""

from __future__ import annotations

import secrets
import time
from typing import Any

import redis.asyncio as redis
from aiogram.types import Update
from bot_harness import bot_settings
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fakes.telegram_api import FakeTelegramAPI
from ita_rent_bot.bot.runner import BotRuntime
from ita_rent_bot.db import create_session_factory
from ita_rent_bot.filters.models import SearchFilter

pytest_plugins = ("bot_fixtures",)


def tap(update_id: int, chat_id: int, data: str, message_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"r{update_id}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "T", "language_code": "en"},
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
        },
    }


def message(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "T", "language_code": "en"},
            "text": text,
        },
    }


async def test_a_wizard_moves_between_replicas(
    telegram_api: FakeTelegramAPI,
    sqlite_engine: AsyncEngine,
    sqlite_url: str,
    require_redis: str,
) -> None:
    settings = bot_settings(sqlite_url, telegram_api, redis_url=require_redis)
    factory = create_session_factory(sqlite_engine)
    replicas = [BotRuntime.create(settings, factory) for _ in range(2)]
    chat_id = 10**9 + secrets.randbelow(10**9)  # other test sessions may share this Redis
    try:
        for n, text in enumerate(["/new", "Roma", "800-1500", "2-3", "40-"], start=1):
            replica = replicas[n % 2]
            await replica.feed(Update.model_validate(message(n, chat_id, text)))
        prompts = [c.params["text"] for c in telegram_api.sent(chat_id)]
        assert "Which city?" in prompts[0]
        assert "Monthly rent" in prompts[1]
        assert "How many rooms?" in prompts[2]
        assert "Area in m²" in prompts[3]
        assert "Options." in prompts[4]
        options = telegram_api.sent(chat_id)[-1].message_id
        assert options is not None
        await replicas[0].feed(Update.model_validate(tap(6, chat_id, "wiz:next:", options)))
        await replicas[1].feed(Update.model_validate(tap(7, chat_id, "wiz:save:", options)))
    finally:
        for replica in replicas:
            await replica.stop()
        client = redis.Redis.from_url(require_redis)
        keys = [key async for key in client.scan_iter(f"fsm:*:{chat_id}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()

    async with factory() as session:
        [search] = (await session.scalars(select(SearchFilter))).all()
    assert (search.city, search.price_max, search.rooms_min, search.area_min) == (
        "roma",
        1500,
        2,
        40,
    )
