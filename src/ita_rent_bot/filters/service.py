"""Saved searches: create, list, change, pause and delete a user's filters (no commit inside).

Every write stamps `updated_at`, which is how each process's FilterIndex notices the change.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ita_rent_bot.db import utcnow
from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.filters.predicate import CompiledFilter, FilterLike, ListingView
from ita_rent_bot.filters.schemas import FilterFields, FilterIn, FilterPatch
from ita_rent_bot.filters.validation import MAX_FILTERS_PER_USER, FilterValidationError
from ita_rent_bot.listings.models import MARK_HIDDEN, Listing, ListingMark
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User

PREVIEW_SCAN = 500  # newest listings of the city looked at for a preview


class UnknownUserError(LookupError):
    """No user has this id."""


async def create_filter(session: AsyncSession, *, user_id: int, data: FilterIn) -> SearchFilter:
    """A new active filter; more than MAX_FILTERS_PER_USER is a validation error."""
    user = await session.get(User, user_id, with_for_update=True)  # serialises one user's creates
    if user is None:
        raise UnknownUserError(f"no user with id {user_id}")
    count = await session.scalar(
        select(func.count()).select_from(SearchFilter).where(SearchFilter.user_id == user_id)
    )
    if (count or 0) >= MAX_FILTERS_PER_USER:
        raise FilterValidationError("filters", "too_many_filters", {"max": MAX_FILTERS_PER_USER})
    now = utcnow()
    search = SearchFilter(user_id=user_id, created_at=now, updated_at=now, **data.model_dump())
    session.add(search)
    await session.flush()
    return search


# built once: the API lists searches on every GET /filters, and building the statement cost
# a third of the query
_USERS_FILTERS = (
    select(SearchFilter)
    .where(SearchFilter.user_id == bindparam("user_id"))
    .order_by(SearchFilter.id)
)


async def list_filters(session: AsyncSession, *, user_id: int) -> list[SearchFilter]:
    return list(await session.scalars(_USERS_FILTERS, {"user_id": user_id}))


async def get_filter(session: AsyncSession, *, user_id: int, filter_id: int) -> SearchFilter | None:
    """The user's filter, or None when it does not exist or belongs to someone else."""
    search = await session.get(SearchFilter, filter_id)
    if search is None or search.user_id != user_id:
        return None
    return search


async def update_filter(
    session: AsyncSession, *, user_id: int, filter_id: int, patch: FilterPatch
) -> SearchFilter | None:
    """Apply the fields the patch sets; the merged filter must pass FilterIn's rules."""
    search = await get_filter(session, user_id=user_id, filter_id=filter_id)
    if search is None:
        return None
    merged = patch.merged_with(FilterFields.model_validate(search, from_attributes=True))
    for field, value in merged.model_dump().items():
        setattr(search, field, value)
    search.updated_at = utcnow()
    await session.flush()
    return search


async def set_paused(
    session: AsyncSession, *, user_id: int, filter_id: int, paused: bool
) -> SearchFilter | None:
    search = await get_filter(session, user_id=user_id, filter_id=filter_id)
    if search is None:
        return None
    search.paused = paused
    search.updated_at = utcnow()
    await session.flush()
    return search


async def delete_filter(session: AsyncSession, *, user_id: int, filter_id: int) -> bool:
    """Delete one of the user's filters; its deliveries stay, no longer naming it (the outbox
    has no foreign key to do this, see notifications.models)."""
    result = await session.execute(
        delete(SearchFilter)
        .where(SearchFilter.id == filter_id, SearchFilter.user_id == user_id)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(result, "rowcount", 0):
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.filter_id == filter_id, Delivery.user_id == user_id)
        .values(filter_id=None)
        .execution_options(synchronize_session=False)
    )
    return True


def _bounds(
    column: InstrumentedAttribute[int | None], lo: int | None, hi: int | None, unknown_ok: bool
) -> ColumnElement[bool] | None:
    """The SQL form of one optional range: narrows the scan, the predicate still decides."""
    parts = []
    if lo is not None:
        parts.append(column >= lo)
    if hi is not None:
        parts.append(column <= hi)
    if not parts:
        return None
    return or_(column.is_(None), and_(*parts)) if unknown_ok else and_(*parts)


async def _hidden_groups(session: AsyncSession, user_id: int) -> set[int]:
    rows = await session.execute(
        select(Listing.id, Listing.twin_of_id)
        .join(ListingMark, ListingMark.listing_id == Listing.id)
        .where(ListingMark.user_id == user_id, ListingMark.kind == MARK_HIDDEN)
    )
    return {twin_of_id if twin_of_id is not None else listing_id for listing_id, twin_of_id in rows}


async def preview_matches(
    session: AsyncSession, filter: FilterLike, *, limit: int = 3
) -> list[Listing]:
    """The newest active listings a (new) filter matches, one per twin group, none the user hid.

    `filter` is a saved SearchFilter or a FilterIn not saved yet (then nothing counts as hidden).
    """
    compiled = CompiledFilter.of(filter)
    query = select(Listing).where(Listing.city == filter.city, Listing.is_active.is_(True))
    if filter.sources:
        query = query.where(Listing.source.in_(list(filter.sources)))
    for column, lo, hi in (
        (Listing.price_eur, filter.price_min, filter.price_max),
        (Listing.rooms, filter.rooms_min, filter.rooms_max),
        (Listing.area_m2, filter.area_min, filter.area_max),
    ):
        condition = _bounds(column, lo, hi, filter.include_unknown)
        if condition is not None:
            query = query.where(condition)
    query = query.order_by(Listing.first_seen_at.desc(), Listing.id.desc()).limit(PREVIEW_SCAN)
    hidden = (
        await _hidden_groups(session, filter.user_id) if isinstance(filter, SearchFilter) else set()
    )
    found: list[Listing] = []
    seen = set(hidden)
    for listing in await session.scalars(query):
        group = listing.twin_of_id if listing.twin_of_id is not None else listing.id
        if group in seen or not compiled.accepts(ListingView.of(listing)):
            continue
        seen.add(group)
        found.append(listing)
        if len(found) >= limit:
            break
    return found
