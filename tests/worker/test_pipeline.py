"""The pipeline's hook: matching writes the outbox in the ingest's transaction, and the delivery
engines are woken only once that transaction has committed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ita_rent_bot.config import Settings
from ita_rent_bot.db import create_session_factory, unit_of_work, utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings import service as listings
from ita_rent_bot.listings.schemas import ListingData
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User
from ita_rent_bot.worker.tasks import Pipeline


def flat(n: int, price: int) -> ListingData:
    return ListingData(
        source="subito",
        source_id=f"p{n}",
        url=f"https://www.subito.it/appartamenti/p{n}.htm",
        title=f"Bilocale {n}",
        price_eur=price,
        rooms=2,
        city="roma",
    )


async def failing_crawl(factory: async_sessionmaker[AsyncSession], pipeline: Pipeline) -> None:
    async with unit_of_work(factory) as session:
        result = await listings.ingest(session, [flat(3, 800)], now=utcnow())
        await pipeline.after_ingest(session, result)
        raise RuntimeError("the crawl's transaction fails")


async def test_announced_after_commit_and_not_after_a_rollback(
    sqlite_engine: AsyncEngine, settings: Settings
) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session, session.begin():
        user = User(telegram_chat_id=1)
        session.add(user)
        await session.flush()
        session.add(SearchFilter(user_id=user.id, name="roma", city="roma", price_max=1000))
    announced: list[str] = []
    pipeline = Pipeline(settings, factory, sqlite_engine, announce=lambda: announced.append("x"))
    try:
        async with unit_of_work(factory) as session:
            result = await listings.ingest(session, [flat(1, 900), flat(2, 5000)], now=utcnow())
            await pipeline.after_ingest(session, result)
            assert announced == []  # not yet committed: nobody may claim the rows
        await asyncio.sleep(0)
        assert announced == ["x"]

        with pytest.raises(RuntimeError):
            await failing_crawl(factory, pipeline)
        await asyncio.sleep(0)
        assert announced == ["x"]
    finally:
        await pipeline.aclose()
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 1
