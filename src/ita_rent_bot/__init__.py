"""ITA_RENT_BOT: rental alerts for Italy on Telegram and WhatsApp."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ita-rent-bot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
