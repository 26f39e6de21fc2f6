"""The care jobs `manage.py tick` runs; the rules they apply are in tasks/cadence.py.

- `generate_care_tasks`, daily: the day's tasks from every cadence rule, then the cancellations.
- `thank_you_calls`, daily: the host's thank-you call for each visit seen off the day before.
- `visit_confirmations`, every minute: the host's confirmation of tomorrow's booked visits (a visit
  booked this afternoon for tomorrow gets its task at once), and closing those no longer needed.
- `wake_snoozed` and `alert_due_tasks`, every minute: indexed lookups of the few rows whose
  moment has come (partial indexes on CareTask), so a tick with nothing to do costs milliseconds.
"""

from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from concierge.alerts import alert
from concierge.i18n import Message
from concierge.jobs import job
from concierge.models import Staff
from concierge.roles import Role
from tasks import cadence, visit_tasks
from tasks.models import CareTask


@job(daily=True)
def generate_care_tasks(*, as_of):
    """The day's care tasks from every rule, then the cancellations; once per local date."""
    holidays = cadence.fill_holiday_calendars(as_of)
    made = cadence.create_tasks([row for rule in cadence.RULES for row in rule(as_of)])
    cancelled = cadence.cancel_outdated(as_of)
    summary = {str(kind): count for kind, count in sorted(made.items())}
    if holidays:
        summary["holidays_added"] = holidays
    if cancelled:
        summary["cancelled"] = cancelled
    return summary


@job(daily=True)
def thank_you_calls(*, as_of):
    """The day after a visit was seen off, its host calls to thank the member."""
    made = visit_tasks.make_thank_you_calls(as_of)
    return {"thank_you_calls": made} if made else {}


# Every minute -------------------------------------------------------------------------------------


@job
def wake_snoozed(*, as_of):
    """Snoozed tasks whose date has come are open again, due that day, and alerted again."""
    from tasks.actions import wake_task

    due = CareTask.objects.filter(state=CareTask.State.SNOOZED, snoozed_until__lte=as_of).only("pk")
    # One action per task: another tick at the same moment skips the rows this one holds.
    woken = sum(1 for task in due if wake_task(task) is not None)
    return {"woken": woken} if woken else {}


@job
def visit_confirmations(*, as_of):
    """Tomorrow's booked visits get their confirmation task; the open ones of visits cancelled,
    confirmed or moved meanwhile are closed. Two indexed queries when there is nothing to do."""
    made = visit_tasks.make_confirmations(as_of)
    closed = visit_tasks.close_confirmations(as_of)
    summary = {}
    if made:
        summary["confirmations"] = made
    if closed:
        summary["confirmations_closed"] = closed
    return summary


def _now():
    return timezone.localtime()


@job
def alert_due_tasks(*, as_of):
    """Tell staff, once, about open tasks due by as_of: from CARE_DUE_ALERT_HOUR on, not at midnight.

    Each assignee gets one alert with the number of their due tasks, linking to My day; the store
    managers of a store get one for its due pool tasks, linking to the pool. A catch-up run for an
    earlier date alerts at any hour. The tasks are claimed with one UPDATE ... RETURNING, so two
    ticks at once never alert a task twice. Side effects: due_alerted_at set, Alert rows, pushes.
    """
    now = _now()
    if as_of >= now.date() and now.hour < settings.CARE_DUE_ALERT_HOUR:
        return {}
    with transaction.atomic():
        # The partial index on open, unalerted tasks serves this; the state is a literal to match it.
        claimed = cadence.update_returning(
            "due_alerted_at = %s",
            f"state = '{CareTask.State.OPEN.value}' AND due_alerted_at IS NULL AND due_date <= %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                connection.ops.adapt_datefield_value(as_of),
            ],
            returning="store_id, assignee_id",
        )
        if not claimed:
            return {}
        assigned = Counter(assignee_id for _store_id, assignee_id in claimed if assignee_id is not None)
        pooled = Counter(store_id for store_id, assignee_id in claimed if assignee_id is None)
        # Each alert is written in its recipient's language, which may be their store's.
        for user in Staff.objects.filter(pk__in=assigned, is_active=True).select_related("store"):
            message = Message.counted(
                ngettext_lazy("%(count)d care task is due today", "%(count)d care tasks are due today"),
                assigned[user.pk],
            )
            alert([user], "care_task.due", None, message, link=reverse("tasks:my_day"))
        managers = defaultdict(list)
        for user in (
            Staff.objects.filter(store_id__in=pooled, groups__name=Role.STORE_MANAGER.value, is_active=True)
            .select_related("store")
            .distinct()
        ):
            managers[user.store_id].append(user)
        for store_id, count in pooled.items():
            message = Message.counted(
                ngettext_lazy(
                    "%(count)d care task in the pool is due today",
                    "%(count)d care tasks in the pool are due today",
                ),
                count,
            )
            alert(managers[store_id], "care_task.due", None, message, link=reverse("tasks:pool"))
    return {"alerted": len(claimed)}


# The revival jobs live beside their actions (tasks/revival/); importing them registers them.
from tasks.revival import jobs as _revival_jobs  # noqa: E402, F401
