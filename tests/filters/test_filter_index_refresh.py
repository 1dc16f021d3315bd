"""An index in one process follows what another process does to the filters table."""

from __future__ import annotations

from filter_db import make_listing, make_user
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.filters import service
from ita_rent_bot.filters.matcher import REFRESH_OVERLAP, FilterIndex, FilterMatch, filter_matches
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.schemas import FilterIn, FilterPatch
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.users.models import User


def _id(m: FilterMatch) -> int:
    return m.filter_id


async def _new(session: AsyncSession, user: User, **fields: object) -> int:
    data = FilterIn.model_validate({"name": "f", **fields})
    return (await service.create_filter(session, user_id=user.id, data=data)).id


async def _expected(session: AsyncSession, listing: Listing) -> list[FilterMatch]:
    rows = await session.scalars(select(SearchFilter).order_by(SearchFilter.id))
    return [
        FilterMatch(f.id, f.user_id) for f in rows if not f.paused and filter_matches(f, listing)
    ]


async def test_refresh_follows_creates_edits_pauses_and_deletes(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    worker = FilterIndex()  # lives in the worker process; the writes below come from elsewhere
    async with session_factory() as s, s.begin():
        alice = await make_user(s)
        bob = await make_user(s)
        a1 = (
            await service.create_filter(s, user_id=alice.id, data=FilterIn(name="a", city="Roma"))
        ).id
        b1 = (
            await service.create_filter(
                s, user_id=bob.id, data=FilterIn(name="b", city="Rome", price_max=900)
            )
        ).id
        listing = await make_listing(s, price_eur=1000)
    async with session_factory() as s:
        assert await worker.refresh(s) == 2
        assert sorted(worker.match(listing), key=_id) == [FilterMatch(a1, alice.id)]
        assert await worker.refresh(s) == 0  # nothing changed: nothing reloaded

    async with session_factory() as s, s.begin():  # another process edits and creates
        await service.update_filter(
            s, user_id=bob.id, filter_id=b1, patch=FilterPatch(price_max=1000)
        )
        await service.set_paused(s, user_id=alice.id, filter_id=a1, paused=True)
        a2 = (
            await service.create_filter(s, user_id=alice.id, data=FilterIn(name="c", city="Рим"))
        ).id
    async with session_factory() as s:
        await worker.refresh(s)
        expected = [FilterMatch(b1, bob.id), FilterMatch(a2, alice.id)]
        assert sorted(worker.match(listing), key=_id) == expected
        assert sorted(worker.match(listing), key=_id) == await _expected(s, listing)

    async with session_factory() as s, s.begin():  # a delete, and a user who leaves
        await service.delete_filter(s, user_id=alice.id, filter_id=a2)
        await s.delete(await s.get(User, bob.id))
    async with session_factory() as s:
        assert await worker.refresh(s) == 2
        assert sorted(worker.match(listing), key=_id) == []
        assert len(worker) == 0

    async with session_factory() as s, s.begin():  # resumed, and a stamp from the past
        await service.set_paused(s, user_id=alice.id, filter_id=a1, paused=False)
        late = (
            await service.create_filter(s, user_id=alice.id, data=FilterIn(name="d", city="Roma"))
        ).id
        old = (await s.get(SearchFilter, a1)).updated_at  # type: ignore[union-attr]
        await s.execute(
            update(SearchFilter)
            .where(SearchFilter.id == late)
            .values(updated_at=old - 3 * REFRESH_OVERLAP)
        )
    async with session_factory() as s:
        await worker.refresh(s)  # the late insert is found through count and sum of ids
        expected = [FilterMatch(a1, alice.id), FilterMatch(late, alice.id)]
        assert sorted(worker.match(listing), key=_id) == expected
        assert sorted(worker.match(listing), key=_id) == await _expected(s, listing)
