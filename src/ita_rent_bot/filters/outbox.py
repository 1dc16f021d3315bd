"""Turn an ingest's new listings and price drops into Delivery rows, in the ingest transaction.

Who is told: each user with an active filter that matches, once per twin group (a listing and
the listings whose twin_of_id points at it), on each channel they have on. Skipped: inactive or
paused users, paused filters, a group the user hid a listing of, and a group the user already has
a "new" delivery for (whatever its status). A price drop is told to users who were sent the
listing (sent, delivered or read), have price_drop_alerts on, and whose filter still matches;
each drop to a new price is its own note, and one still waiting when the next drop comes is
cancelled ("superseded"), so a user never gets two notes of one listing at once. Rows go in
with INSERT ... ON CONFLICT DO NOTHING on (user, listing, channel, kind, drop price), so running
the same result twice inserts nothing new. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

import orjson
from sqlalchemy import (
    Integer,
    String,
    Table,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from ita_rent_bot.filters.matcher import FilterIndex, FilterMatch
from ita_rent_bot.listings.models import MARK_HIDDEN, Listing, ListingMark
from ita_rent_bot.notifications.models import (
    CANCELLED,
    DELIVERED,
    HELD,
    KIND_NEW,
    KIND_PRICE_DROP,
    PENDING,
    READ,
    SENT,
    Delivery,
)
from ita_rent_bot.users.models import User

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
_TOLD_STATUSES = (SENT, DELIVERED, READ)
_IN_CHUNK = 5000  # ids per IN (...) list, well under SQLite's and asyncpg's parameter limits
_INSERT_CHUNK = 50_000  # rows per INSERT ... SELECT


class PriceChangeEventLike(Protocol):
    @property
    def listing(self) -> Listing: ...
    @property
    def old_price(self) -> int | None: ...
    @property
    def new_price(self) -> int | None: ...


class IngestResultLike(Protocol):
    """The shape of listings.service.IngestResult that matching needs."""

    @property
    def new(self) -> Sequence[Listing]: ...
    @property
    def price_changed(self) -> Sequence[PriceChangeEventLike]: ...


@dataclass(slots=True)
class EnqueueReport:
    listings: int = 0  # new listings looked at
    matched_listings: int = 0  # of which at least one active filter matched
    filter_matches: int = 0  # (filter, listing) pairs, before per-user rules
    deliveries: int = 0  # "new" rows offered to the database
    price_drop_deliveries: int = 0  # "price_drop" rows offered
    superseded: int = 0  # waiting price-drop rows cancelled by a later drop
    inserted: int = 0  # rows actually inserted (the rest already existed)
    skipped: dict[str, int] = field(default_factory=dict)  # reason → user-listing pairs

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n


@dataclass(frozen=True, slots=True)
class _Reach:
    channels: tuple[str, ...]
    price_drop_alerts: bool


def group_of(listing: Listing) -> int:
    """A twin group is named by its first listing, the one the others' twin_of_id points at."""
    return listing.twin_of_id if listing.twin_of_id is not None else listing.id


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _reach(session: AsyncSession, user_ids: set[int]) -> dict[int, _Reach]:
    """Each active, unpaused user's enabled channels (users with none are left out)."""
    reach: dict[int, _Reach] = {}
    for chunk in _chunks(sorted(user_ids), _IN_CHUNK):
        rows = await session.execute(
            select(
                User.id,
                User.telegram_enabled,
                User.telegram_chat_id,
                User.telegram_blocked_at,
                User.whatsapp_enabled,
                User.whatsapp_verified_at,
                User.whatsapp_opted_out_at,
                User.price_drop_alerts,
            ).where(User.id.in_(chunk), User.is_active.is_(True), User.paused.is_(False))
        )
        for u in rows:
            channels = []
            telegram_ok = u.telegram_chat_id is not None and u.telegram_blocked_at is None
            if u.telegram_enabled and telegram_ok:
                channels.append(TELEGRAM)
            if (
                u.whatsapp_enabled
                and u.whatsapp_verified_at is not None
                and u.whatsapp_opted_out_at is None
            ):
                channels.append(WHATSAPP)
            if channels:
                reach[u.id] = _Reach(tuple(channels), u.price_drop_alerts)
    return reach


async def _members(session: AsyncSession, groups: set[int]) -> dict[int, int]:
    """listing id → group, for every listing of the given twin groups."""
    members: dict[int, int] = {}
    for chunk in _chunks(sorted(groups), _IN_CHUNK):
        rows = await session.execute(
            select(Listing.id, Listing.twin_of_id).where(
                or_(Listing.id.in_(chunk), Listing.twin_of_id.in_(chunk))
            )
        )
        for listing_id, twin_of_id in rows:
            members[listing_id] = twin_of_id if twin_of_id in groups else listing_id
    return members


async def _told(
    session: AsyncSession, members: dict[int, int], *, statuses: Sequence[str] | None = None
) -> set[tuple[int, int]]:
    """(user, group) pairs that already have a "new" delivery (in `statuses`, if given)."""
    told: set[tuple[int, int]] = set()
    for chunk in _chunks(sorted(members), _IN_CHUNK):
        query = select(Delivery.user_id, Delivery.listing_id).where(
            Delivery.listing_id.in_(chunk), Delivery.kind == KIND_NEW
        )
        if statuses is not None:
            query = query.where(Delivery.status.in_(statuses))
        for user_id, listing_id in await session.execute(query):
            told.add((user_id, members[listing_id]))
    return told


async def _hidden(session: AsyncSession, members: dict[int, int]) -> set[tuple[int, int]]:
    hidden: set[tuple[int, int]] = set()
    for chunk in _chunks(sorted(members), _IN_CHUNK):
        rows = await session.execute(
            select(ListingMark.user_id, ListingMark.listing_id).where(
                ListingMark.listing_id.in_(chunk), ListingMark.kind == MARK_HIDDEN
            )
        )
        for user_id, listing_id in rows:
            hidden.add((user_id, members[listing_id]))
    return hidden


def _by_user(matches: list[FilterMatch]) -> dict[int, int]:
    """user → the lowest id of their filters that matched."""
    first: dict[int, int] = {}
    for m in matches:
        known = first.get(m.user_id)
        if known is None or m.filter_id < known:
            first[m.user_id] = m.filter_id
    return first


_Row = tuple[int, int, int, str, str, int]  # user, listing, filter, channel, kind, drop price


_ROW_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "user_id": Integer,
    "listing_id": Integer,
    "filter_id": Integer,
    "channel": String,
    "kind": String,
    "drop_price": Integer,
}


def _bulk_insert_statement(dialect: str, fixed: dict[str, Any]) -> Any:
    """INSERT ... SELECT over the rows sent as one JSON array of arrays, skipping rows whose
    (user, listing, channel, kind, drop price) exists: one statement and one parameter per chunk, so
    neither the driver nor SQLAlchemy handles rows one by one."""
    table = cast(Table, Delivery.__table__)
    constants = [literal(v, type_=table.c[k].type).label(k) for k, v in fixed.items()]
    insert: Any
    if dialect == "postgresql":
        # one array literal per column, parsed by the server; unnest() zips them back to rows
        arrays = [
            sql_cast(bindparam(name, type_=String), ARRAY(kind))
            for name, kind in _ROW_TYPES.items()
        ]
        rows = func.unnest(*arrays).table_valued(*_ROW_TYPES).render_derived()
        source = select(*rows.c, *constants)
        insert = pg_insert
    else:
        elements = func.json_each(bindparam("rows")).table_valued("value")
        fields = [
            func.json_extract(elements.c.value, f"$[{i}]").label(name)
            for i, name in enumerate(_ROW_TYPES)
        ]
        source = select(*fields, *constants).where(true())  # WHERE: SQLite's upsert grammar
        insert = sqlite_insert
    return (
        insert(table)
        .from_select([*_ROW_TYPES, *fixed], source)
        .on_conflict_do_nothing(
            index_elements=["user_id", "listing_id", "channel", "kind", "drop_price"]
        )
    )


def _array_literal(values: Sequence[int | str]) -> str:
    """A PostgreSQL array literal: quicker to build and to send than asyncpg's per-item
    encoding of a Python list."""
    if isinstance(values[0], int):
        return "{" + ",".join(map(str, values)) + "}"
    quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + '","'.join(quoted) + '"}'


async def _insert(session: AsyncSession, rows: list[_Row], *, now: datetime) -> int:
    """Insert the rows not there yet; returns how many went in."""
    if not rows:
        return 0
    fixed = {
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    statement = _bulk_insert_statement(dialect, fixed)
    inserted = 0
    for chunk in _chunks(rows, _INSERT_CHUNK):
        if dialect == "postgresql":
            params = dict(
                zip(_ROW_TYPES, map(_array_literal, zip(*chunk, strict=True)), strict=True)
            )
        else:
            params = {"rows": orjson.dumps(chunk).decode()}
        result = await session.execute(statement, params)
        inserted += max(getattr(result, "rowcount", 0) or 0, 0)
    return inserted


def _new_rows(
    new_matches: list[tuple[Listing, dict[int, int]]],
    reach: dict[int, _Reach],
    hidden: set[tuple[int, int]],
    told: set[tuple[int, int]],
    report: EnqueueReport,
) -> list[_Row]:
    rows: list[_Row] = []
    for listing, users in new_matches:
        listing_id, group = listing.id, group_of(listing)
        for user_id, filter_id in users.items():
            user = reach.get(user_id)
            key = (user_id, group)
            if user is None:
                report.skip("user_off")
            elif key in hidden:
                report.skip("hidden")
            elif key in told:
                report.skip("already_told")
            else:
                told.add(key)  # one delivery per user per group, in this batch too
                for channel in user.channels:
                    rows.append((user_id, listing_id, filter_id, channel, KIND_NEW, 0))
    return rows


def _drop_rows(
    drop_matches: list[tuple[Listing, dict[int, int]]],
    reach: dict[int, _Reach],
    hidden: set[tuple[int, int]],
    sent: set[tuple[int, int]],
    report: EnqueueReport,
) -> list[_Row]:
    rows: list[_Row] = []
    for listing, users in drop_matches:
        listing_id, group = listing.id, group_of(listing)
        for user_id, filter_id in users.items():
            user = reach.get(user_id)
            key = (user_id, group)
            if user is None or not user.price_drop_alerts:
                report.skip("price_drop_off")
            elif key in hidden:
                report.skip("hidden")
            elif key not in sent:
                report.skip("price_drop_not_told")
            else:
                price = listing.price_eur or 0
                for channel in user.channels:
                    rows.append((user_id, listing_id, filter_id, channel, KIND_PRICE_DROP, price))
    return rows


async def _supersede(session: AsyncSession, drop_rows: list[_Row], *, now: datetime) -> int:
    """Cancel the price-drop notes still waiting for these users and listings at another
    price: the new note replaces them. Returns how many."""
    superseded = 0
    by_price: dict[int, set[tuple[int, int]]] = {}
    for user_id, listing_id, _, _, _, price in drop_rows:
        by_price.setdefault(price, set()).add((user_id, listing_id))
    for price, pairs in by_price.items():  # a few prices per ingest
        for chunk in _chunks(sorted(pairs), _IN_CHUNK // 2):  # two parameters a pair
            result = await session.execute(
                update(Delivery)
                .where(
                    Delivery.kind == KIND_PRICE_DROP,
                    Delivery.status.in_([PENDING, HELD]),
                    Delivery.drop_price != price,
                    tuple_(Delivery.user_id, Delivery.listing_id).in_(chunk),
                )
                .values(status=CANCELLED, error_code="superseded", lease_until=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            superseded += max(getattr(result, "rowcount", 0) or 0, 0)
    return superseded


async def enqueue_matches(
    session: AsyncSession, index: FilterIndex, result: IngestResultLike, *, now: datetime
) -> EnqueueReport:
    """Match the result's listings against every active filter and write the outbox rows."""
    await index.refresh(session)
    report = EnqueueReport(listings=len(result.new))
    new_matches = []
    for listing in result.new:
        matches = index.match(listing)
        report.filter_matches += len(matches)
        report.matched_listings += bool(matches)
        new_matches.append((listing, _by_user(matches)))
    drop_matches = [
        (e.listing, _by_user(index.match(e.listing)))
        for e in result.price_changed
        if e.old_price is not None and e.new_price is not None and e.new_price < e.old_price
    ]
    everything = new_matches + drop_matches
    user_ids = {u for _, users in everything for u in users}
    if not user_ids:
        return report
    reach = await _reach(session, user_ids)
    members = await _members(session, {group_of(listing) for listing, users in everything if users})
    hidden = await _hidden(session, members)
    told = await _told(session, members)
    rows = _new_rows(new_matches, reach, hidden, told, report)
    report.deliveries = len(rows)
    if drop_matches:
        sent = await _told(session, members, statuses=_TOLD_STATUSES)
        drop_rows = _drop_rows(drop_matches, reach, hidden, sent, report)
        report.price_drop_deliveries = len(drop_rows)
        report.superseded = await _supersede(session, drop_rows, now=now)
        rows.extend(drop_rows)
    rows.sort()  # in key order, the unique index fills in sequence: several times faster
    report.inserted = await _insert(session, rows, now=now)
    return report
