"""What the care-task tests share: dates relative to today, a task maker, fresh reads."""

import datetime as dt
from html import unescape

from django.utils import timezone

from tasks.models import CareTask


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def make_task(member, assignee, kind=CareTask.Kind.NEW_MEMBER_CALL, due=0, period="first", **fields):
    fields.setdefault("reason", f"reason of {member.name}")
    return CareTask.objects.create(
        store=member.store,
        member=member,
        assignee=assignee,
        kind=kind,
        period=period,
        due_date=days(due),
        **fields,
    )


def fresh(task):
    return CareTask.objects.get(pk=task.pk)


def assignees(tasks):
    return [fresh(task).assignee for task in tasks]


def text(response):
    return unescape(response.content.decode())
