"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from ita_rent_bot.db import Base
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing, ListingMark, PriceChange
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.read_revision import read_revision
from ita_rent_bot.sources.models import CrawlTarget, SourceStatus
from ita_rent_bot.users.models import User, WhatsAppLinkCode

__all__ = [
    "Base",
    "CrawlTarget",
    "Delivery",
    "Listing",
    "ListingMark",
    "PriceChange",
    "SearchFilter",
    "SourceStatus",
    "User",
    "WhatsAppLinkCode",
    "read_revision",
]
