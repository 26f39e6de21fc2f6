"""What the queue and the complaint's page both show: how much time is left, in the store's business
minutes, said the way a handler reads a clock."""

import datetime as dt
from typing import NamedTuple

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from complaints.sla import business_minutes_between

State = Complaint.State

# Business minutes are worked out day by day: beyond these spans a date says as much, for less.
COUNT_AHEAD = dt.timedelta(days=14)
COUNT_LATE = dt.timedelta(days=7)
# Late by more than a working day is said as the moment it fell due: "late by 52 h" of opening
# hours reads like two days when it was four.
LONG_LATE_MINUTES = 8 * 60
# Under this much time left, the row is marked as due soon even before the warning has gone out.
SOON_MINUTES = 60


def duration(minutes):
    """45 min, 2 h, 2 h 10 min: business time the way a handler says it."""
    minutes = max(round(minutes), 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


def moment(value, now):
    """14:30 today, Tue 10:30 from yesterday to five days ahead, 12-20 10:30 further off: no more
    than the reader needs, and never one weekday for two dates."""
    local, today = timezone.localtime(value), timezone.localtime(now).date()
    days = (local.date() - today).days
    if days == 0:
        return date_format(local, "H:i")
    if -1 <= days <= 5:
        return date_format(local, "D H:i")
    if local.year == today.year:
        return date_format(local, "m-d H:i")
    return date_format(local, "Y-m-d H:i")


class Due(NamedTuple):
    """A clock as a row shows it: `kind` picks the colour (late, soon, ok, paused, feedback, done)."""

    kind: str
    text: str
    note: str = ""


def due_status(complaint, now, calendar, grace_days=7):
    """Where the complaint's running clock stands, in words and a kind."""
    if complaint.state in Complaint.ENDED_STATES:
        return Due("done", complaint.get_state_display())
    if complaint.state == State.RESOLVED:
        if complaint.resolved_at is None:
            return Due("feedback", _("Call back for feedback"))
        by = complaint.resolved_at + dt.timedelta(days=grace_days)
        late = by <= now
        return Due(
            "late" if late else "feedback",
            _("Call back by %(when)s") % {"when": moment(by, now)},
            _("resolved %(when)s") % {"when": moment(complaint.resolved_at, now)},
        )
    if complaint.paused_at is not None:
        return Due(
            "paused",
            _("Waiting since %(when)s") % {"when": moment(complaint.paused_at, now)},
            _("clock stopped"),
        )
    due = complaint.due_at
    if due is None:
        return Due("ok", "—")
    hours, closed = calendar.opening_hours, calendar.closed_dates
    if due > now:
        text = _("Due %(when)s") % {"when": moment(due, now)}
        if due - now > COUNT_AHEAD:
            return Due("ok", text)
        left = business_minutes_between(now, due, hours, closed)
        soon = complaint.warned_at is not None or left <= SOON_MINUTES
        return Due("soon" if soon else "ok", text, _("%(time)s left") % {"time": duration(left)})
    if now - due > COUNT_LATE:
        return Due("late", _("Late since %(when)s") % {"when": moment(due, now)})
    late = business_minutes_between(due, now, hours, closed)
    if late >= LONG_LATE_MINUTES:
        return Due("late", _("Late since %(when)s") % {"when": moment(due, now)})
    return Due(
        "late",
        _("Late by %(time)s") % {"time": duration(late)},
        _("was due %(when)s") % {"when": moment(due, now)},
    )


# Who the escalation job has alerted so far, by level (complaints/jobs.py).
ESCALATED_TO = {
    1: gettext_lazy("Late: the handler was alerted"),
    2: gettext_lazy("Escalated to the team lead"),
    3: gettext_lazy("Escalated to the store manager"),
}
