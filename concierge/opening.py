"""A store's business calendar, read once: its weekly opening hours, dates with their own hours,
closed dates, and who of its staff is off on a day. The complaint SLA clock and booking use it.
"""

import datetime as dt
from typing import NamedTuple

from django.utils import timezone

from concierge.models import OpeningHours, SpecialDay, StaffAbsence

# Without any hours set up, a department store's usual day: 10:00 to 22:00, every day.
DEFAULT_HOURS = {weekday: [(dt.time(10, 0), dt.time(22, 0))] for weekday in range(7)}


class BusinessCalendar(NamedTuple):
    """The arguments complaints.sla's functions take: `opening_hours` (weekday or date keys) and
    `closed_dates`, plus whether the store set up its own hours."""

    opening_hours: dict
    closed_dates: frozenset
    is_default: bool

    def intervals(self, day):
        from complaints.sla import opening_intervals

        return opening_intervals(day, self.opening_hours, self.closed_dates)

    def is_open_at(self, moment):
        moment = timezone.localtime(moment)
        return any(start <= moment < end for start, end in self.intervals(moment.date()))


def business_calendar(store_id):
    """Two queries: the weekly hours and the special days."""
    hours = {}
    for weekday, opens, closes in OpeningHours.objects.filter(store_id=store_id).values_list(
        "weekday", "opens", "closes"
    ):
        hours.setdefault(weekday, []).append((opens, closes))
    is_default = not hours
    if is_default:
        hours = {weekday: list(periods) for weekday, periods in DEFAULT_HOURS.items()}
    closed = set()
    for day, is_closed, opens, closes in SpecialDay.objects.filter(store_id=store_id).values_list(
        "date", "closed", "opens", "closes"
    ):
        if is_closed:
            closed.add(day)
        else:
            hours[day] = [(opens, closes)]
    return BusinessCalendar(hours, frozenset(closed), is_default)


def staff_off(staff_ids, day):
    """The ids among `staff_ids` who are off on `day` (a day off recorded for them)."""
    return set(
        StaffAbsence.objects.filter(staff_id__in=list(staff_ids), first_day__lte=day, last_day__gte=day)
        .values_list("staff_id", flat=True)
        .distinct()
    )
