"""The planner: instant or digest, quiet hours, backlog cap, hidden listings, channel off."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import Listing
from ita_rent_bot.notifications.digest import Plan, Row, plan_user
from ita_rent_bot.notifications.models import KIND_NEW, KIND_PRICE_DROP, Delivery
from ita_rent_bot.users.models import MODE_DIGEST, MODE_INSTANT, User

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)  # 12:00 in Rome


def user(**fields: object) -> User:
    values: dict[str, object] = {
        "id": 1,
        "telegram_chat_id": 42,
        "telegram_enabled": True,
        "telegram_mode": MODE_INSTANT,
        "whatsapp_enabled": True,
        "whatsapp_number": "+393331234567",
        "whatsapp_mode": MODE_DIGEST,
        "price_drop_alerts": True,
        "timezone": "Europe/Rome",
    }
    values.update(fields)
    return User(**values)


def rows(
    count: int,
    *,
    searches: int = 1,
    kind: str = KIND_NEW,
    channel: str = "telegram",
    first: int = 1,
) -> list[Row]:
    """`count` deliveries with ids from `first`, each about listing 999 + its id."""
    made = []
    for i in range(count):
        n = i % searches
        search = SearchFilter(id=100 + n, user_id=1, name=f"s{n}", city="Roma")
        listing = Listing(id=999 + first + i, source="subito", source_id=str(i), url="https://s/")
        delivery = Delivery(
            id=first + i,
            user_id=1,
            listing_id=listing.id,
            filter_id=search.id,
            channel=channel,
            kind=kind,
            created_at=NOW - timedelta(minutes=count - i),
            attempts=0,
        )
        made.append(Row(delivery, listing, search))
    return made


def plan(u: User, found: list[Row], channel: str = "telegram", **kw: object) -> Plan:
    options: dict[str, object] = {
        "now": NOW,
        "last_sent": None,
        "hidden": set(),
        "whatsapp_interval": 1800,
        "backlog_cap": 20,
    }
    options.update(kw)
    return plan_user(u, channel, found, **options)  # type: ignore[arg-type]


def test_instant_sends_one_unit_per_listing_newest_first() -> None:
    result = plan(user(), rows(3))
    assert [u.ids for u in result.units] == [[3], [2], [1]]
    assert not result.release
    assert not result.cancel


def test_digest_groups_by_search() -> None:
    result = plan(user(), rows(5, searches=2, channel="whatsapp"), channel="whatsapp")
    assert sorted(sorted(u.ids) for u in result.units) == [[1, 3, 5], [2, 4]]
    assert all(u.digest for u in result.units)


def test_digest_waits_for_the_interval_since_the_last_one() -> None:
    last = NOW - timedelta(minutes=10)
    result = plan(user(), rows(2, channel="whatsapp"), channel="whatsapp", last_sent=last)
    assert result.units == []
    assert result.release_at == last + timedelta(seconds=1800)
    assert sorted(result.release) == [1, 2]
    long_ago = plan(
        user(), rows(2, channel="whatsapp"), "whatsapp", last_sent=NOW - timedelta(hours=1)
    )
    assert len(long_ago.units) == 1


def test_user_interval_zero_means_instant_on_whatsapp() -> None:
    result = plan(user(whatsapp_notification_interval=0), rows(2, channel="whatsapp"), "whatsapp")
    assert [u.digest for u in result.units] == [False, False]


def test_quiet_hours_release_everything_to_the_end_of_the_window() -> None:
    quiet = user(quiet_hours_start=time(11), quiet_hours_end=time(13, 30))
    result = plan(quiet, rows(3))
    assert result.units == []
    assert result.release_at == datetime(2026, 5, 4, 11, 30, tzinfo=UTC)


def test_backlog_keeps_the_newest() -> None:
    result = plan(user(), rows(30), backlog_cap=5)
    assert [u.ids[0] for u in result.units] == [30, 29, 28, 27, 26]
    assert sorted(result.cancel["backlog_capped"]) == list(range(1, 26))


def test_hidden_and_unwanted_price_drops_are_dropped() -> None:
    found = rows(3)
    drops = rows(2, kind=KIND_PRICE_DROP, first=50)
    result = plan(user(price_drop_alerts=False), found + drops, hidden={1001})
    assert result.cancel == {"hidden": [2], "price_drop_off": [50, 51]}
    assert sorted(u.ids[0] for u in result.units) == [1, 3]


def test_channel_off_cancels_everything() -> None:
    assert plan(user(telegram_enabled=False), rows(2)).cancel == {"channel_off": [1, 2]}
    assert plan(user(telegram_chat_id=None), rows(1)).cancel == {"channel_off": [1]}
    gone = user(whatsapp_opted_out_at=NOW)
    assert plan(gone, rows(1, channel="whatsapp"), "whatsapp").cancel == {"channel_off": [1]}


@given(
    count=st.integers(min_value=0, max_value=40),
    cap=st.integers(min_value=1, max_value=25),
    hidden=st.sets(st.integers(min_value=1000, max_value=1040)),
    mode=st.sampled_from([MODE_INSTANT, MODE_DIGEST]),
    quiet=st.booleans(),
)
def test_every_row_ends_in_exactly_one_place(
    count: int, cap: int, hidden: set[int], mode: str, quiet: bool
) -> None:
    u = user(telegram_mode=mode)
    if quiet:
        u.quiet_hours_start, u.quiet_hours_end = time(11), time(13)
    result = plan(u, rows(count, searches=3), hidden=hidden, backlog_cap=cap)
    placed = [i for ids in result.cancel.values() for i in ids] + result.release
    placed += [i for unit in result.units for i in unit.ids]
    assert sorted(placed) == list(range(1, count + 1))
    assert sum(len(unit.ids) for unit in result.units) <= cap
