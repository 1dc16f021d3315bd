"""Creating, reading, changing, pausing and deleting searches, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from filter_db import make_user
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ita_rent_bot.filters import service
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.schemas import FilterIn, FilterOut, FilterPatch
from ita_rent_bot.filters.validation import MAX_FILTERS_PER_USER, FilterValidationError
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User


async def test_crud(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s, s.begin():
        owner = (await make_user(s)).id
        other = (await make_user(s)).id
        created = await service.create_filter(
            s,
            user_id=owner,
            data=FilterIn(name="Centro", city="Rome", zones=["Monti"], price_max=1500),
        )
        filter_id = created.id
        first_stamp = created.updated_at
    async with session_factory() as s, s.begin():
        [listed] = await service.list_filters(s, user_id=owner)
        out = FilterOut.model_validate(listed)
        assert (out.id, out.city, out.zones, out.price_max, out.paused) == (
            filter_id,
            "roma",
            ["Monti"],
            1500,
            False,
        )
        assert out.created_at.tzinfo is not None
        assert await service.list_filters(s, user_id=other) == []
        assert await service.get_filter(s, user_id=other, filter_id=filter_id) is None

        changed = await service.update_filter(
            s, user_id=owner, filter_id=filter_id, patch=FilterPatch(rooms_min=2, zones=None)
        )
        assert changed is not None
        assert (changed.rooms_min, changed.zones, changed.price_max) == (2, [], 1500)
        assert changed.updated_at > first_stamp
        assert (
            await service.update_filter(s, user_id=other, filter_id=filter_id, patch=FilterPatch())
            is None
        )

        paused = await service.set_paused(s, user_id=owner, filter_id=filter_id, paused=True)
        assert paused is not None
        assert paused.paused
        assert await service.set_paused(s, user_id=other, filter_id=filter_id, paused=False) is None
    async with session_factory() as s, s.begin():
        stored = await service.get_filter(s, user_id=owner, filter_id=filter_id)
        assert stored is not None
        assert (stored.paused, stored.rooms_min) == (True, 2)
        assert not await service.delete_filter(s, user_id=other, filter_id=filter_id)
        assert await service.delete_filter(s, user_id=owner, filter_id=filter_id)
        assert not await service.delete_filter(s, user_id=owner, filter_id=filter_id)
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(SearchFilter)) == 0


async def test_a_bad_patch_changes_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        owner = (await make_user(s)).id
        filter_id = (
            await service.create_filter(
                s, user_id=owner, data=FilterIn(name="a", city="Milano", price_max=900)
            )
        ).id
    async with session_factory() as s:
        with pytest.raises(ValidationError):
            await service.update_filter(
                s, user_id=owner, filter_id=filter_id, patch=FilterPatch(price_min=1000)
            )
        await s.rollback()
    async with session_factory() as s:
        stored = await service.get_filter(s, user_id=owner, filter_id=filter_id)
        assert stored is not None
        assert (stored.price_min, stored.price_max) == (None, 900)


async def test_per_user_cap(session: AsyncSession) -> None:
    owner = (await make_user(session)).id
    for i in range(MAX_FILTERS_PER_USER):
        await service.create_filter(
            session, user_id=owner, data=FilterIn(name=f"f{i}", city="Bari")
        )
    with pytest.raises(FilterValidationError) as caught:
        await service.create_filter(
            session, user_id=owner, data=FilterIn(name="one more", city="Bari")
        )
    assert (caught.value.field, caught.value.code) == ("filters", "too_many_filters")
    assert "20" in caught.value.message("ru")
    other = (await make_user(session)).id
    await service.create_filter(session, user_id=other, data=FilterIn(name="x", city="Bari"))


async def test_unknown_user(session: AsyncSession) -> None:
    with pytest.raises(service.UnknownUserError):
        await service.create_filter(session, user_id=999, data=FilterIn(name="x", city="Bari"))


async def test_deleting_a_user_deletes_their_filters(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        owner = await make_user(s)
        await service.create_filter(s, user_id=owner.id, data=FilterIn(name="x", city="Bari"))
    async with session_factory() as s, s.begin():
        await s.delete(await s.get(User, owner.id))
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(SearchFilter)) == 0


async def test_deleting_a_search_keeps_its_deliveries_without_naming_it(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s, s.begin():
        owner = (await make_user(s)).id
        gone = await service.create_filter(s, user_id=owner, data=FilterIn(name="x", city="Bari"))
        kept = await service.create_filter(s, user_id=owner, data=FilterIn(name="y", city="Bari"))
        listing = Listing(source="subito", source_id="1", url="https://x")
        s.add(listing)
        await s.flush()
        for search, channel in ((gone, "telegram"), (kept, "whatsapp")):
            s.add(
                Delivery(user_id=owner, listing_id=listing.id, filter_id=search.id, channel=channel)
            )
        gone_id, kept_id = gone.id, kept.id
    async with session_factory() as s, s.begin():
        assert await service.delete_filter(s, user_id=owner, filter_id=gone_id)
        assert not await service.delete_filter(s, user_id=owner, filter_id=gone_id)
    async with session_factory() as s:
        rows = (await s.execute(select(Delivery.channel, Delivery.filter_id))).all()
    assert sorted(rows) == [("telegram", None), ("whatsapp", kept_id)]
