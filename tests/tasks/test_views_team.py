"""The store manager's team view, anyone's list, moving an absent colleague's tasks, and the pool."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concierge.models import Alert, AuditEntry
from concierge.roles import Role
from tasks.models import CareTask
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.helpers import HTMX
from tests.tasks.helpers import assignees, days, make_task, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind
State = CareTask.State


# ---- the team page -------------------------------------------------------------------------------


def staff_row(response, staff):
    row = re.search(
        rf'<li class="staff-row" id="staff-{staff.pk}">(.*?)</li>', response.content.decode(), re.S
    )
    assert row, f"no row for {staff}"
    return unescape(row.group(1))


def staff_figures(response, staff):
    """Overdue, today, next 7 days and done today, as the staff member's row shows them."""
    figures = re.search(r'<dl class="staff-figures">(.*?)</dl>', staff_row(response, staff), re.S).group(1)
    return dict(re.findall(r"<dt>([\w ]+)</dt><dd[^>]*>(\d+)</dd>", figures))


def test_the_team_page_shows_each_persons_day(
    client_for, store, store_manager, vip_manager, colleague, front_desk, other_manager
):
    def task(assignee, due, **fields):
        return make_task(MemberFactory(store=store), assignee, due=due, **fields)

    now = timezone.now()
    for due in (-5, -1, 0, 0, 3, 7, 8):
        task(vip_manager, due)
    task(vip_manager, 0, state=State.DONE, closed_at=now)
    task(vip_manager, -2, state=State.DONE, closed_at=now - dt.timedelta(days=2))
    task(vip_manager, 1, state=State.SNOOZED, snoozed_until=days(2))
    task(colleague, -3)
    task(colleague, 0, state=State.DONE, closed_at=now)
    task(colleague, 0, state=State.DONE, closed_at=now)
    task(None, -1)
    task(None, 2)
    make_task(MemberFactory(store=other_manager.store), other_manager, due=-1)

    response = client_for(store_manager).get(reverse("tasks:team"))

    assert response.status_code == 200

    def figures(overdue, today, upcoming, done):
        return {
            "Overdue": str(overdue),
            "Today": str(today),
            "Next 7 days": str(upcoming),
            "Done today": str(done),
        }

    assert staff_figures(response, vip_manager) == figures(2, 2, 2, 1)
    assert staff_figures(response, colleague) == figures(1, 0, 0, 2)
    assert staff_figures(response, store_manager) == figures(0, 0, 0, 0)
    assert f"?move={vip_manager.pk}" in staff_row(response, vip_manager)
    # Opened on 王丽's row, the move form offers anyone else who works care tasks here.
    opened = client_for(store_manager).get(reverse("tasks:team"), {"move": vip_manager.pk})
    row = staff_row(opened, vip_manager)
    assert 'name="to_users"' not in staff_row(opened, colleague)  # only the opened row has a form
    offered = sorted(int(pk) for pk in re.findall(r'name="to_users" value="(\d+)"', row))
    assert offered == sorted([colleague.pk, store_manager.pk])
    assert "Move 王丽's 8 open tasks to colleagues" in row  # snoozed and later ones too
    assert "Move tasks…" not in staff_row(response, store_manager)  # nothing to move
    page = text(response)
    assert f'id="staff-{front_desk.pk}"' not in page  # front desk works no care tasks
    assert f'id="staff-{other_manager.pk}"' not in page
    assert "1 snoozed" in page
    assert "1 overdue · Hand out ›" in page  # the pool
    for name in ("tasks:message_templates", "tasks:word_lists", "tasks:holidays", "tasks:pool"):
        assert f'href="{reverse(name)}"' in page


def test_the_team_page_query_count_stays_flat(
    client_for, store, store_manager, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            worker = StaffFactory(store=store, roles=[Role.VIP_MANAGER])
            for due in (-1, 0, 2):
                make_task(MemberFactory(store=store), worker, due=due)

    client = client_for(store_manager)
    add(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("tasks:team")).status_code == 200

    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tasks:team"))
    assert response.content.decode().count('<li class="staff-row" id="staff-') == 10


def test_the_team_pages_are_for_the_store_manager(client_for, vip_manager, front_desk, complaint_handler):
    for persona in (vip_manager, front_desk, complaint_handler):
        client = client_for(persona)
        assert client.get(reverse("tasks:team")).status_code == 403
        assert client.get(reverse("tasks:pool")).status_code == 403
        assert client.get(reverse("tasks:staff_tasks", args=[vip_manager.pk])).status_code == 403


def test_the_store_manager_opens_a_colleagues_list(client_for, store, store_manager, vip_manager, colleague):
    mine = make_task(MemberFactory(store=store, name="王丽华"), vip_manager, due=-1)
    make_task(MemberFactory(store=store, name="张三"), colleague)

    response = client_for(store_manager).get(reverse("tasks:staff_tasks", args=[vip_manager.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "王丽's day" in page
    assert "‹ Team tasks" in page
    assert f'id="task-{mine.pk}"' in page
    assert "王丽华" in page
    assert "张三" not in page


def test_staff_of_another_store_are_404(client_for, store_manager, other_manager, vip_manager):
    client = client_for(store_manager)
    other_vip = StaffFactory(store=other_manager.store, roles=[Role.VIP_MANAGER])
    make_task(MemberFactory(store=other_manager.store), other_vip)
    assert client.get(reverse("tasks:staff_tasks", args=[other_vip.pk])).status_code == 404
    assert (
        client.post(
            reverse("tasks:move_tasks", args=[other_vip.pk]), {"to_users": [vip_manager.pk], "reason": "休假"}
        ).status_code
        == 404
    )
    assert CareTask.objects.get().assignee == other_vip
    # And the other store's manager never reaches this store's staff.
    assert (
        client_for(other_manager).get(reverse("tasks:staff_tasks", args=[vip_manager.pk])).status_code == 404
    )


# ---- moving an absent colleague's tasks ----------------------------------------------------------


@pytest.fixture
def absent_tasks(store, vip_manager):
    """王丽's open and snoozed tasks: one member with two of them, two members with one each."""
    regular = MemberFactory(store=store, name="常客")
    return [
        make_task(regular, vip_manager, due=-1),
        make_task(regular, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025", due=4),
        make_task(MemberFactory(store=store), vip_manager, due=0),
        make_task(MemberFactory(store=store), vip_manager, due=1, state=State.SNOOZED, snoozed_until=days(3)),
    ]


def test_moving_shares_an_absent_colleagues_tasks_evenly(
    client_for, store, store_manager, vip_manager, colleague, colleague2, absent_tasks, inbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    closed = make_task(MemberFactory(store=store), vip_manager, state=State.DONE, closed_at=timezone.now())
    inbox.listen(vip_manager, store_manager, colleague, colleague2)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(store_manager).post(
            reverse("tasks:move_tasks", args=[vip_manager.pk]),
            {"to_users": [colleague.pk, colleague2.pk], "reason": "休假到周五"},
            **HTMX,
        )

    assert response.status_code == 200
    given = assignees(absent_tasks)
    assert sorted(str(user) for user in given) == ["刘洋", "刘洋", "孙悦", "孙悦"]
    assert given[0] == given[1]  # a member's tasks stay together
    assert CareTask.objects.get(pk=absent_tasks[3].pk).state == State.SNOOZED
    assert CareTask.objects.get(pk=closed.pk).assignee == vip_manager
    page = text(response)
    assert "4 tasks of 王丽 moved:" in page
    assert "刘洋 2" in page and "孙悦 2" in page

    moved = AuditEntry.objects.filter(action="care_task.moved")
    assert sorted(int(pk) for pk in moved.values_list("object_id", flat=True)) == sorted(
        t.pk for t in absent_tasks
    )
    assert {entry.data["reason"] for entry in moved} == {"休假到周五"}
    assert {entry.actor for entry in moved} == {store_manager}

    for receiver in (colleague, colleague2):
        alert = Alert.objects.get(recipient=receiver)
        assert alert.kind == "care_task.moved"
        assert alert.link == reverse("tasks:my_day")
    assert sorted(str(user) for user, _html in inbox.received()) == ["刘洋", "孙悦"]
    assert not Alert.objects.filter(recipient__in=[vip_manager, store_manager]).exists()


def test_moving_without_a_reason_shows_the_field_error_and_moves_nothing(
    client_for, store_manager, vip_manager, colleague, absent_tasks
):
    response = client_for(store_manager).post(
        reverse("tasks:move_tasks", args=[vip_manager.pk]), {"to_users": [colleague.pk], "reason": ""}, **HTMX
    )

    assert response.status_code == 200
    page = text(response)
    assert "Check the form." in page
    reason_error = "Give a reason for moving the tasks (leave, sick, left the store...)."
    assert f'<p class="field-error" role="alert">{reason_error}</p>' in page
    assert '<div class="move-form">' in page  # the form stays open with what was typed
    assert set(assignees(absent_tasks)) == {vip_manager}
    assert not AuditEntry.objects.filter(action="care_task.moved").exists()
    assert not Alert.objects.exists()


def test_moving_to_someone_of_another_store_is_refused(
    client_for, store_manager, vip_manager, other_manager, absent_tasks
):
    response = client_for(store_manager).post(
        reverse("tasks:move_tasks", args=[vip_manager.pk]), {"to_users": [other_manager.pk], "reason": "休假"}
    )
    assert response.status_code == 200
    assert "is not one of the available choices" in text(response)
    assert set(assignees(absent_tasks)) == {vip_manager}
    assert not Alert.objects.exists()


def test_moving_from_someone_without_tasks_is_refused(client_for, store_manager, vip_manager, colleague):
    response = client_for(store_manager).post(
        reverse("tasks:move_tasks", args=[vip_manager.pk]), {"to_users": [colleague.pk], "reason": "休假"}
    )
    assert response.status_code == 200
    assert "王丽 has no open tasks to move." in text(response)
    assert not AuditEntry.objects.exists()


def test_a_vip_manager_may_not_move_tasks(client_for, vip_manager, colleague, absent_tasks):
    response = client_for(colleague).post(
        reverse("tasks:move_tasks", args=[vip_manager.pk]), {"to_users": [colleague.pk], "reason": "休假"}
    )
    assert response.status_code == 403
    assert set(assignees(absent_tasks)) == {vip_manager}


# ---- the pool ------------------------------------------------------------------------------------


def test_the_pool_lists_the_tasks_without_an_assignee(
    client_for, store, store_manager, vip_manager, other_manager
):
    pooled = make_task(MemberFactory(store=store, name="池中会员"), None, due=-2)
    snoozed = make_task(
        MemberFactory(store=store, name="暂缓会员"), None, state=State.SNOOZED, snoozed_until=days(2)
    )
    make_task(MemberFactory(store=store, name="有人管"), vip_manager)
    make_task(MemberFactory(store=other_manager.store, name="别店会员"), None)

    response = client_for(store_manager).get(reverse("tasks:pool"))

    assert response.status_code == 200
    page = text(response)
    assert "2 tasks in the pool" in page
    for task in (pooled, snoozed):
        assert f'name="tasks" value="{task.pk}"' in page
    assert "池中会员" in page and "暂缓会员" in page
    assert "有人管" not in page
    assert "别店会员" not in page


def test_the_pool_query_count_stays_flat(client_for, store, store_manager, django_assert_max_num_queries):
    tier = TierFactory(name="金卡")

    def add(count):
        for n in range(count):
            make_task(MemberFactory(store=store, tier=tier, value_class="AB"[n % 2]), None, due=n % 5 - 1)

    client = client_for(store_manager)
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tasks:pool"))
    add(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tasks:pool"))
    assert response.content.decode().count('name="tasks" value=') == 27


def test_handing_out_from_the_pool_shares_evenly_and_alerts(
    client_for, store, store_manager, vip_manager, colleague, inbox, django_capture_on_commit_callbacks
):
    pool = [make_task(MemberFactory(store=store), None, due=n) for n in range(4)]
    inbox.listen(store_manager, vip_manager, colleague)
    left = make_task(MemberFactory(store=store, name="留在池中"), None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(store_manager).post(
            reverse("tasks:hand_out"),
            {"tasks": [t.pk for t in pool], "to_users": [vip_manager.pk, colleague.pk]},
            **HTMX,
        )

    assert response.status_code == 200
    page = text(response)
    assert "4 tasks handed out:" in page
    assert sorted(str(user) for user in assignees(pool)) == ["刘洋", "刘洋", "王丽", "王丽"]
    assert assignees([left]) == [None]
    assert "留在池中" in page  # still in the pool list
    assert AuditEntry.objects.filter(action="care_task.handed_out").count() == 4
    assert Alert.objects.filter(recipient=vip_manager).get().text == "陈静 gave you 2 care tasks"
    assert Alert.objects.filter(recipient=colleague).count() == 1
    assert sorted(str(user) for user, _html in inbox.received()) == ["刘洋", "王丽"]


def test_a_task_handed_out_meanwhile_refuses_the_whole_hand_out(
    client_for, store, store_manager, vip_manager, colleague
):
    first, second = (make_task(MemberFactory(store=store), None) for _ in range(2))
    # Another tablet gave the second task away after this page was loaded.
    CareTask.objects.filter(pk=second.pk).update(assignee=colleague)

    response = client_for(store_manager).post(
        reverse("tasks:hand_out"), {"tasks": [first.pk, second.pk], "to_users": [vip_manager.pk]}, **HTMX
    )

    assert response.status_code == 200
    page = text(response)
    assert "Check the form." in page
    assert f"{second.pk} is not one of the available choices" in page
    assert assignees([first, second]) == [None, colleague]
    assert not AuditEntry.objects.exists()
    assert not Alert.objects.exists()


def test_handing_out_without_choosing_says_so(client_for, store, store_manager):
    task = make_task(MemberFactory(store=store), None)
    response = client_for(store_manager).post(reverse("tasks:hand_out"), {"tasks": [task.pk]}, **HTMX)
    assert '<p class="field-error" role="alert">Choose at least one colleague.</p>' in text(response)
    assert assignees([task]) == [None]
