"""Due alerts: once per task, from the morning hour, to the assignee or the store's managers."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concierge.models import Alert
from tasks.models import CareTask
from tests.factories import MemberFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
AS_OF = dt.date(2026, 5, 20)
Kind = CareTask.Kind
State = CareTask.State


@pytest.fixture
def clock(monkeypatch, settings):
    """Set the local time the alert job sees; alerts start at 9."""
    settings.CARE_DUE_ALERT_HOUR = 9

    def set_to(day, hour, minute=0):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        monkeypatch.setattr("tasks.jobs._now", lambda: moment)

    return set_to


def tick(as_of=AS_OF):
    call_command("tick", "--as-of", as_of.isoformat(), verbosity=0)


def task(store, assignee, due, state=State.OPEN, **fields):
    return CareTask.objects.create(
        store=store,
        member=MemberFactory(store=store),
        assignee=assignee,
        kind=Kind.CARE_CALL,
        period="2026-05",
        due_date=due,
        reason="test",
        state=state,
        **fields,
    )


def fresh(one):
    return CareTask.objects.get(pk=one.pk)


def alerts(user):
    return list(Alert.objects.filter(recipient=user, kind="care_task.due"))


def test_due_tasks_are_alerted_from_the_hour_on_and_once(store, vip_manager, clock):
    due = [
        task(store, vip_manager, AS_OF),
        task(store, vip_manager, AS_OF),
        task(store, vip_manager, AS_OF - dt.timedelta(days=3)),
    ]
    upcoming = task(store, vip_manager, AS_OF + dt.timedelta(days=1))
    done = task(store, vip_manager, AS_OF, state=State.DONE)
    snoozed = task(
        store,
        vip_manager,
        AS_OF - dt.timedelta(days=1),
        state=State.SNOOZED,
        snoozed_until=AS_OF + dt.timedelta(days=2),
    )
    clock(AS_OF, 8, 59)
    tick()
    assert alerts(vip_manager) == []
    clock(AS_OF, 9, 0)
    tick()
    clock(AS_OF, 9, 1)
    tick()
    [alert] = alerts(vip_manager)
    assert alert.text == "3 care tasks are due today"
    assert alert.link == reverse("tasks:my_day")
    assert all(fresh(each).due_alerted_at is not None for each in due)
    assert all(fresh(each).due_alerted_at is None for each in (upcoming, done, snoozed))


def test_one_task_says_so_in_the_singular(store, vip_manager, clock):
    task(store, vip_manager, AS_OF)
    clock(AS_OF, 10)
    tick()
    assert [alert.text for alert in alerts(vip_manager)] == ["1 care task is due today"]


def test_each_assignee_gets_their_own_count(store, vip_manager, clock):
    colleague = StaffFactory(store=store)
    task(store, vip_manager, AS_OF)
    task(store, colleague, AS_OF)
    task(store, colleague, AS_OF)
    clock(AS_OF, 9)
    tick()
    assert [alert.text for alert in alerts(vip_manager)] == ["1 care task is due today"]
    assert [alert.text for alert in alerts(colleague)] == ["2 care tasks are due today"]


def test_tomorrows_tasks_wait_for_tomorrow(store, vip_manager, clock):
    tomorrow = task(store, vip_manager, AS_OF + dt.timedelta(days=1))
    clock(AS_OF, 18)
    tick()
    assert alerts(vip_manager) == []
    clock(AS_OF + dt.timedelta(days=1), 9)
    tick(AS_OF + dt.timedelta(days=1))
    assert len(alerts(vip_manager)) == 1
    assert fresh(tomorrow).due_alerted_at is not None


def test_pool_tasks_alert_the_store_managers_of_their_store_only(
    store, other_store, vip_manager, store_manager, other_manager, clock
):
    task(store, None, AS_OF)
    task(store, None, AS_OF)
    task(other_store, None, AS_OF)
    clock(AS_OF, 9)
    tick()
    [mine] = alerts(store_manager)
    assert (mine.text, mine.link) == ("2 care tasks in the pool are due today", reverse("tasks:pool"))
    [theirs] = alerts(other_manager)
    assert theirs.text == "1 care task in the pool is due today"
    assert alerts(vip_manager) == []


def test_a_catch_up_run_alerts_at_any_hour(store, vip_manager, clock):
    task(store, vip_manager, AS_OF)
    clock(AS_OF + dt.timedelta(days=1), 2)
    tick(AS_OF)
    assert len(alerts(vip_manager)) == 1


def test_a_woken_task_is_alerted_again(store, vip_manager, clock):
    snoozed = task(store, vip_manager, AS_OF - dt.timedelta(days=2))
    clock(AS_OF - dt.timedelta(days=2), 9)
    tick(AS_OF - dt.timedelta(days=2))
    assert len(alerts(vip_manager)) == 1
    snoozed = fresh(snoozed)
    snoozed.snooze(AS_OF)
    snoozed.save()
    clock(AS_OF, 9)
    tick()
    snoozed = fresh(snoozed)
    assert (snoozed.state, snoozed.due_date) == (State.OPEN, AS_OF)
    assert snoozed.due_alerted_at is not None
    assert len(alerts(vip_manager)) == 2


def test_the_alert_is_pushed_after_commit(store, vip_manager, clock, django_capture_on_commit_callbacks):
    task(store, vip_manager, AS_OF)
    clock(AS_OF, 9)
    with django_capture_on_commit_callbacks() as callbacks:
        tick()
    assert len(callbacks) == 1


def test_each_assignee_reads_the_due_alert_in_their_own_language(
    store, vip_manager, clock, inbox, django_capture_on_commit_callbacks
):
    colleague = StaffFactory(store=store, language="zh-hans")
    vip_manager.language = "en"
    vip_manager.save()
    task(store, vip_manager, AS_OF)
    task(store, colleague, AS_OF)
    task(store, colleague, AS_OF)
    inbox.listen(vip_manager, colleague)
    clock(AS_OF, 9)
    with django_capture_on_commit_callbacks(execute=True):
        tick()
    pushed = dict(inbox.received())
    assert "1 care task is due today" in pushed[vip_manager]
    assert "今天有 2 项关怀任务到期" in pushed[colleague]
    assert [alert.text for alert in alerts(colleague)] == ["今天有 2 项关怀任务到期"]
