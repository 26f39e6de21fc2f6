"""The SLA clock: time counted in a store's business minutes, a pure function of its opening hours.

A complaint's deadlines (first contact, resolution) are so many business minutes after it was
recorded; waiting on the customer stops the clock. Helpdesks that count calendar time give a
complaint recorded at closing time on a Friday until Saturday morning to be answered, when nobody
is there: here the clock runs only while the store is open.

`opening_hours` maps a weekday (0 = Monday) to a list of `(open, close)` `datetime.time` pairs in
the store's local time; a close of `time(0, 0)` is midnight, the end of that day. A
`datetime.date` key gives one date its own hours instead of its weekday's (Spring Festival eve
closes early). `closed_dates` is a set of dates on which the store does not open at all.
"""

import datetime as dt

from django.utils import timezone

__all__ = ["add_business_minutes", "business_minutes_between", "opening_intervals"]

MIDNIGHT = dt.time(0, 0)
# How far ahead an opening is looked for before the hours are taken to have none at all.
SEARCH_DAYS = 3660


def opening_intervals(day, opening_hours, closed_dates=(), tz=None):
    """The day's open periods as aware (start, end) pairs, in order; none on a closed date."""
    tz = tz or timezone.get_current_timezone()
    if day in closed_dates:
        return []
    hours = opening_hours.get(day, opening_hours.get(day.weekday(), ()))
    intervals = []
    for opens, closes in sorted(hours):
        start = dt.datetime.combine(day, opens, tzinfo=tz)
        if closes == MIDNIGHT:
            end = dt.datetime.combine(day + dt.timedelta(days=1), MIDNIGHT, tzinfo=tz)
        else:
            end = dt.datetime.combine(day, closes, tzinfo=tz)
        if end > start:
            intervals.append((start, end))
    return intervals


def add_business_minutes(start, minutes, opening_hours, closed_dates=(), tz=None):
    """The moment `minutes` business minutes after `start` (aware, in the store's time zone).

    A start outside opening hours starts counting at the next opening; a deadline that falls
    exactly on a closing time stays at that closing time (not the next opening).
    Raises ValueError when the hours never open.
    """
    tz = tz or timezone.get_current_timezone()
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    remaining = dt.timedelta(minutes=minutes)
    cursor = start.astimezone(tz)
    day = cursor.date()
    for _ in range(SEARCH_DAYS):
        for opens, closes in opening_intervals(day, opening_hours, closed_dates, tz):
            if closes < cursor:
                continue
            begin = max(opens, cursor)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("the opening hours never open")


def business_minutes_between(start, end, opening_hours, closed_dates=(), tz=None):
    """Business minutes from `start` to `end` (negative when `end` is earlier), as a float."""
    tz = tz or timezone.get_current_timezone()
    if end < start:
        return -business_minutes_between(end, start, opening_hours, closed_dates, tz)
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        for opens, closes in opening_intervals(day, opening_hours, closed_dates, tz):
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60
