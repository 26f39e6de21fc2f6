"""Handing care tasks out (moving an absent colleague's, the pool), the outreach pause, and the
answers each kind closes with."""

import pytest
from django.utils import timezone

from concierge.actions import ActionRefused
from concierge.models import Alert, AuditEntry, ContactLog, Member
from tasks import actions
from tasks.models import CareTask
from tests.factories import MemberFactory
from tests.tasks.helpers import assignees, days, fresh, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind
State = CareTask.State


@pytest.fixture
def absent_tasks(store, vip_manager):
    """王丽's tasks: a member with three of them (one snoozed), three members with one each."""
    regular = MemberFactory(store=store)
    return [
        make_task(regular, vip_manager, due=-2),
        make_task(regular, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025", due=3),
        make_task(regular, vip_manager, kind=Kind.CARE_CALL, state=State.SNOOZED, snoozed_until=days(2)),
        *(make_task(MemberFactory(store=store), vip_manager, due=n) for n in range(3)),
    ]


# ---- moving an absent colleague's tasks ----------------------------------------------------------


def test_move_shares_out_evenly_keeping_a_members_tasks_together(
    store, vip_manager, colleague, colleague2, store_manager, absent_tasks
):
    done = make_task(MemberFactory(store=store), vip_manager, state=State.DONE, closed_at=timezone.now())

    moved = actions.move_tasks(
        vip_manager, actor=store_manager, to_users=[colleague, colleague2], reason="病假"
    )

    assert moved == {colleague: 3, colleague2: 3}
    given = assignees(absent_tasks)
    assert given[0] == given[1] == given[2]  # the regular's three tasks went together
    assert set(given[3:]) == {colleague, colleague2} - {given[0]}
    assert fresh(absent_tasks[2]).state == State.SNOOZED  # snoozed tasks move too, still snoozed
    assert fresh(done).assignee == vip_manager  # closed tasks stay in the record as they were
    # The move's alert covers what is already due; later tasks keep their own due alert.
    today = timezone.localdate()
    for task in map(fresh, absent_tasks):
        assert (task.due_alerted_at is not None) == (task.due_date <= today), task.due_date


def test_move_gives_more_to_whoever_has_less_on_their_plate(
    store, vip_manager, colleague, colleague2, store_manager
):
    for n in range(2):
        make_task(MemberFactory(store=store), colleague, due=n)
    tasks = [make_task(MemberFactory(store=store), vip_manager, due=n) for n in range(4)]

    moved = actions.move_tasks(
        vip_manager, actor=store_manager, to_users=[colleague, colleague2], reason="休假"
    )

    assert moved == {colleague: 1, colleague2: 3}
    assert (
        CareTask.objects.filter(assignee=colleague).count()
        == CareTask.objects.filter(assignee=colleague2).count()
    )
    assert sorted(str(user) for user in assignees(tasks)) == ["刘洋", "孙悦", "孙悦", "孙悦"]


def test_move_audits_each_task_and_alerts_each_receiver_after_commit(
    vip_manager,
    colleague,
    colleague2,
    store_manager,
    absent_tasks,
    inbox,
    django_capture_on_commit_callbacks,
):
    inbox.listen(vip_manager, colleague, colleague2, store_manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.move_tasks(
            vip_manager, actor=store_manager, to_users=[colleague, colleague2], reason="休假到周五"
        )
    assert inbox.received() == []  # nothing goes out before the commit

    for callback in callbacks:
        callback()
    pushed = inbox.received()
    assert sorted(str(user) for user, _html in pushed) == ["刘洋", "孙悦"]
    for _user, html in pushed:
        assert "3 care tasks of 王丽 moved to you: 休假到周五" in html
    for receiver in (colleague, colleague2):
        alert = Alert.objects.get(recipient=receiver)
        assert alert.kind == "care_task.moved"
        assert alert.text == "3 care tasks of 王丽 moved to you: 休假到周五"
    entries = AuditEntry.objects.filter(action="care_task.moved")
    assert sorted(int(e.object_id) for e in entries) == sorted(t.pk for t in absent_tasks)
    for entry in entries:
        task = CareTask.objects.get(pk=int(entry.object_id))
        assert entry.data == {"from": vip_manager.pk, "to": task.assignee_id, "reason": "休假到周五"}
        assert entry.actor == store_manager
        assert entry.store_id == task.store_id


def test_moving_to_oneself_alerts_nobody_else(
    vip_manager, store_manager, absent_tasks, inbox, django_capture_on_commit_callbacks
):
    inbox.listen(vip_manager, store_manager)
    with django_capture_on_commit_callbacks(execute=True):
        moved = actions.move_tasks(vip_manager, actor=store_manager, to_users=[store_manager], reason="离职")
    assert inbox.received() == []
    assert moved == {store_manager: len(absent_tasks)}
    assert set(assignees(absent_tasks)) == {store_manager}
    assert not Alert.objects.exists()


def test_move_needs_a_reason(vip_manager, colleague, store_manager, absent_tasks):
    with pytest.raises(ActionRefused, match="Give a reason"):
        actions.move_tasks(vip_manager, actor=store_manager, to_users=[colleague], reason="  ")
    assert set(assignees(absent_tasks)) == {vip_manager}


@pytest.mark.parametrize("receiver", ["other_manager", "front_desk"])
def test_move_only_to_colleagues_who_work_care_tasks_here(
    request, vip_manager, colleague, store_manager, absent_tasks, receiver
):
    refused = request.getfixturevalue(receiver)
    with pytest.raises(ActionRefused, match="does not work care tasks in this store"):
        actions.move_tasks(vip_manager, actor=store_manager, to_users=[colleague, refused], reason="休假")
    assert set(assignees(absent_tasks)) == {vip_manager}
    assert not AuditEntry.objects.exists()
    assert not Alert.objects.exists()


def test_move_from_someone_without_tasks_is_refused(vip_manager, colleague, store_manager):
    with pytest.raises(ActionRefused, match="王丽 has no open tasks to move"):
        actions.move_tasks(vip_manager, actor=store_manager, to_users=[colleague], reason="休假")


def test_move_to_the_absent_colleague_alone_is_refused(vip_manager, store_manager, absent_tasks):
    with pytest.raises(ActionRefused, match="Choose at least one colleague"):
        actions.move_tasks(vip_manager, actor=store_manager, to_users=[vip_manager], reason="休假")
    assert set(assignees(absent_tasks)) == {vip_manager}


@pytest.mark.parametrize("actor", ["colleague", "other_manager"])
def test_only_the_store_manager_moves_tasks(request, vip_manager, colleague2, absent_tasks, actor):
    with pytest.raises(ActionRefused, match="Only the store manager"):
        actions.move_tasks(
            vip_manager, actor=request.getfixturevalue(actor), to_users=[colleague2], reason="休假"
        )
    assert set(assignees(absent_tasks)) == {vip_manager}


# ---- handing out from the pool -------------------------------------------------------------------


def test_hand_out_shares_evenly_and_alerts_each_receiver(
    store, store_manager, vip_manager, colleague, inbox, django_capture_on_commit_callbacks
):
    pool = [make_task(MemberFactory(store=store), None, due=n) for n in range(5)]
    inbox.listen(store_manager, vip_manager, colleague)

    with django_capture_on_commit_callbacks(execute=True):
        given = actions.hand_out_tasks(pool, actor=store_manager, to_users=[vip_manager, colleague])

    assert sorted(given.values()) == [2, 3]
    assert set(assignees(pool)) == {vip_manager, colleague}
    entries = AuditEntry.objects.filter(action="care_task.handed_out")
    assert entries.count() == 5
    assert {entry.data["from"] for entry in entries} == {None}
    assert sorted(Alert.objects.values_list("text", flat=True)) == [
        "陈静 gave you 2 care tasks",
        "陈静 gave you 3 care tasks",
    ]
    assert sorted((str(user), "gave you" in html) for user, html in inbox.received()) == [
        ("刘洋", True),
        ("王丽", True),
    ]


def test_a_task_handed_out_meanwhile_refuses_the_whole_hand_out(store, store_manager, vip_manager, colleague):
    pool = [make_task(MemberFactory(store=store), None) for _ in range(3)]
    # As loaded on the manager's page; then another tablet gives the second one away.
    CareTask.objects.filter(pk=pool[1].pk).update(assignee=colleague)

    with pytest.raises(ActionRefused, match="changed meanwhile; nothing was handed out"):
        actions.hand_out_tasks(pool, actor=store_manager, to_users=[vip_manager])

    assert assignees(pool) == [None, colleague, None]
    assert not AuditEntry.objects.exists()
    assert not Alert.objects.exists()


def test_a_task_closed_meanwhile_refuses_the_hand_out(store, store_manager, vip_manager):
    pool = [make_task(MemberFactory(store=store), None) for _ in range(2)]
    actions.skip_task(pool[0], actor=store_manager, reason="客户要求不要来电")

    with pytest.raises(ActionRefused, match="changed meanwhile"):
        actions.hand_out_tasks(pool, actor=store_manager, to_users=[vip_manager])
    assert assignees(pool) == [None, None]


def test_only_the_store_manager_hands_out(store, vip_manager, colleague, other_manager):
    pool = [make_task(MemberFactory(store=store), None)]
    for actor in (vip_manager, other_manager):
        with pytest.raises(ActionRefused, match="Only the store manager"):
            actions.hand_out_tasks(pool, actor=actor, to_users=[colleague])
    with pytest.raises(ActionRefused, match="Choose the tasks"):
        actions.hand_out_tasks([], actor=vip_manager, to_users=[colleague])
    assert assignees(pool) == [None]


# ---- the outreach pause --------------------------------------------------------------------------


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="王丽华")


def test_a_pause_holds_sales_minded_calls_only(member, vip_manager, store_manager):
    dormant_call = make_task(member, vip_manager, kind=Kind.DORMANT_CALL, period="2025-01-01", due=-3)
    decline_call = make_task(member, None, kind=Kind.DECLINE_CALL, period="2025-Q2")
    care_call = make_task(member, vip_manager, kind=Kind.CARE_CALL, period="2025-05")
    greeting = make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025")

    actions.pause_outreach(member, actor=store_manager, until=days(14), reason="  丧亲，暂停推销  ")

    member = Member.objects.get(pk=member.pk)
    assert (member.outreach_paused_until, member.outreach_pause_reason) == (days(14), "丧亲，暂停推销")
    for held in (dormant_call, decline_call):
        assert fresh(held).state == State.SNOOZED
        assert fresh(held).snoozed_until == days(15)
    for going_on in (care_call, greeting):
        assert fresh(going_on).state == State.OPEN
    entry = AuditEntry.objects.get(action="member.outreach_paused")
    assert entry.actor == store_manager
    assert sorted(entry.data["held_tasks"]) == sorted([dormant_call.pk, decline_call.pk])
    assert AuditEntry.objects.filter(action="care_task.snoozed", data__why="pause").count() == 2


def test_a_pause_also_holds_a_win_back_call_snoozed_to_a_day_inside_it(member, vip_manager):
    # Put off by hand to day 3; a pause until day 10 must not let it open on day 3.
    inside = make_task(
        member,
        vip_manager,
        kind=Kind.DORMANT_CALL,
        period="2025-01-01",
        state=State.SNOOZED,
        snoozed_until=days(3),
    )
    beyond = make_task(
        member,
        vip_manager,
        kind=Kind.DECLINE_CALL,
        period="2025-Q2",
        state=State.SNOOZED,
        snoozed_until=days(20),
    )

    actions.pause_outreach(member, actor=vip_manager, until=days(10), reason="投诉")

    assert (fresh(inside).state, fresh(inside).snoozed_until) == (State.SNOOZED, days(11))
    assert fresh(beyond).snoozed_until == days(20)
    assert AuditEntry.objects.get(action="member.outreach_paused").data["held_tasks"] == [inside.pk]

    actions.resume_outreach(member, actor=vip_manager)
    assert fresh(inside).state == State.OPEN
    assert fresh(beyond).state == State.SNOOZED


def test_a_pause_until_today_is_allowed_but_not_before(member, vip_manager):
    with pytest.raises(ActionRefused, match="today or a later date"):
        actions.pause_outreach(member, actor=vip_manager, until=days(-1), reason="投诉")
    with pytest.raises(ActionRefused, match="reason"):
        actions.pause_outreach(member, actor=vip_manager, until=days(1), reason=" ")
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None
    actions.pause_outreach(member, actor=vip_manager, until=days(0), reason="投诉")
    assert Member.objects.get(pk=member.pk).outreach_paused_until == days(0)


@pytest.mark.parametrize(("persona", "allowed"), [
    ("vip_manager", True), ("complaint_handler", True), ("store_manager", True),
    ("front_desk", False), ("other_manager", False),
])  # fmt: skip
def test_who_may_pause(request, member, persona, allowed):
    actor = request.getfixturevalue(persona)
    if allowed:
        actions.pause_outreach(member, actor=actor, until=days(3), reason="投诉")
        assert Member.objects.get(pk=member.pk).outreach_paused_until == days(3)
    else:
        with pytest.raises(ActionRefused, match="may not"):
            actions.pause_outreach(member, actor=actor, until=days(3), reason="投诉")
        with pytest.raises(ActionRefused, match="may not"):
            actions.resume_outreach(member, actor=actor)
        assert Member.objects.get(pk=member.pk).outreach_paused_until is None


def test_resume_wakes_the_calls_the_pause_held(member, vip_manager):
    overdue = make_task(member, vip_manager, kind=Kind.DORMANT_CALL, period="2025-01-01", due=-3)
    later = make_task(member, vip_manager, kind=Kind.DECLINE_CALL, period="2025-Q2", due=5)
    actions.pause_outreach(member, actor=vip_manager, until=days(10), reason="投诉")
    # Snoozed by hand to a date of its own: not the pause's to end.
    own = make_task(
        member,
        vip_manager,
        kind=Kind.DORMANT_CALL,
        period="2024-01-01",
        state=State.SNOOZED,
        snoozed_until=days(4),
    )

    actions.resume_outreach(member, actor=vip_manager)

    member = Member.objects.get(pk=member.pk)
    assert (member.outreach_paused_until, member.outreach_pause_reason) == (None, "")
    overdue, later, own = fresh(overdue), fresh(later), fresh(own)
    assert (overdue.state, overdue.due_date, overdue.snoozed_until) == (State.OPEN, days(0), None)
    assert (later.state, later.due_date) == (State.OPEN, days(5))
    assert (own.state, own.snoozed_until) == (State.SNOOZED, days(4))
    assert AuditEntry.objects.filter(action="care_task.woken").count() == 2
    assert AuditEntry.objects.filter(action="member.outreach_resumed").count() == 1


def test_resume_without_a_pause_is_refused(member, vip_manager):
    with pytest.raises(ActionRefused, match="not paused"):
        actions.resume_outreach(member, actor=vip_manager)
    assert not AuditEntry.objects.exists()


# ---- the answers each kind closes with -----------------------------------------------------------


def test_a_review_closes_with_its_plan_and_contacts_nobody(member, vip_manager):
    task = make_task(member, vip_manager, kind=Kind.DORMANT_REVIEW, period="2025-01-01")
    with pytest.raises(ActionRefused, match="plan"):
        actions.complete_task(task, actor=vip_manager, note="查过投诉")
    assert fresh(task).state == State.OPEN

    actions.complete_task(task, actor=vip_manager, plan="下周三电话邀约沙龙", note="查过投诉")

    task = fresh(task)
    assert (task.state, task.plan, task.note, task.outcome) == (
        State.DONE,
        "下周三电话邀约沙龙",
        "查过投诉",
        "",
    )
    assert not ContactLog.objects.exists()
    assert AuditEntry.objects.get(action="care_task.done").data == {
        "outcome": "",
        "plan": "下周三电话邀约沙龙",
        "note": "查过投诉",
    }


def test_a_greeting_keeps_the_message_sent(member, vip_manager):
    task = make_task(member, vip_manager, kind=Kind.HOLIDAY_GREETING, period="2025-中秋节", occasion="中秋节")

    actions.complete_task(task, actor=vip_manager, outcome="message_sent", message="王女士，中秋快乐！")

    assert fresh(task).message == "王女士，中秋快乐！"
    contact = ContactLog.objects.get(member=member)
    assert (contact.channel, contact.outcome) == (ContactLog.Channel.MESSAGE, "message_sent")
    # The occasion is the system's summary; the message is what the person sent, kept as typed.
    assert contact.text == "中秋节\n王女士，中秋快乐！"
    assert contact.note == "王女士，中秋快乐！"


def test_a_birthday_gift_is_logged_as_a_gift(member, vip_manager):
    task = make_task(member, vip_manager, kind=Kind.BIRTHDAY_GIFT, period="2025")
    actions.complete_task(task, actor=vip_manager, outcome="gift_given", note="丝巾")
    contact = ContactLog.objects.get(member=member)
    assert (contact.channel, contact.outcome) == (ContactLog.Channel.GIFT, "gift_given")


@pytest.mark.parametrize(("kind", "outcome"), [
    (Kind.NEW_MEMBER_CALL, "message_sent"), (Kind.NEW_MEMBER_CALL, "gift_given"),
    (Kind.BIRTHDAY_GREETING, "gift_given"), (Kind.BIRTHDAY_GIFT, "message_sent"), (Kind.CARE_CALL, ""),
])  # fmt: skip
def test_an_outcome_not_offered_for_the_kind_is_refused(member, vip_manager, kind, outcome):
    task = make_task(member, vip_manager, kind=kind, period="2025")
    with pytest.raises(ActionRefused, match="Choose one of the outcomes offered"):
        actions.complete_task(task, actor=vip_manager, outcome=outcome)
    assert fresh(task).state == State.OPEN
    assert not ContactLog.objects.exists()
