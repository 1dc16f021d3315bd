"""The channels this process can send on, built from the settings.

A channel with credentials is the real one; without them it is the console channel when
DEBUG_NOTIFICATIONS=true, and absent otherwise (its deliveries wait in the outbox).
"""

from __future__ import annotations

from typing import TextIO

from ita_rent_bot.channels.base import Channel
from ita_rent_bot.channels.console import ConsoleChannel
from ita_rent_bot.channels.telegram import TelegramChannel
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings


def build_channels(settings: Settings, *, console_out: TextIO | None = None) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    real: dict[str, Channel | None] = {
        "telegram": TelegramChannel.from_settings(settings),
        "whatsapp": WhatsAppService.from_settings(settings),
    }
    for name, channel in real.items():
        if channel is not None:
            channels[name] = channel
        elif settings.debug_notifications:
            channels[name] = ConsoleChannel(name, out=console_out)
    return channels


async def close_channels(channels: dict[str, Channel]) -> None:
    for channel in channels.values():
        await channel.aclose()
