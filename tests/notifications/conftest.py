"""Engine fixtures: the fake Telegram server, settings pointing at it, and an engine factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.whatsapp.conftest import twilio_settings
from fakes.telegram_api import TOKEN, FakeTelegramAPI
from fakes.twilio_fake import FakeTwilio
from ita_rent_bot.channels.base import Channel
from ita_rent_bot.channels.telegram import TelegramChannel, make_bot
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.notifications.engine import DeliveryEngine, EngineOptions
from ita_rent_bot.notifications.limits import RateLimits
from ita_rent_bot.notifications.models import PENDING, SENDING
from notifications.builders import statuses


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
def tg_settings(database_url: str, fake_telegram: FakeTelegramAPI) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=fake_telegram.base_url,
        telegram_chat_mps=50,
        telegram_global_mps=1000,
    )


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def dual_settings(
    database_url: str, twilio: FakeTwilio, fake_telegram: FakeTelegramAPI
) -> Settings:
    """Both channels on: Telegram at the fake Bot API, WhatsApp at the fake Twilio."""
    return twilio_settings(
        database_url,
        twilio.messages_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=fake_telegram.base_url,
        telegram_chat_mps=50,
        telegram_global_mps=1000,
    )


@pytest.fixture
async def whatsapp_channel(dual_settings: Settings) -> AsyncIterator[WhatsAppService]:
    service = WhatsAppService.from_settings(dual_settings)
    assert service is not None
    yield service
    await service.aclose()


@pytest.fixture
async def telegram_channel(fake_telegram: FakeTelegramAPI) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(make_bot(TOKEN, fake_telegram.base_url, timeout=1.0))
    yield channel
    await channel.aclose()


EngineFactory = Callable[..., DeliveryEngine]


@pytest.fixture
def make_engine(
    session_factory: async_sessionmaker[AsyncSession],
    tg_settings: Settings,
    telegram_channel: TelegramChannel,
) -> EngineFactory:
    def build(
        channels: Mapping[str, Channel] | None = None,
        settings: Settings | None = None,
        **options: Any,
    ) -> DeliveryEngine:
        chosen = settings or tg_settings
        opts = {"backoff_base_seconds": 0.05, "poll_seconds": 0.05, **options}
        return DeliveryEngine(
            session_factory,
            channels if channels is not None else {"telegram": telegram_channel},
            RateLimits(),
            chosen,
            options=EngineOptions.from_settings(chosen, **opts),
        )

    return build


async def run_until_settled(
    engine: DeliveryEngine,
    factory: async_sessionmaker[AsyncSession],
    *,
    limit_seconds: float = 30.0,
    settled: Callable[[dict[str, int]], bool] | None = None,
) -> dict[str, int]:
    """Run the engine until no delivery is pending or in flight (or `settled` says so)."""
    stop = asyncio.Event()
    runner = asyncio.create_task(engine.run(stop))
    done = settled or (lambda counts: not counts.get(PENDING) and not counts.get(SENDING))
    try:
        async with asyncio.timeout(limit_seconds):
            while True:
                await asyncio.sleep(0.05)
                counts = await statuses(factory)
                if done(counts):
                    break
    finally:
        stop.set()
        await runner
    return await statuses(factory)
