"""The SLA clock in business minutes: weekends, closed dates, early closing, starts outside hours,
deadlines on a closing time, and a pause that spans a night."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.sla import add_business_minutes, business_minutes_between, opening_intervals

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time

# A department store: 10:00-22:00 on weekdays, 10:00-22:30 on Saturday, closed on Sunday.
HOURS = {day: [(T(10), T(22))] for day in range(5)} | {5: [(T(10), T(22, 30))]}
# Spring Festival eve 2027 (a Friday) closes at 16:00; the day itself is closed.
EVE, SPRING_FESTIVAL = dt.date(2027, 2, 5), dt.date(2027, 2, 6)
FESTIVE_HOURS = HOURS | {EVE: [(T(10), T(16))]}


def at(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def add(start, minutes, hours=HOURS, closed=()):
    return add_business_minutes(start, minutes, hours, closed, tz=SHANGHAI)


def between(start, end, hours=HOURS, closed=()):
    return business_minutes_between(start, end, hours, closed, tz=SHANGHAI)


def test_within_one_day():
    assert add(at(2026, 12, 1, 10, 30), 90) == at(2026, 12, 1, 12, 0)  # a Tuesday


def test_across_the_night_and_the_weekend():
    # Saturday 22:00 with an hour to go: 30 minutes on Saturday, Sunday closed, 30 on Monday.
    assert add(at(2026, 12, 5, 22, 0), 60) == at(2026, 12, 7, 10, 30)
    assert between(at(2026, 12, 5, 22, 0), at(2026, 12, 7, 10, 30)) == 60


def test_a_start_outside_hours_counts_from_the_next_opening():
    assert add(at(2026, 12, 1, 7, 45), 30) == at(2026, 12, 1, 10, 30)  # before opening
    assert add(at(2026, 12, 1, 23, 10), 30) == at(2026, 12, 2, 10, 30)  # after closing
    assert add(at(2026, 12, 6, 12, 0), 0) == at(2026, 12, 7, 10, 0)  # Sunday, nothing yet counted


def test_a_deadline_on_a_closing_time_stays_there():
    assert add(at(2026, 12, 1, 21, 0), 60) == at(2026, 12, 1, 22, 0)
    assert add(at(2026, 12, 1, 22, 0), 0) == at(2026, 12, 1, 22, 0)
    # Two full days from an opening ends at the second day's closing, not the third day's opening.
    assert add(at(2026, 12, 1, 10, 0), 2 * 12 * 60) == at(2026, 12, 2, 22, 0)


def test_closed_dates_and_early_closing():
    # Spring Festival eve closes at 16:00 and the day itself is closed; then a Sunday.
    start = at(2027, 2, 5, 15, 0)
    assert add(start, 120, FESTIVE_HOURS, {SPRING_FESTIVAL}) == at(2027, 2, 8, 11, 0)
    assert between(start, at(2027, 2, 8, 11, 0), FESTIVE_HOURS, {SPRING_FESTIVAL}) == 120
    # Without the store's calendar the same two hours end that evening.
    assert add(start, 120) == at(2027, 2, 5, 17, 0)


def test_a_pause_spanning_a_night_counts_only_open_time():
    # Waiting on the customer from 20:00 until they answer at 11:15 the next morning.
    assert between(at(2026, 12, 1, 20, 0), at(2026, 12, 2, 11, 15)) == 120 + 75
    assert between(at(2026, 12, 2, 11, 15), at(2026, 12, 1, 20, 0)) == -(120 + 75)
    assert between(at(2026, 12, 6, 9, 0), at(2026, 12, 6, 18, 0)) == 0  # Sunday


def test_midnight_closing_and_split_hours():
    hours = {0: [(T(18), T(0))], 1: [(T(10), T(12)), (T(14), T(18))]}
    monday = at(2026, 11, 30, 23, 0)
    assert add(monday, 60, hours) == at(2026, 12, 1, 0, 0)  # closes at midnight: stays there
    assert add(monday, 90, hours) == at(2026, 12, 1, 10, 30)
    assert add(at(2026, 12, 1, 11, 30), 60, hours) == at(2026, 12, 1, 14, 30)  # over the lunch break
    assert between(at(2026, 12, 1, 9, 0), at(2026, 12, 1, 19, 0), hours) == 6 * 60


def test_the_result_is_in_the_stores_time_zone():
    utc_start = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    result = add(utc_start, 15)
    assert result == at(2026, 12, 1, 10, 15)
    assert result.utcoffset() == dt.timedelta(hours=8)


def test_hours_that_never_open_are_refused():
    with pytest.raises(ValueError, match="never open"):
        add(at(2026, 12, 1, 10, 0), 1, hours={})
    with pytest.raises(ValueError, match="negative"):
        add(at(2026, 12, 1, 10, 0), -1)
    assert opening_intervals(SPRING_FESTIVAL, FESTIVE_HOURS, {SPRING_FESTIVAL}, tz=SHANGHAI) == []


moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)


@settings(max_examples=60, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=20 * 12 * 60))
def test_adding_then_measuring_gives_the_minutes_back(start, minutes):
    closed = {SPRING_FESTIVAL, dt.date(2026, 10, 1)}
    deadline = add(start, minutes, FESTIVE_HOURS, closed)
    assert deadline >= start
    assert between(start, deadline, FESTIVE_HOURS, closed) == minutes
    # The deadline is never later than it needs to be: a minute earlier is not enough.
    if minutes:
        assert between(start, deadline - dt.timedelta(minutes=1), FESTIVE_HOURS, closed) < minutes
