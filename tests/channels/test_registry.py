"""Which channels a process sends on: real ones with credentials, the console without them."""

from __future__ import annotations

from pydantic import SecretStr

from channels.whatsapp.conftest import twilio_settings
from fakes.telegram_api import TOKEN
from ita_rent_bot.channels.console import ConsoleChannel
from ita_rent_bot.channels.registry import build_channels, close_channels
from ita_rent_bot.channels.telegram import TelegramChannel
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings


async def test_no_credentials_no_channels(settings: Settings) -> None:
    assert build_channels(settings) == {}


async def test_no_credentials_with_debug_prints_on_the_console(settings: Settings) -> None:
    channels = build_channels(settings.model_copy(update={"debug_notifications": True}))
    assert sorted(channels) == ["telegram", "whatsapp"]
    assert all(isinstance(c, ConsoleChannel) for c in channels.values())
    assert [c.stands_for for c in channels.values() if isinstance(c, ConsoleChannel)] == [
        "telegram",
        "whatsapp",
    ]


async def test_credentials_build_the_real_channels(sqlite_url: str) -> None:
    configured = twilio_settings(
        sqlite_url,
        "http://127.0.0.1:9/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
        telegram_bot_token=TOKEN,
        debug_notifications=True,
    )
    channels = build_channels(configured)
    assert isinstance(channels["telegram"], TelegramChannel)
    assert isinstance(channels["whatsapp"], WhatsAppService)
    await close_channels(channels)


async def test_telegram_real_and_whatsapp_on_the_console(settings: Settings) -> None:
    mixed = settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "debug_notifications": True}
    )
    channels = build_channels(mixed)
    assert isinstance(channels["telegram"], TelegramChannel)
    assert isinstance(channels["whatsapp"], ConsoleChannel)
    await close_channels(channels)
