"""The command menu Telegram shows beside the input field, in each language we speak.

Published with setMyCommands when the bot starts: once per language (Telegram picks the list by
the user's app language) and once without a language, in the default one.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import BotCommand

from ita_rent_bot.locales import DEFAULT_LANGUAGE, LANGUAGES
from ita_rent_bot.locales.bot import t
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

# in menu order; each has a handler (tests check both)
COMMANDS = (
    "new",
    "filters",
    "saved",
    "pause",
    "resume",
    "settings",
    "language",
    "whatsapp",
    "token",
    "help",
    "leave",
)


def menu(lang: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=t(lang, f"cmd.{name}")) for name in COMMANDS]


async def publish_commands(bot: Bot) -> None:
    """Set the menu; a failure is logged and the bot runs on without one."""
    try:
        for lang in LANGUAGES:
            await bot.set_my_commands(menu(lang), language_code=lang)
        await bot.set_my_commands(menu(DEFAULT_LANGUAGE))
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("telegram bot: could not set the command menu", error=str(exc))
