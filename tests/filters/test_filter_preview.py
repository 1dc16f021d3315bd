"""A new search shows a short preview: the newest listings it matches, each flat once."""

from __future__ import annotations

from datetime import timedelta

from filter_db import T0, make_listing, make_user
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.filters import service
from ita_rent_bot.filters.schemas import FilterIn
from ita_rent_bot.listings.models import MARK_HIDDEN, ListingMark


async def test_preview_is_newest_first_one_per_twin_group_and_skips_hidden(
    session: AsyncSession,
) -> None:
    user = await make_user(session)
    data = FilterIn(name="p", city="Roma", price_max=1500, rooms_min=2, include_words=["balcone"])
    saved = await service.create_filter(session, user_id=user.id, data=data)

    def at(minutes: int) -> dict[str, object]:
        return {"first_seen_at": T0 + timedelta(minutes=minutes), "title": "Con balcone"}

    oldest = await make_listing(session, **at(1))
    hidden = await make_listing(session, **at(2))
    twin_of_hidden = await make_listing(session, twin_of_id=hidden.id, **at(3))
    original = await make_listing(session, **at(4))
    repost = await make_listing(session, twin_of_id=original.id, **at(5))  # the same flat
    await make_listing(session, price_eur=2000, **at(6))  # too dear
    await make_listing(session, rooms=None, **at(7))  # rooms unknown
    await make_listing(session, city="milano", **at(8))
    await make_listing(session, is_active=False, **at(9))
    await make_listing(session, first_seen_at=T0 + timedelta(minutes=10), title="Senza")
    newest = await make_listing(session, description="balconi", **at(11))
    session.add(ListingMark(user_id=user.id, listing_id=hidden.id, kind=MARK_HIDDEN))
    await session.flush()

    found = await service.preview_matches(session, saved, limit=3)
    assert [x.id for x in found] == [newest.id, repost.id, oldest.id]

    unsaved = await service.preview_matches(session, data, limit=10)  # not saved: nothing hidden
    assert [x.id for x in unsaved] == [newest.id, repost.id, twin_of_hidden.id, oldest.id]
    assert await service.preview_matches(session, FilterIn(name="x", city="Bari")) == []
