"""Which channels can send with the current settings, and why not: logged once at start."""

from __future__ import annotations

from dataclasses import dataclass

from ita_rent_bot.config import Settings


@dataclass(frozen=True)
class ChannelStatus:
    name: str
    enabled: bool
    reason: str


def channel_statuses(settings: Settings) -> list[ChannelStatus]:
    statuses = []
    if settings.telegram_bot_token is None:
        statuses.append(ChannelStatus("telegram", False, "TELEGRAM_BOT_TOKEN is not set"))
    else:
        statuses.append(ChannelStatus("telegram", True, "bot token configured"))
    if not settings.whatsapp_enabled:
        statuses.append(ChannelStatus("whatsapp", False, "WHATSAPP_ENABLED is not true"))
    else:
        provider = settings.resolved_whatsapp_provider
        senders = len(settings.whatsapp_phone_number_id)
        statuses.append(
            ChannelStatus("whatsapp", True, f"provider {provider}, {senders} sender number(s)")
        )
    if settings.debug_notifications:
        statuses.append(
            ChannelStatus(
                "console", True, "DEBUG_NOTIFICATIONS=true: channels without credentials print here"
            )
        )
    else:
        statuses.append(ChannelStatus("console", False, "DEBUG_NOTIFICATIONS is not true"))
    return statuses
