"""The store's opening hours, its closed dates and special hours, and its staff's days off: set up by
the store manager, read by the complaint SLA clock (concierge.opening) and by booking later.

Like concierge.setup_actions: one function per intention, in one transaction, the store's row locked
first (two managers saving the week at once write one week after the other), the actor checked again
as they are now, one AuditEntry per change, and ActionRefused with nothing written when refused.
The forms check the same rules first so the user sees them on the fields; these checks are the guard
for any other caller.
"""

import datetime as dt
import itertools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.errors import ActionRefused
from concierge.models import OpeningHours, SpecialDay, Staff, StaffAbsence, Weekday
from concierge.models.hours import check_period
from concierge.opening import DEFAULT_HOURS
from concierge.setup_actions import begin_setup
from concierge.workflow import action, audit, lock, lock_staff

MIDNIGHT = dt.time(0, 0)
EN_DASH = "\u2013"
MAX_PERIODS = 2


def end_of(closes):
    """A closing time as minutes into the day: 00:00 closes at midnight, the day's end."""
    return 24 * 60 if closes == MIDNIGHT else closes.hour * 60 + closes.minute


def start_of(opens):
    return opens.hour * 60 + opens.minute


def period_problem(periods):
    """Why these open periods of one day cannot be, or None: each closes after it opens, there are
    at most two, and the second starts once the first has closed."""
    if len(periods) > MAX_PERIODS:
        return _("A day has at most two open periods.")
    for opens, closes in periods:
        try:
            check_period(opens, closes)
        except ValidationError as error:
            return " ".join(error.messages)
    ordered = sorted(periods)
    for (_opens, closes), (later, _closes) in itertools.pairwise(ordered):
        if start_of(later) < end_of(closes):
            return _("The two periods overlap: the second must start after the first closes.")
    return None


def describe_periods(periods):
    """ "10:00-12:00, 13:00-22:00" with en dashes; an empty list is a closed day ("")."""
    return ", ".join(f"{opens:%H:%M}{EN_DASH}{closes:%H:%M}" for opens, closes in sorted(periods))


def current_week(store_id):
    """{weekday: [(opens, closes), ...]} as set up; a weekday without rows is closed."""
    week = {day: [] for day in Weekday.values}
    for weekday, opens, closes in OpeningHours.objects.filter(store_id=store_id).values_list(
        "weekday", "opens", "closes"
    ):
        week[weekday].append((opens, closes))
    return {day: sorted(periods) for day, periods in week.items()}


# ---- the week -------------------------------------------------------------------------------------


@action
def save_opening_hours(*, actor, week):
    """The whole week at once: `week` maps each weekday (0 = Monday) to its open periods, an empty
    list for a closed day. Writes the rows of the days that changed and one AuditEntry
    "hours.week_changed" with each changed day's hours before and after ("" = closed); nothing when
    nothing changed. Returns the changed days."""
    store, actor = begin_setup(actor)
    if set(week) != set(Weekday.values):
        raise ActionRefused(_("Give the hours of every day of the week."))
    week = {day: sorted(periods) for day, periods in week.items()}
    for day, periods in week.items():
        problem = period_problem(periods)
        if problem:
            raise ActionRefused(f"{Weekday(day).label}: {problem}")
    # A week without any opening would read as "nothing set up" and count the default hours.
    if not any(week.values()):
        raise ActionRefused(_("The store must open on at least one day of the week."))
    before = current_week(store.pk)
    was_default = not any(before.values())
    if was_default:
        # Until now the store counted the default hours: every day is written, and compared with those.
        shown_before = {day: sorted(DEFAULT_HOURS[day]) for day in Weekday.values}
        changed = dict(week)
    else:
        shown_before = before
        changed = {day: periods for day, periods in week.items() if periods != before[day]}
    if not changed:
        return {}
    OpeningHours.objects.filter(store=store, weekday__in=list(changed)).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=day, opens=opens, closes=closes)
        for day, periods in changed.items()
        for opens, closes in periods
    )
    audit(
        "hours.week_changed",
        store,
        actor,
        store=store,
        was_default=was_default,
        days={
            str(day): [describe_periods(shown_before[day]), describe_periods(periods)]
            for day, periods in changed.items()
            if periods != shown_before[day]
        },
    )
    return changed


# ---- closed dates and special hours ---------------------------------------------------------------

SPECIAL_FIELDS = ["date", "name", "closed", "opens", "closes"]


def _special_values(values):
    values = {field: values.get(field) for field in SPECIAL_FIELDS}
    values["name"] = (values["name"] or "").strip()
    if values["closed"]:
        values["opens"] = values["closes"] = None
    return values


def _check_special(day, store):
    try:
        day.full_clean(exclude=["store"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ActionRefused(" ".join(error.messages)) from error
    if day.date < timezone.localdate():
        raise ActionRefused(_("This date has passed: choose today or a later date."))
    clash = SpecialDay.objects.filter(store=store, date=day.date).exclude(pk=day.pk).first()
    if clash is not None:
        raise ActionRefused(
            _("%(date)s already has an entry (%(name)s): change that one.")
            % {"date": day.date.isoformat(), "name": clash.name or _("no name")}
        )


def _save_special(day):
    try:
        with transaction.atomic():
            day.save()
    except IntegrityError as error:
        raise ActionRefused(_("This date already has an entry: change that one.")) from error


def describe_special(closed, opens, closes):
    return "" if closed else describe_periods([(opens, closes)])


@action
def add_special_day(*, actor, values):
    """A closed date or a date with its own hours. AuditEntry "hours.date_added"."""
    store, actor = begin_setup(actor)
    day = SpecialDay(store=store, **_special_values(values))
    _check_special(day, store)
    _save_special(day)
    audit(
        "hours.date_added",
        day,
        actor,
        store=store,
        date=day.date.isoformat(),
        name=day.name,
        hours=describe_special(day.closed, day.opens, day.closes),
    )
    return day


def _locked_special(day, store):
    if day.store_id != store.pk:
        raise ActionRefused(_("This date is not in your store's calendar."))
    return lock(day)


@action
def change_special_day(day, *, actor, values):
    """Move, rename or change the hours of one date. AuditEntry "hours.date_changed" with the
    fields that changed; returns them."""
    store, actor = begin_setup(actor)
    day = _locked_special(day, store)
    before = {
        "date": day.date.isoformat(),
        "name": day.name,
        "hours": describe_special(day.closed, day.opens, day.closes),
    }
    for field, value in _special_values(values).items():
        setattr(day, field, value)
    _check_special(day, store)
    after = {
        "date": day.date.isoformat(),
        "name": day.name,
        "hours": describe_special(day.closed, day.opens, day.closes),
    }
    changed = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if changed:
        _save_special(day)
        audit("hours.date_changed", day, actor, store=store, changed=changed)
    return changed


@action
def delete_special_day(day, *, actor):
    """Take a date off the calendar: it counts as its weekday again. AuditEntry "hours.date_removed"."""
    store, actor = begin_setup(actor)
    day = _locked_special(day, store)
    audit(
        "hours.date_removed",
        day,
        actor,
        store=store,
        date=day.date.isoformat(),
        name=day.name,
        hours=describe_special(day.closed, day.opens, day.closes),
    )
    day.delete()
    return day


# ---- days off -------------------------------------------------------------------------------------


@action
def add_absence(*, actor, staff, first_day, last_day, note=""):
    """Days a colleague is off: no new complaints are routed to them on those days. Refused for
    someone of another store, a deactivated account, a period that has ended, or days that overlap
    a period already recorded for them. AuditEntry "absences.added"."""
    store, actor = begin_setup(actor)
    locked = lock_staff([staff.pk]).get(staff.pk)
    if locked is None or locked.store_id != store.pk:
        raise ActionRefused(_("Choose a colleague of this store."))
    if not locked.is_active:
        raise ActionRefused(_("%(name)s is deactivated.") % {"name": locked})
    if last_day < first_day:
        raise ActionRefused(_("The last day off cannot be before the first."))
    if last_day < timezone.localdate():
        raise ActionRefused(_("These days have passed: record days off from today on."))
    overlap = (
        StaffAbsence.objects.filter(staff=locked, first_day__lte=last_day, last_day__gte=first_day)
        .order_by("first_day")
        .first()
    )
    if overlap is not None:
        raise ActionRefused(
            _("%(name)s is already off from %(first)s to %(last)s: remove that first, or choose other days.")
            % {"name": locked, "first": overlap.first_day.isoformat(), "last": overlap.last_day.isoformat()}
        )
    absence = StaffAbsence.objects.create(
        store=store, staff=locked, first_day=first_day, last_day=last_day, note=(note or "").strip()
    )
    audit(
        "absences.added",
        absence,
        actor,
        store=store,
        staff=str(locked),
        first_day=first_day.isoformat(),
        last_day=last_day.isoformat(),
        note=absence.note,
    )
    return absence


@action
def remove_absence(absence, *, actor):
    """Take recorded days off away (plans changed, or recorded by mistake): the person gets new
    complaints again from now on. AuditEntry "absences.removed"."""
    store, actor = begin_setup(actor)
    if absence.store_id != store.pk:
        raise ActionRefused(_("These days off are not in your store."))
    locked = lock_staff([absence.staff_id]).get(absence.staff_id)
    absence = lock(absence)
    audit(
        "absences.removed",
        absence,
        actor,
        store=store,
        staff=str(locked or absence.staff),
        first_day=absence.first_day.isoformat(),
        last_day=absence.last_day.isoformat(),
    )
    absence.delete()
    return absence


def staff_who_can_be_off(store_id):
    """The active colleagues of the store, for the days-off form."""
    return Staff.objects.filter(store_id=store_id, is_active=True).order_by("display_name", "username")
