"""Quiet hours in the user's zone: inside the window, deliveries wait until its end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.notifications.quiet_hours import quiet_until

ROME = ZoneInfo("Europe/Rome")


def rome(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME).astimezone(UTC)


def test_night_window_holds_until_morning_the_same_day() -> None:
    ends = quiet_until(rome(2026, 3, 10, 2), time(23), time(7), "Europe/Rome")
    assert ends == rome(2026, 3, 10, 7)


def test_late_evening_waits_for_tomorrow_morning() -> None:
    ends = quiet_until(rome(2026, 3, 10, 23, 30), time(23), time(7), "Europe/Rome")
    assert ends == rome(2026, 3, 11, 7)


def test_outside_the_window_nothing_waits() -> None:
    assert quiet_until(rome(2026, 3, 10, 12), time(23), time(7), "Europe/Rome") is None
    assert quiet_until(rome(2026, 3, 10, 7), time(23), time(7), "Europe/Rome") is None


def test_no_window_when_unset_or_empty() -> None:
    now = rome(2026, 3, 10, 2)
    assert quiet_until(now, None, time(7), "Europe/Rome") is None
    assert quiet_until(now, time(7), time(7), "Europe/Rome") is None


def test_a_daytime_window_and_the_users_own_zone() -> None:
    now = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)  # 21:30 in Tokyo
    ends = quiet_until(now, time(21), time(22), "Asia/Tokyo")
    assert ends == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)


def test_an_unknown_zone_falls_back_to_rome() -> None:
    ends = quiet_until(rome(2026, 3, 10, 2), time(23), time(7), "Mars/Olympus")
    assert ends == rome(2026, 3, 10, 7)


def test_the_night_clocks_go_forward() -> None:
    # Rome skips 02:00-03:00 on 29 March 2026; a window 01:00-02:30 ends at the next real instant
    now = rome(2026, 3, 29, 1, 30)
    ends = quiet_until(now, time(1), time(2, 30), "Europe/Rome")
    assert ends is not None
    assert ends > now


times = st.times().map(lambda t: t.replace(microsecond=0))
zones = st.sampled_from(["Europe/Rome", "UTC", "America/New_York", "Asia/Kolkata", "Europe/London"])
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(now=instants, start=times, end=times, zone=zones)
def test_the_wait_ends_after_now_within_a_day_and_outside_the_window(
    now: datetime, start: time, end: time, zone: str
) -> None:
    ends = quiet_until(now, start, end, zone)
    if ends is None:
        return
    assert now < ends <= now + timedelta(hours=25)
    assert quiet_until(ends, start, end, zone) is None or ends - now <= timedelta(minutes=1)
