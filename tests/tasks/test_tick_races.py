"""Ticks at once on PostgreSQL: one task per period (the unique constraint), one alert per task."""

import datetime as dt
import re
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from concierge import actions
from concierge.jobs import run_jobs
from concierge.models import Alert, AuditEntry
from concierge.refresh import refresh_members
from tasks.jobs import alert_due_tasks, generate_care_tasks
from tasks.models import CareTask, Holiday
from tests.factories import MemberFactory, PurchaseFactory, TierFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AS_OF = dt.date(2026, 5, 20)


def test_concurrent_ticks_make_each_task_once(store):
    members = [MemberFactory(store=store, birthday=dt.date(1980, 5, 21)) for _ in range(30)]
    for member in members:
        PurchaseFactory(
            member=member,
            amount=Decimal("300"),
            purchased_at=timezone.make_aware(dt.datetime(2026, 5, 12, 12)),
        )
    refresh_members(as_of=AS_OF)
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            generate_care_tasks(as_of=AS_OF)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # A new-member call and a birthday greeting each (the refresh also makes a few of them class A,
    # whose monthly care calls depend on their keys: not counted here).
    made = CareTask.objects.filter(kind__in=[CareTask.Kind.NEW_MEMBER_CALL, CareTask.Kind.BIRTHDAY_GREETING])
    assert made.count() == 60


# A multiple of 28, 30 and 31: BASE + n has its monthly care call on day n + 1 of every month.
BASE = 28 * 30 * 31 * 10_000
NOVEMBER_6 = dt.date(2026, 11, 6)  # 立冬 is on the 7th


def at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def race(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_ticks_over_the_cadence_make_each_task_once_and_alert_once(
    store, other_store, vip_manager, store_manager, other_manager, settings
):
    settings.CARE_OUTREACH_PER_WEEK = 10  # every rule's task, whatever else the member gets that week
    settings.CARE_DUE_ALERT_HOUR = 0
    dedicated = TierFactory(dedicated_manager=True)
    # Ten key members, care calls on 1-10 November (3-9 in the window), three with a VIP manager.
    key = [MemberFactory(pk=BASE + n, store=store, value_class="A", tier=dedicated) for n in range(10)]
    for member in key[2:5]:
        actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    Holiday.objects.create(store=store, name="店庆", date=dt.date(2026, 11, 8))
    gift_tier = TierFactory(birthday_gift=True)
    gifted = [MemberFactory(store=store, tier=gift_tier, birthday=dt.date(1980, 11, 10)) for _ in range(5)]
    slowing = [MemberFactory(store=other_store, value_class="B", lifecycle="regular") for _ in range(5)]
    for member in slowing:
        for days_ago in (100, 130, 160, 190, 220, 250, 10):
            PurchaseFactory(
                member=member, amount=Decimal("0"), purchased_at=at(NOVEMBER_6 - dt.timedelta(days_ago))
            )
    came_back = MemberFactory(store=store, lifecycle="regular", last_purchase_at=at(NOVEMBER_6))
    review = CareTask.objects.create(
        store=store,
        member=came_back,
        kind=CareTask.Kind.DORMANT_REVIEW,
        period="2026-07-01",
        due_date=dt.date(2026, 11, 20),
        reason="test",
    )

    errors = race(4, lambda: run_jobs(NOVEMBER_6, force=True))

    assert errors == []
    made = Counter(CareTask.objects.exclude(pk=review.pk).values_list("kind", flat=True))
    assert made == {
        CareTask.Kind.CARE_CALL: 7,
        CareTask.Kind.SEASON_GREETING: 10,
        CareTask.Kind.HOLIDAY_GREETING: 10,
        CareTask.Kind.BIRTHDAY_GIFT: len(gifted),
        CareTask.Kind.DECLINE_CALL: len(slowing),
    }
    assert CareTask.objects.get(pk=review.pk).state == CareTask.State.CANCELLED
    assert AuditEntry.objects.filter(action="care_task.cancelled").count() == 1
    # Due by the 6th: the care calls of 3-6 November (three the VIP manager's) and the decline calls.
    # The count, in whatever words the store's language puts around it.
    counts = {
        alert.recipient_id: int(re.search(r"\d+", alert.text).group())
        for alert in Alert.objects.filter(kind="care_task.due")
    }
    assert counts == {vip_manager.pk: 3, store_manager.pk: 1, other_manager.pk: 5}
    assert Alert.objects.filter(kind="care_task.due").count() == 3
    assert CareTask.objects.filter(due_alerted_at__isnull=False).count() == 9
    assert Holiday.objects.filter(store=store).exclude(source="").count() == 10


def test_concurrent_minute_ticks_alert_once(store, vip_manager, settings):
    settings.CARE_DUE_ALERT_HOUR = 0
    today = timezone.localdate()
    for _ in range(40):
        CareTask.objects.create(
            store=store,
            member=MemberFactory(store=store),
            assignee=vip_manager,
            kind=CareTask.Kind.CARE_CALL,
            period="x",
            due_date=today,
            reason="test",
        )
    errors = race(4, lambda: alert_due_tasks(as_of=today))
    assert errors == []
    [alert] = Alert.objects.filter(recipient=vip_manager, kind="care_task.due")
    assert re.search(r"\d+", alert.text).group() == "40"
