"""The care tasks around a visit: the host's confirmation the day before, and the thank-you call
the day after the member was seen off. tasks/jobs.py runs them from `manage.py tick`.

A visit's tasks go to its host (the pool if the host has left), are due the day itself, and are
exempt from the weekly contact cap: they are about the member's own booking, not outreach.
Completing one moves the visit (tasks/actions.py complete_task): confirmed, or followed up.
"""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from concierge.dates import local_midnight
from concierge.i18n import Message
from concierge.models import Appointment, Store
from tasks import cadence
from tasks.models import CareTask

Kind = CareTask.Kind
# A thank-you made later than this after the farewell reads as forgotten: a missed tick catches up
# two days only, as the greetings do.
THANK_YOU_CATCH_UP_DAYS = 2


def confirmation_period(appointment):
    """One confirmation per visit and date it is booked for: a visit moved to another day (and
    back) is confirmed again; the unique (member, kind, period) keeps two ticks from doubling it."""
    day = timezone.localtime(appointment.starts_at).date()
    return f"v{appointment.pk}-{day:%Y%m%d}-{appointment.reschedule_count}"


def thank_you_period(appointment):
    return f"v{appointment.pk}-thanks"


def _in_store(appointments):
    # Every store's visits through the (store, state, starts_at) index: a store is a short list,
    # a year of visits is not.
    return appointments.filter(store__in=Store.objects.all())


def _make(kind, appointments, *, due, reason_of, period_of):
    """Bulk-create a task per visit for its host; returns the number proposed."""
    rows, visits = [], {}
    for appointment in appointments:
        row = cadence.Row(
            appointment.member_id,
            appointment.store_id,
            kind,
            period_of(appointment),
            due,
            reason_of(appointment),
        )
        rows.append(row)
        visits[id(row)] = appointment
    if not rows:
        return 0
    texts = cadence._in_store_languages(rows)
    now = timezone.now()
    CareTask.objects.bulk_create(
        (
            CareTask(
                store_id=row.store_id,
                member_id=row.member_id,
                appointment=visits[id(row)],
                assignee_id=visits[id(row)].host_id if visits[id(row)].host.is_active else None,
                kind=row.kind,
                period=row.period,
                due_date=row.due,
                reason=texts[row.store_id, id(row.reason)][:300],
                reason_message=row.reason.to_json(),
                created_at=now,
            )
            for row in rows
        ),
        ignore_conflicts=True,
    )
    return len(rows)


def _local(moment, pattern):
    return timezone.localtime(moment).strftime(pattern)


# A visit may be readied before the member confirms it: it still waits for their yes.
AWAITING_CONFIRMATION = (Appointment.State.REQUESTED, Appointment.State.PREPARED)


def make_confirmations(as_of):
    """A confirmation task, due as_of, for each visit booked and not yet confirmed that starts the
    next local day. One query when there is nothing to make."""
    day = as_of + dt.timedelta(days=1)
    made = CareTask.objects.filter(
        appointment=OuterRef("pk"), kind=Kind.VISIT_CONFIRMATION, due_date=as_of
    ).exclude(state=CareTask.State.CANCELLED)
    visits = (
        _in_store(Appointment.objects.filter(state__in=AWAITING_CONFIRMATION, confirmed_at__isnull=True))
        .filter(starts_at__gte=local_midnight(day), starts_at__lt=local_midnight(day + dt.timedelta(days=1)))
        .exclude(Exists(made))
        .select_related("host")
        .order_by("starts_at", "pk")
    )
    return _make(
        Kind.VISIT_CONFIRMATION,
        visits,
        due=as_of,
        period_of=confirmation_period,
        reason_of=lambda visit: Message(
            gettext_noop("Visit on %(time)s: confirm it with the member"),
            time=_local(visit.starts_at, "%Y-%m-%d %H:%M"),
        ),
    )


def outdated_confirmations(as_of):
    """{pk: task} of open confirmation tasks whose visit no longer waits for one: cancelled,
    confirmed another way, gone, or moved to another day. One query over the partial
    index of open confirmations, which are a day's worth at most."""
    outdated = {}
    for task in CareTask.objects.filter(
        state=CareTask.State.OPEN, kind=Kind.VISIT_CONFIRMATION
    ).select_related("appointment", "member"):
        visit = task.appointment
        if (
            visit is None
            or visit.state not in AWAITING_CONFIRMATION
            or visit.confirmed_at is not None
            or timezone.localtime(visit.starts_at).date() != task.due_date + dt.timedelta(days=1)
        ):
            outdated[task.pk] = task
    return outdated


def close_confirmations(as_of):
    return cadence.cancel_tasks(outdated_confirmations(as_of), why="visit changed")


def make_thank_you_calls(as_of):
    """A thank-you call, due as_of, for each visit seen off before as_of (and after the catch-up
    window's start) that has none yet."""
    since = local_midnight(as_of - dt.timedelta(days=1 + THANK_YOU_CATCH_UP_DAYS))
    today = local_midnight(as_of)
    made = CareTask.objects.filter(appointment=OuterRef("pk"), kind=Kind.THANK_YOU_CALL)
    visits = (
        _in_store(Appointment.objects.filter(state=Appointment.State.COMPLETED))
        # A visit starts before it is seen off: the start bounds the index range.
        .filter(starts_at__gte=since, starts_at__lt=today, completed_at__lt=today)
        .exclude(Exists(made))
        .select_related("host")
        .order_by("starts_at", "pk")
    )
    return _make(
        Kind.THANK_YOU_CALL,
        visits,
        due=as_of,
        period_of=thank_you_period,
        reason_of=lambda visit: Message(
            gettext_noop("Seen off on %(date)s: thank them for the visit"),
            date=_local(visit.completed_at or visit.starts_at, "%Y-%m-%d"),
        ),
    )
