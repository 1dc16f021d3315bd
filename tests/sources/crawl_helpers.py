"""What the crawl tests share: filters to crawl, pages to serve, a recording hook."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fakes.portal_server import PortalServer, page
from ita_rent_bot.config import Settings
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.listings.service import IngestResult
from ita_rent_bot.sources.models import SourceStatus
from ita_rent_bot.users.models import User
from samples.pages import Flat, render

from .conftest import serve_search_page

Factory = async_sessionmaker[AsyncSession]
CONTENT_TYPES = {"subito": "text/html", "idealista": "text/html"}


class Hook:
    """The after_ingest hook a matcher would be: records what each crawl reported."""

    def __init__(self) -> None:
        self.calls: list[IngestResult] = []

    async def __call__(self, session: AsyncSession, result: IngestResult) -> None:
        assert session.in_transaction()
        self.calls.append(result)


async def add_filter(
    factory: Factory, *, city: str, sources: list[str] | None = None, paused: bool = False,
    user_active: bool = True, chat: int = 1,
) -> None:  # fmt: skip
    async with factory() as session, session.begin():
        user = User(telegram_chat_id=chat, is_active=user_active)
        session.add(user)
        await session.flush()
        session.add(
            SearchFilter(
                user_id=user.id, name="casa", city=city, sources=sources or [], paused=paused
            )
        )


def serve(
    portal: PortalServer, settings: Settings, source: str, city: str, pages: list[list[Flat]]
) -> list[str]:
    paths = []
    for number, flats in enumerate(pages, start=1):
        body = render(source, flats, page=number, total_pages=len(pages))
        reply = page(body, content_type=CONTENT_TYPES.get(source, "application/json"))
        paths.append(
            serve_search_page(portal, settings, source=source, city=city, page=number, reply=reply)
        )
    return paths


def flats(*ids: int) -> list[Flat]:
    return [Flat(str(i)) for i in ids]


async def stored_ids(factory: Factory, source: str) -> set[str]:
    async with factory() as session:
        return set(await session.scalars(select(Listing.source_id).where(Listing.source == source)))


async def status_of(factory: Factory, source: str) -> SourceStatus | None:
    async with factory() as session:
        return await session.get(SourceStatus, source)
