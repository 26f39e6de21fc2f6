"""Whether a visit can be held at a time: the store open, the host working and free, the room free.

`slot_problem` gives the reason in plain words ("王丽 already has a visit 15:00-16:00"), or None.
Booking, rescheduling, walk-ins and undoing a no-show share it. `free_hosts` and `free_rooms`
answer the booking form's "who and where is free then" for every candidate at once, in a few
queries whatever the store's size.

Times are compared in the store's local time (settings.TIME_ZONE); a visit lies within one day's
opening period and one of the host's shifts.
"""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concierge.models import (
    Appointment,
    ReceptionSettings,
    Room,
    SpecialDay,
    Staff,
    StaffBlock,
    StaffHours,
)
from concierge.opening import business_calendar, staff_off
from concierge.roles import Role

# Who may host a visit: the member's VIP manager, or the store manager stepping in.
HOST_ROLES = (Role.VIP_MANAGER, Role.STORE_MANAGER)
MIDNIGHT = dt.time(0, 0)
EN_DASH = "\u2013"


def hhmm(moment):
    return timezone.localtime(moment).strftime("%H:%M")


def span(starts_at, ends_at):
    return f"{hhmm(starts_at)}{EN_DASH}{hhmm(ends_at)}"


def _within(intervals, starts_at, ends_at):
    return any(start <= starts_at and ends_at <= end for start, end in intervals)


def _shift_intervals(day, shifts):
    tz = timezone.get_current_timezone()
    intervals = []
    for starts, ends in shifts:
        start = dt.datetime.combine(day, starts, tzinfo=tz)
        end_day = day + dt.timedelta(days=1) if ends == MIDNIGHT else day
        intervals.append((start, dt.datetime.combine(end_day, ends, tzinfo=tz)))
    return intervals


def _hours_text(shifts):
    return ", ".join(f"{starts:%H:%M}{EN_DASH}{ends:%H:%M}" for starts, ends in sorted(shifts))


# ---- the store -----------------------------------------------------------------------------------


def store_problem(store_id, starts_at, ends_at, calendar=None):
    """Why the store is not open for the whole visit, or None."""
    calendar = calendar or business_calendar(store_id)
    day = timezone.localtime(starts_at).date()
    if day in calendar.closed_dates:
        name = SpecialDay.objects.filter(store_id=store_id, date=day).values_list("name", flat=True).first()
        if name:
            return _("The store is closed on %(date)s (%(name)s).") % {"date": day.isoformat(), "name": name}
        return _("The store is closed on %(date)s.") % {"date": day.isoformat()}
    intervals = calendar.intervals(day)
    if not intervals:
        return _("The store is closed on %(weekday)s.") % {"weekday": date_format(day, "l")}
    if not _within(intervals, starts_at, ends_at):
        hours = ", ".join(span(start, end) for start, end in intervals)
        return _("Outside the store's opening hours on %(date)s (%(hours)s).") % {
            "date": day.isoformat(),
            "hours": hours,
        }
    return None


# ---- hosts ---------------------------------------------------------------------------------------


def host_problems(store_id, hosts, starts_at, ends_at, *, exclude_pk=None):
    """{host pk: why they cannot host then} for the hosts that cannot; five queries for any number."""
    hosts = {host.pk: host for host in hosts}
    problems = {}
    for pk, host in hosts.items():
        if host.store_id != store_id or not host.is_active:
            problems[pk] = _("%(host)s is not on the staff of this store.") % {"host": host}
    pks = [pk for pk in hosts if pk not in problems]
    if not pks:
        return problems
    start_local = timezone.localtime(starts_at)
    day = start_local.date()

    for pk in staff_off(pks, day):
        problems[pk] = _("%(host)s is off that day.") % {"host": hosts[pk]}

    shifts = {}
    for staff_id, weekday, starts, ends in StaffHours.objects.filter(
        store_id=store_id, staff_id__in=pks
    ).values_list("staff_id", "weekday", "starts", "ends"):
        shifts.setdefault(staff_id, {}).setdefault(weekday, []).append((starts, ends))
    for pk, week in shifts.items():
        if pk in problems:
            continue
        today = week.get(day.weekday(), [])
        if not today:
            problems[pk] = _("%(host)s does not work on %(weekday)s.") % {
                "host": hosts[pk],
                "weekday": date_format(day, "l"),
            }
        elif not _within(_shift_intervals(day, today), starts_at, ends_at):
            problems[pk] = _("Outside %(host)s's working hours (%(hours)s).") % {
                "host": hosts[pk],
                "hours": _hours_text(today),
            }

    open_pks = [pk for pk in pks if pk not in problems]
    blocks = StaffBlock.objects.filter(
        staff_id__in=open_pks, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).order_by("starts_at")
    for block in blocks:
        if block.staff_id in problems:
            continue
        values = {"host": hosts[block.staff_id], "span": span(block.starts_at, block.ends_at)}
        if block.reason:
            values["reason"] = block.reason
            problems[block.staff_id] = _("%(host)s is not available %(span)s (%(reason)s).") % values
        else:
            problems[block.staff_id] = _("%(host)s is not available %(span)s.") % values

    open_pks = [pk for pk in pks if pk not in problems]
    visits = (
        Appointment.objects.holding_slot()
        .overlapping(starts_at, ends_at)
        .filter(host_id__in=open_pks)
        .order_by("starts_at")
    )
    if exclude_pk is not None:
        visits = visits.exclude(pk=exclude_pk)
    for host_id, visit_start, visit_end in visits.values_list("host_id", "starts_at", "ends_at"):
        if host_id not in problems:
            problems[host_id] = _("%(host)s already has a visit %(span)s.") % {
                "host": hosts[host_id],
                "span": span(visit_start, visit_end),
            }
    return problems


def host_candidates(store_id):
    """The store's active staff who may host, by name."""
    return (
        Staff.objects.filter(
            store_id=store_id, is_active=True, groups__name__in=[role.value for role in HOST_ROLES]
        )
        .distinct()
        .order_by("display_name", "username", "pk")
    )


def may_host(staff, store_id):
    return staff.is_active and staff.store_id == store_id and staff.has_role(*HOST_ROLES)


def free_hosts(store_id, starts_at, ends_at, *, exclude_pk=None):
    """The store's hosts free for the whole time (none when the store is closed then)."""
    if store_problem(store_id, starts_at, ends_at):
        return []
    hosts = list(host_candidates(store_id))
    busy = host_problems(store_id, hosts, starts_at, ends_at, exclude_pk=exclude_pk)
    return [host for host in hosts if host.pk not in busy]


# ---- rooms ---------------------------------------------------------------------------------------


def room_problems(store_id, rooms, starts_at, ends_at, *, party_size=1, exclude_pk=None):
    """{room pk: why it cannot be used then} for the rooms that cannot; one query for any number."""
    rooms = {room.pk: room for room in rooms}
    problems = {}
    for pk, room in rooms.items():
        if room.store_id != store_id or not room.active:
            problems[pk] = _("%(room)s cannot be booked.") % {"room": room.name}
        elif party_size > room.capacity:
            problems[pk] = _("%(room)s seats %(seats)s; the party is %(party)s.") % {
                "room": room.name,
                "seats": room.capacity,
                "party": party_size,
            }
    pks = [pk for pk in rooms if pk not in problems]
    if not pks:
        return problems
    visits = (
        Appointment.objects.holding_slot()
        .overlapping(starts_at, ends_at)
        .filter(room_id__in=pks)
        .order_by("starts_at")
    )
    if exclude_pk is not None:
        visits = visits.exclude(pk=exclude_pk)
    for room_id, visit_start, visit_end in visits.values_list("room_id", "starts_at", "ends_at"):
        if room_id not in problems:
            problems[room_id] = _("%(room)s is booked %(span)s.") % {
                "room": rooms[room_id].name,
                "span": span(visit_start, visit_end),
            }
    return problems


def free_rooms(store_id, starts_at, ends_at, *, party_size=1, exclude_pk=None):
    """The store's bookable rooms that seat the party and are free for the whole time."""
    if store_problem(store_id, starts_at, ends_at):
        return []
    rooms = list(Room.objects.filter(store_id=store_id, active=True))
    busy = room_problems(store_id, rooms, starts_at, ends_at, party_size=party_size, exclude_pk=exclude_pk)
    return [room for room in rooms if room.pk not in busy]


# ---- one visit -----------------------------------------------------------------------------------


def slot_problem(store_id, *, host, room, starts_at, ends_at, party_size=1, exclude_pk=None):
    """Why this visit cannot be booked then, in plain words; None when it can.

    The store is open for the whole visit; the host is active staff of the store, works then (their
    weekly hours, days off, blocked times) and has no other visit then; the room, if any, is
    bookable, in the store, seats the party and is free. `exclude_pk` is the visit being moved.
    """
    if ends_at <= starts_at:
        return _("The visit must end after it starts.")
    problem = store_problem(store_id, starts_at, ends_at)
    if problem:
        return problem
    problem = host_problems(store_id, [host], starts_at, ends_at, exclude_pk=exclude_pk).get(host.pk)
    if problem:
        return problem
    if room is not None:
        return room_problems(
            store_id, [room], starts_at, ends_at, party_size=party_size, exclude_pk=exclude_pk
        ).get(room.pk)
    return None


# ---- no-shows ------------------------------------------------------------------------------------


def no_show_count(member, within_days=365):
    since = timezone.now() - dt.timedelta(days=within_days)
    return Appointment.objects.filter(
        member_id=member.pk, state=Appointment.State.NO_SHOW, starts_at__gte=since
    ).count()


def is_no_show_risk(member):
    """Missed as many visits in a year as the store's rule flags."""
    threshold = ReceptionSettings.for_store(member.store_id).no_show_flag_count
    return no_show_count(member) >= threshold
