"""Working care tasks: complete with the cadence's answers, snooze, skip; who may; the contact log."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from concierge.actions import ActionRefused
from concierge.models import AuditEntry, ContactLog
from tasks import actions
from tasks.models import CareTask
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind


@pytest.fixture
def make_task(store, vip_manager):
    def make(kind=Kind.NEW_MEMBER_CALL, assignee=vip_manager):
        member = MemberFactory(store=store, name="王丽华")
        return CareTask.objects.create(
            store=store,
            member=member,
            assignee=assignee,
            kind=kind,
            period="first",
            due_date=timezone.localdate(),
            reason="test",
        )

    return make


def fresh(task):
    return CareTask.objects.get(pk=task.pk)


def test_completing_a_new_member_call_fills_the_contact_log(make_task, vip_manager):
    task = make_task()
    actions.complete_task(task, actor=vip_manager, outcome="reached", satisfaction=4, suggestions="停车难")
    task = fresh(task)
    assert task.state == CareTask.State.DONE
    assert task.satisfaction == 4
    contact = ContactLog.objects.get(member=task.member)
    assert contact.channel == ContactLog.Channel.PHONE
    assert contact.outcome == "reached"
    assert "4/5" in contact.text
    assert "停车难" in contact.note
    assert AuditEntry.objects.filter(action="care_task.done", object_id=str(task.pk)).exists()


def test_a_reached_new_member_call_needs_a_score(make_task, vip_manager):
    task = make_task()
    with pytest.raises(ActionRefused, match="satisfied"):
        actions.complete_task(task, actor=vip_manager, outcome="reached")
    assert fresh(task).state == CareTask.State.OPEN
    assert not ContactLog.objects.exists()
    actions.complete_task(task, actor=vip_manager, outcome="not_reached")
    assert fresh(task).state == CareTask.State.DONE


def test_a_reached_dormant_call_needs_the_reason(make_task, vip_manager):
    task = make_task(Kind.DORMANT_CALL)
    with pytest.raises(ActionRefused, match="stopped coming"):
        actions.complete_task(task, actor=vip_manager, outcome="reached")
    actions.complete_task(
        task, actor=vip_manager, outcome="reached", dormant_reason="moved", plan="寄送新品目录"
    )
    assert "Moved away" in ContactLog.objects.get(member=task.member).text


def test_a_greeting_is_logged_as_a_message(make_task, vip_manager):
    task = make_task(Kind.BIRTHDAY_GREETING)
    actions.complete_task(task, actor=vip_manager, outcome="message_sent")
    assert ContactLog.objects.get(member=task.member).channel == ContactLog.Channel.MESSAGE


@pytest.mark.parametrize(("persona", "allowed"), [
    ("vip_manager", True), ("store_manager", True), ("front_desk", False), ("complaint_handler", False),
    ("other_manager", False),
])  # fmt: skip
def test_who_may_work_on_a_task(request, make_task, persona, allowed):
    task = make_task()
    actor = request.getfixturevalue(persona)
    if allowed:
        actions.complete_task(task, actor=actor, outcome="not_reached")
        assert fresh(task).state == CareTask.State.DONE
    else:
        with pytest.raises(ActionRefused, match="not yours"):
            actions.complete_task(task, actor=actor, outcome="not_reached")
        assert fresh(task).state == CareTask.State.OPEN


def test_pool_tasks_are_worked_by_the_store_manager(make_task, vip_manager, store_manager):
    task = make_task(assignee=None)
    with pytest.raises(ActionRefused):
        actions.skip_task(task, actor=vip_manager, reason="x")
    actions.skip_task(task, actor=store_manager, reason="客户要求不要来电")
    assert fresh(task).state == CareTask.State.SKIPPED


def test_completing_twice_says_so(make_task, vip_manager):
    task = make_task()
    actions.complete_task(task, actor=vip_manager, outcome="not_reached")
    done = AuditEntry.objects.get(action="care_task.done")
    with pytest.raises(ActionRefused) as refused:
        actions.complete_task(task, actor=vip_manager, outcome="not_reached")
    # Who was first, and when: the refusal is built from the audit entry of the first completion.
    assert refused.value.message == f"Already “Done”: 王丽 at {timezone.localtime(done.at):%H:%M}."
    assert ContactLog.objects.count() == 1
    assert AuditEntry.objects.filter(action="care_task.done").count() == 1


def test_snooze_then_tick_opens_it_again(make_task, vip_manager):
    task = make_task()
    later = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(ActionRefused, match="after today"):
        actions.snooze_task(task, actor=vip_manager, until=timezone.localdate())
    actions.snooze_task(task, actor=vip_manager, until=later)
    assert fresh(task).state == CareTask.State.SNOOZED
    call_command("tick", "--as-of", (later - dt.timedelta(days=1)).isoformat(), verbosity=0)
    assert fresh(task).state == CareTask.State.SNOOZED
    call_command("tick", "--as-of", later.isoformat(), verbosity=0)
    task = fresh(task)
    assert task.state == CareTask.State.OPEN
    assert task.due_date == later
    woken = AuditEntry.objects.get(action="care_task.woken", object_id=str(task.pk))
    assert (woken.actor, woken.from_state, woken.to_state) == (None, "snoozed", "open")
    call_command("tick", "--as-of", later.isoformat(), verbosity=0)  # again: nothing more
    assert AuditEntry.objects.filter(action="care_task.woken").count() == 1


def test_skip_needs_a_reason(make_task, vip_manager):
    task = make_task()
    with pytest.raises(ActionRefused, match="reason"):
        actions.skip_task(task, actor=vip_manager, reason=" ")
    assert fresh(task).state == CareTask.State.OPEN


def test_the_contact_log_summary_reads_in_the_readers_language(make_task, vip_manager):
    task = make_task(kind=Kind.NEW_MEMBER_CALL)
    with translation.override("zh-hans"):
        actions.complete_task(
            task, actor=vip_manager, outcome="reached", satisfaction=4, suggestions="停车难"
        )
    contact = ContactLog.objects.get(member=task.member)
    assert contact.note == "停车难"  # typed, kept as typed
    with translation.override("en"):
        assert contact.text == "New-member call; satisfaction 4/5\n停车难"
    with translation.override("zh-hans"):
        assert contact.text.endswith("\n停车难")
        assert "New-member call" not in contact.text
