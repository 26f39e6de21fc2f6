# ruff: noqa: RUF001 (the demo text is Chinese, with its full-width punctuation)
"""The care tasks' part of the demo store (`manage.py seed_demo`): a past week of finished work.

`tick` makes the open tasks; a fresh demo would otherwise show nobody with anything done, and the
team chart would have nothing to compare. Each VIP manager gets a different number of calls done in
the last 7 days, each also in the member's contact log, as working a task would leave them.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.models import Assignment, ContactLog, Staff
from tasks.models import CareTask

# Calls done per VIP manager in the last 7 days: different, so the chart tells them apart.
DONE_LAST_WEEK = {"vip1": 9, "vip2": 6, "vip3": 3}
NOTES = ("问候近况，家人都好", "刚旅行回来，下周想看新到的大衣", "对上次的改衣很满意", "最近忙，月底再来店")


def seed_demo(store, today):
    now = timezone.now()
    # As tick words the monthly call, in the store's language.
    care_call_reason = _("Monthly care call for a key member: ask after health, family and work; no selling")
    managers = Staff.objects.filter(store=store, username__in=DONE_LAST_WEEK)
    tasks, contacts = [], []
    for manager in managers:
        # Past the first members of the book, which the demo's My day is shaped around.
        members = list(
            store.members.filter(
                assignments__manager=manager, assignments__state__in=Assignment.CURRENT_STATES
            ).order_by("-member_no")[: DONE_LAST_WEEK[manager.username]]
        )
        for number, member in enumerate(members):
            # Spread over the week, the first two today; in the store's working hours, never ahead.
            day = today - dt.timedelta(days=0 if number < 2 else (number - 1) % 7)
            closed_at = min(
                timezone.make_aware(dt.datetime.combine(day, dt.time(10 + number % 8))),
                now - dt.timedelta(minutes=5 + number),
            )
            note = NOTES[number % len(NOTES)]
            tasks.append(
                CareTask(
                    store=store,
                    member=member,
                    assignee=manager,
                    kind=CareTask.Kind.CARE_CALL,
                    period=f"demo-{day.isoformat()}",
                    due_date=day,
                    reason=care_call_reason,
                    state=CareTask.State.DONE,
                    created_at=closed_at - dt.timedelta(days=1),
                    closed_at=closed_at,
                    closed_by=manager,
                    outcome=ContactLog.Outcome.REACHED,
                    note=note,
                )
            )
            contacts.append(
                ContactLog(
                    member=member,
                    staff=manager,
                    channel=ContactLog.Channel.PHONE,
                    outcome=ContactLog.Outcome.REACHED,
                    note=note,
                    contacted_at=closed_at,
                )
            )
    CareTask.objects.bulk_create(tasks)
    ContactLog.objects.bulk_create(contacts)
