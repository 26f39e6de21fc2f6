"""Care-task generation from the care cadence (DOMAIN.md), run by `manage.py tick`.

Every rule is a query for the members it applies to and one bulk insert that the database's
unique (member, kind, period) constraint makes idempotent: running tick twice, or twice at once,
never makes a second task. Rules look back over a short catch-up window, so a day when tick did
not run is made up, without flooding staff with tasks for events long past.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concierge.jobs import job
from concierge.models import Assignment, AuditEntry, Member
from tasks.models import CareTask

NEW_MEMBER_DAYS = 7
BIRTHDAY_LEAD_DAYS = 3
CATCH_UP_DAYS = 7


def local_midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _managers(member_ids):
    """The current dedicated VIP manager of each member, where there is one."""
    return dict(
        Assignment.objects.filter(member_id__in=member_ids, state__in=Assignment.CURRENT_STATES).values_list(
            "member_id", "manager_id"
        )
    )


def _allowed(rows):
    """Drop what the member should not get now: sales outreach while paused, and more than the
    weekly number of contacts (birthday greetings and internal reviews do not count)."""
    member_ids = [member.pk for member, *_rest in rows]
    paused = dict(
        Member.objects.filter(pk__in=member_ids, outreach_paused_until__isnull=False).values_list(
            "pk", "outreach_paused_until"
        )
    )
    dues = min(due for _m, _k, _p, due, _r in rows) - dt.timedelta(days=6)
    planned = {}
    for member_id, due in (
        CareTask.objects.filter(member_id__in=member_ids, due_date__gte=dues)
        .exclude(kind__in=CareTask.CAP_EXEMPT)
        .exclude(state=CareTask.State.CANCELLED)
        .values_list("member_id", "due_date")
    ):
        planned.setdefault(member_id, []).append(due)
    kept = []
    for row in rows:
        member, kind, _period, due, _reason = row
        if kind in CareTask.SALES_MINDED and paused.get(member.pk) and paused[member.pk] >= due:
            continue
        if kind not in CareTask.CAP_EXEMPT:
            week = [d for d in planned.get(member.pk, []) if abs((d - due).days) < 7]
            if len(week) >= settings.CARE_OUTREACH_PER_WEEK:
                continue
            planned.setdefault(member.pk, []).append(due)
        kept.append(row)
    return kept


def _create(rows):
    """rows: (member, kind, period, due_date, reason). Returns how many tasks were new."""
    rows = _allowed(rows) if rows else rows
    if not rows:
        return 0
    managers = _managers([member.pk for member, *_rest in rows])
    tasks = [
        CareTask(
            store_id=member.store_id,
            member=member,
            assignee_id=managers.get(member.pk),
            kind=kind,
            period=period,
            due_date=due,
            reason=reason,
        )
        for member, kind, period, due, reason in rows
    ]
    before = CareTask.objects.count()
    CareTask.objects.bulk_create(tasks, ignore_conflicts=True, batch_size=2000)
    return CareTask.objects.count() - before


def _local_date(moment):
    return timezone.localtime(moment).date()


def new_member_calls(as_of):
    """A satisfaction call 7 days after the first purchase."""
    latest = as_of - dt.timedelta(days=NEW_MEMBER_DAYS)
    earliest = latest - dt.timedelta(days=CATCH_UP_DAYS)
    members = Member.objects.filter(
        first_purchase_at__gte=local_midnight(earliest),
        first_purchase_at__lt=local_midnight(latest + dt.timedelta(1)),
    )
    rows = []
    for member in members.only("pk", "store_id", "first_purchase_at"):
        first = _local_date(member.first_purchase_at)
        reason = _("First purchase on %(date)s: satisfaction call") % {"date": first.isoformat()}
        rows.append(
            (member, CareTask.Kind.NEW_MEMBER_CALL, "first", first + dt.timedelta(NEW_MEMBER_DAYS), reason)
        )
    return _create(rows)


def dormancy_tasks(as_of):
    """A review when a member turns dormant, a phone call when they turn lost, once per dormancy."""
    rows = []
    rules = (
        (settings.LIFECYCLE_DORMANT_DAYS, CareTask.Kind.DORMANT_REVIEW,
         _("No purchase since %(date)s: check complaints and special matters, then plan the contact")),
        (settings.LIFECYCLE_LOST_DAYS, CareTask.Kind.DORMANT_CALL,
         _("No purchase since %(date)s: call and ask why")),
    )  # fmt: skip
    for days, kind, message in rules:
        # "More than N days" since the last visit: the last visit is on day as_of - N - 1 or before.
        latest = as_of - dt.timedelta(days=days + 1)
        earliest = latest - dt.timedelta(days=CATCH_UP_DAYS)
        members = Member.objects.filter(
            last_purchase_at__gte=local_midnight(earliest),
            last_purchase_at__lt=local_midnight(latest + dt.timedelta(1)),
        )
        for member in members.only("pk", "store_id", "last_purchase_at"):
            last = _local_date(member.last_purchase_at)
            rows.append((member, kind, last.isoformat(), last + dt.timedelta(days + 1),
                         message % {"date": last.isoformat()}))  # fmt: skip
    return _create(rows)


def birthday_greetings(as_of):
    """A greeting for birthdays in the next few days (29 February is greeted on the 28th)."""
    days = [as_of + dt.timedelta(n) for n in range(BIRTHDAY_LEAD_DAYS + 1)]
    match = Q()
    for day in days:
        match |= Q(birthday__month=day.month, birthday__day=day.day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            match |= Q(birthday__month=2, birthday__day=29)
    members = Member.objects.filter(match, birthday_is_lunar=False).only("pk", "store_id", "birthday")
    rows = []
    for member in members:
        for day in days:
            born = member.birthday
            if (born.month, born.day) == (day.month, day.day) or (
                (born.month, born.day) == (2, 29)
                and (day.month, day.day) == (2, 28)
                and not calendar.isleap(day.year)
            ):
                reason = _("Birthday on %(date)s") % {"date": day.isoformat()}
                rows.append((member, CareTask.Kind.BIRTHDAY_GREETING, str(day.year), day, reason))
                break
    return _create(rows)


def cancel_outdated(as_of):
    """Dormancy tasks for members who have bought again are no longer needed."""
    kinds = [CareTask.Kind.DORMANT_REVIEW, CareTask.Kind.DORMANT_CALL]
    candidates = CareTask.objects.filter(
        kind__in=kinds, state__in=[CareTask.State.OPEN, CareTask.State.SNOOZED]
    ).select_related("member")
    outdated = [
        task
        for task in candidates
        if task.member.last_purchase_at
        and _local_date(task.member.last_purchase_at).isoformat() > task.period
    ]
    if not outdated:
        return 0
    content_type = ContentType.objects.get_for_model(CareTask)
    with transaction.atomic():
        updated = CareTask.objects.filter(
            pk__in=[task.pk for task in outdated], state__in=[CareTask.State.OPEN, CareTask.State.SNOOZED]
        ).update(state=CareTask.State.CANCELLED, closed_at=timezone.now())
        AuditEntry.objects.bulk_create(
            AuditEntry(
                action="care_task.cancelled",
                store_id=task.store_id,
                content_type=content_type,
                object_repr=str(task)[:200],
                object_id=str(task.pk),
                from_state=task.state,
                to_state=CareTask.State.CANCELLED,
                data={"why": "bought again", "member": task.member_id},
            )
            for task in outdated
        )
    return updated


def wake_snoozed(as_of):
    """Snoozed tasks whose date has come are open again, due that day."""
    woken = 0
    for task in CareTask.objects.filter(state=CareTask.State.SNOOZED, snoozed_until__lte=as_of):
        with transaction.atomic():
            task = CareTask.objects.select_for_update(skip_locked=True).filter(pk=task.pk).first()
            if task is None or task.state != CareTask.State.SNOOZED:
                continue  # another tick has it
            task.wake()
            task.save()
            woken += 1
    return woken


@job
def generate_care_tasks(*, as_of):
    # Reasons are written in the store's language: staff read them on the list as they were made.
    with translation.override(settings.LANGUAGE_CODE):
        made = {
            "new_member_calls": new_member_calls(as_of),
            "dormancy": dormancy_tasks(as_of),
            "birthdays": birthday_greetings(as_of),
            "cancelled": cancel_outdated(as_of),
            "woken": wake_snoozed(as_of),
        }
    return {name: count for name, count in made.items() if count}
