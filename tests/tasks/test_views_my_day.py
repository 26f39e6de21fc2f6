"""My day, the task panel and the two-tap outcomes, through the test client."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, ContactLog
from tasks import actions
from tasks.models import CareTask
from tasks.views.my_day import PAGE_SIZE
from tests.factories import (
    ContactLogFactory,
    MemberFactory,
    PurchaseFactory,
    TierFactory,
)
from tests.helpers import HTMX
from tests.tasks.helpers import days, fresh, make_task, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind
State = CareTask.State


def row_ids(response):
    return [int(pk) for pk in re.findall(r'id="task-(\d+)"', response.content.decode())]


def count_of(response, label):
    found = re.search(rf"<dt>{label}</dt><dd>(\d+)</dd>", response.content.decode())
    assert found, f"no count {label!r} on the page"
    return int(found.group(1))


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="王丽华", value_class="A")


# ---- the list ------------------------------------------------------------------------------------


def test_my_day_lists_only_my_open_tasks_of_the_coming_week(
    client_for, store, vip_manager, colleague, store_manager
):
    def task(name, assignee, due, **fields):
        return make_task(MemberFactory(store=store, name=name), assignee, due=due, **fields)

    mine = [
        task("逾期会员", vip_manager, -20),
        task("今天会员", vip_manager, 0),
        task("下周会员", vip_manager, 7),
    ]
    task("太远会员", vip_manager, 8)
    task("同事会员", colleague, 0)
    task("店长会员", store_manager, 0)
    task("池中会员", None, 0)
    task("已完成会员", vip_manager, 0, state=State.DONE, closed_at=timezone.now())
    task("已跳过会员", vip_manager, 0, state=State.SKIPPED, closed_at=timezone.now())
    task("暂缓会员", vip_manager, 0, state=State.SNOOZED, snoozed_until=days(3))

    response = client_for(vip_manager).get(reverse("tasks:my_day"))
    assert response.status_code == 200
    assert sorted(row_ids(response)) == sorted(t.pk for t in mine)
    page = text(response)
    for name in ("逾期会员", "今天会员", "下周会员"):
        assert name in page
    for name in ("太远会员", "同事会员", "店长会员", "池中会员", "已完成会员", "已跳过会员", "暂缓会员"):
        assert name not in page
    assert "1 task snoozed" in page


def test_my_day_ranks_overdue_then_today_then_coming_up_and_by_value_class(client_for, store, vip_manager):
    def task(value_class, due):
        return make_task(MemberFactory(store=store, value_class=value_class), vip_manager, due=due)

    # Created in a shuffled order so that neither the pk nor the creation order explains the ranking.
    soon_c = task("C", 1)
    today_b = task("B", 0)
    late_c = task("C", -1)
    soon_a_later = task("A", 5)
    today_a = task("A", 0)
    late_a = task("A", -2)
    soon_a = task("A", 2)
    late_b_older = task("B", -9)
    late_b = task("B", -3)
    today_unclassed = task("", 0)

    response = client_for(vip_manager).get(reverse("tasks:my_day"))

    assert row_ids(response) == [
        t.pk
        for t in (
            late_a,
            late_b_older,  # same class: the older one first
            late_b,
            late_c,
            today_a,
            today_b,
            today_unclassed,
            soon_a,
            soon_a_later,
            soon_c,
        )
    ]
    groups = re.findall(r'class="task-group task-group-(\d)"[^>]*>\s*([\w ]+?)\s*</li>', text(response))
    assert groups == [("0", "Overdue"), ("1", "Today"), ("2", "Coming up")]


def test_my_day_counts(client_for, store, vip_manager, colleague):
    def task(due, assignee=vip_manager, **fields):
        return make_task(MemberFactory(store=store), assignee, due=due, **fields)

    task(-3)
    task(-1)
    task(0)
    task(1)
    task(6)
    task(7)
    task(9)  # beyond the week: not counted
    task(-1, assignee=colleague)  # someone else's
    now = timezone.now()
    task(0, state=State.DONE, closed_at=now, closed_by=vip_manager)
    task(0, state=State.SKIPPED, closed_at=now, closed_by=vip_manager)  # skipped is not done
    task(-1, state=State.DONE, closed_at=now - dt.timedelta(days=1))  # done yesterday

    response = client_for(vip_manager).get(reverse("tasks:my_day"))

    assert count_of(response, "Overdue") == 2
    assert count_of(response, "Due today") == 1
    assert count_of(response, "Next 7 days") == 3
    assert count_of(response, "Done today") == 1


def test_my_day_query_count_stays_flat_as_tasks_grow(
    client_for, store, vip_manager, django_assert_max_num_queries
):
    tier = TierFactory(name="金卡")

    def add(count, start):
        for n in range(count):
            member = MemberFactory(store=store, tier=tier, value_class="ABC"[n % 3])
            make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, due=(start + n) % 8 - 2)

    client = client_for(vip_manager)
    add(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert len(row_ids(client.get(reverse("tasks:my_day")))) == 2

    add(20, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tasks:my_day"))
    assert len(row_ids(response)) == 22
    assert "金卡" in text(response)


def test_show_more_answers_the_next_rows_only(client_for, store, vip_manager):
    for member in MemberFactory.create_batch(PAGE_SIZE + 2, store=store):
        make_task(member, vip_manager, due=1)
    client = client_for(vip_manager)

    first = client.get(reverse("tasks:my_day"))
    assert len(row_ids(first)) == PAGE_SIZE
    more_url = reverse("tasks:my_day") + f"?offset={PAGE_SIZE}"
    assert more_url in text(first)
    assert "Show more tasks" in text(first)

    rest = client.get(more_url, **HTMX)
    assert rest.status_code == 200
    content = rest.content.decode()
    assert "<html" not in content
    assert 'id="day-list"' not in content
    assert len(row_ids(rest)) == 2
    assert set(row_ids(rest)).isdisjoint(row_ids(first))
    assert "Show more tasks" not in content


def test_a_group_running_on_to_the_next_page_gets_no_second_heading(client_for, store, vip_manager):
    for member in MemberFactory.create_batch(PAGE_SIZE + 2, store=store):
        make_task(member, vip_manager, due=0)
    make_task(MemberFactory(store=store), vip_manager, due=3)
    client = client_for(vip_manager)

    first = text(client.get(reverse("tasks:my_day")))
    assert first.count('class="task-group task-group-1"') == 1
    rest = text(client.get(reverse("tasks:my_day") + f"?offset={PAGE_SIZE}", **HTMX))
    assert 'class="task-group task-group-1"' not in rest  # "Today" goes on from the first page
    assert rest.count('class="task-group task-group-2"') == 1  # "Coming up" starts here


# ---- the task panel ------------------------------------------------------------------------------


@pytest.fixture
def cheat_member(store):
    return MemberFactory(
        store=store,
        name="王丽华",
        value_class="A",
        tier=TierFactory(name="金卡"),
        preferences="喜欢真丝围巾",
        phone="13812345678",
    )


def test_the_panel_is_the_members_cheat_sheet(client_for, vip_manager, colleague, cheat_member):
    task = make_task(cheat_member, vip_manager)
    make_task(cheat_member, colleague, kind=Kind.DORMANT_REVIEW, due=3, period="2025")
    PurchaseFactory(member=cheat_member, amount=Decimal("2680.00"))
    ContactLogFactory(member=cheat_member, staff=colleague, note="上次聊到新品")
    cheat_member.outreach_paused_until = days(10)
    cheat_member.outreach_pause_reason = "投诉处理中"
    cheat_member.save()

    response = client_for(vip_manager).get(reverse("tasks:task_detail", args=[task.pk]), **HTMX)

    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert "王丽华" in page
    assert "金卡" in page
    assert "Class A · key" in page
    assert "喜欢真丝围巾" in page
    assert "¥2,680" in page
    assert "Phone call · Reached · 刘洋" in page
    assert "上次聊到新品" in page
    assert f"Also open: Dormant review, due {days(3).isoformat()} (刘洋)" in page
    assert f"Outreach paused until {days(10).isoformat()}: 投诉处理中" in page
    assert 'href="tel:13812345678"' in page
    assert 'name="score" value="4"' in page
    assert 'name="message"' not in page  # a call has no message to draft


def test_the_panel_without_anything_on_record(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    page = text(client_for(vip_manager).get(reverse("tasks:task_detail", args=[task.pk]), **HTMX))
    assert "No purchases on record." in page
    assert "No contact recorded yet." in page
    assert "Open matters" not in page


def test_the_task_page_without_htmx_is_a_full_page(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    response = client_for(vip_manager).get(reverse("tasks:task_detail", args=[task.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "<html" in page
    assert "‹ My day" in page
    # On its own page the forms say so, and a completion leads back to the list.
    assert '<input type="hidden" name="page" value="detail">' in page
    assert "王丽华" in page


# ---- completing from the panel -------------------------------------------------------------------


def complete(client, task, **data):
    return client.post(
        reverse("tasks:complete", args=[task.pk]), {"page": "panel", "from": "day", **data}, **HTMX
    )


def test_a_score_button_completes_a_new_member_call(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    other = make_task(MemberFactory(store=member.store, name="张三"), vip_manager, due=1)

    response = complete(client_for(vip_manager), task, score="4", suggestions="停车难")

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#day-list"
    page = text(response)
    assert 'id="day-list"' in page
    assert "王丽华: New-member call done. It is in the member's contact log." in page
    assert row_ids(response) == [other.pk]
    task = fresh(task)
    assert task.state == State.DONE
    assert task.satisfaction == 4
    assert task.outcome == "reached"
    assert task.closed_by == vip_manager
    contact = ContactLog.objects.get(member=member)
    assert (contact.channel, contact.outcome, contact.staff) == ("phone", "reached", vip_manager)
    assert "4/5" in contact.text
    assert "停车难" in contact.note


def test_reached_without_a_score_is_refused_in_the_panel(client_for, vip_manager, member):
    task = make_task(member, vip_manager)

    response = complete(client_for(vip_manager), task, outcome="reached")

    assert response.status_code == 200
    assert "HX-Retarget" not in response
    page = text(response)
    assert "Check the answers below." in page
    assert '<p class="field-error" role="alert">Ask how satisfied the member is (1 to 5).</p>' in page
    assert 'class="tap-group has-error"' in page
    assert fresh(task).state == State.OPEN
    assert not ContactLog.objects.exists()
    assert not AuditEntry.objects.filter(action="care_task.done").exists()


def test_not_reached_completes_a_call(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    complete(client_for(vip_manager), task, outcome="not_reached")
    task = fresh(task)
    assert task.state == State.DONE
    assert task.outcome == "not_reached"
    assert task.satisfaction is None
    assert ContactLog.objects.get(member=member).outcome == "not_reached"


def test_a_reason_button_completes_a_dormant_call(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.DORMANT_CALL, period="2025-01-01")

    client = client_for(vip_manager)
    panel = text(client.get(reverse("tasks:task_detail", args=[task.pk]), **HTMX))
    assert 'name="why" value="moved"' in panel
    assert 'name="message"' in panel  # the "long time no see" draft, for when they are not reached

    # The draft travels with every button of the form; reached on the phone, no message was sent.
    response = complete(client, task, why="moved", plan="寄送新品目录", message="好久不见")

    assert response["HX-Retarget"] == "#day-list"
    task = fresh(task)
    assert task.state == State.DONE
    assert (task.outcome, task.dormant_reason, task.plan, task.message) == (
        "reached",
        "moved",
        "寄送新品目录",
        "",
    )
    contact = ContactLog.objects.get(member=member)
    assert contact.channel == ContactLog.Channel.PHONE
    assert "Moved away" in contact.text
    assert "寄送新品目录" in contact.note
    assert "好久不见" not in contact.note


def test_a_dormant_call_not_reached_sends_the_message(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.DORMANT_CALL, period="2025-01-01")

    complete(client_for(vip_manager), task, outcome="message_sent", message="王女士，好久不见！")

    task = fresh(task)
    assert (task.state, task.outcome, task.dormant_reason) == (State.DONE, "message_sent", "")
    assert task.message == "王女士，好久不见！"
    contact = ContactLog.objects.get(member=member)
    assert contact.channel == ContactLog.Channel.MESSAGE
    assert "王女士，好久不见！" in contact.note


def test_a_dormant_review_needs_a_plan_and_contacts_nobody(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.DORMANT_REVIEW, period="2025-01-01")
    client = client_for(vip_manager)

    refused = complete(client, task, outcome="", note="查过投诉")
    assert refused.status_code == 200
    assert "Write down the plan: when and how to get in touch." in text(refused)
    assert fresh(task).state == State.OPEN

    done = complete(client, task, outcome="", plan="下周三电话邀约沙龙")
    assert "王丽华: Dormant review done." in text(done)
    assert "contact log" not in text(done)
    task = fresh(task)
    assert task.state == State.DONE
    assert task.plan == "下周三电话邀约沙龙"
    assert not ContactLog.objects.exists()


def test_a_greeting_records_the_message_sent(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025")
    client = client_for(vip_manager)
    panel = text(client.get(reverse("tasks:task_detail", args=[task.pk]), **HTMX))
    assert 'name="message"' in panel  # the draft is part of the completion form

    complete(client, task, outcome="message_sent", message="王女士，生日快乐！")

    task = fresh(task)
    assert task.state == State.DONE
    assert task.message == "王女士，生日快乐！"
    contact = ContactLog.objects.get(member=member)
    assert contact.channel == ContactLog.Channel.MESSAGE
    assert contact.outcome == "message_sent"
    assert "王女士，生日快乐！" in contact.note


def test_a_greeting_done_by_phone_keeps_no_unsent_draft(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025")

    complete(client_for(vip_manager), task, outcome="reached", message="王女士，生日快乐！")

    task = fresh(task)
    assert (task.state, task.outcome, task.message) == (State.DONE, "reached", "")
    contact = ContactLog.objects.get(member=member)
    assert contact.channel == ContactLog.Channel.PHONE
    assert "生日快乐" not in contact.note


def test_an_outcome_not_offered_for_the_kind_is_refused(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, period="2025")
    response = complete(client_for(vip_manager), task, outcome="gift_given")
    assert response.status_code == 200
    assert "is not one of the available choices" in text(response)
    assert fresh(task).state == State.OPEN
    assert not ContactLog.objects.exists()


def test_completing_on_the_tasks_own_page_redirects_to_the_list(client_for, vip_manager, member):
    first = make_task(member, vip_manager)
    second = make_task(member, vip_manager, kind=Kind.CARE_CALL, period="2025-05")
    client = client_for(vip_manager)

    by_htmx = client.post(
        reverse("tasks:complete", args=[first.pk]), {"page": "detail", "outcome": "not_reached"}, **HTMX
    )
    assert by_htmx.status_code == 200
    assert by_htmx["HX-Redirect"] == reverse("tasks:my_day")
    assert fresh(first).state == State.DONE

    plain = client.post(reverse("tasks:complete", args=[second.pk]), {"page": "detail", "outcome": "reached"})
    assert plain.status_code == 302
    assert plain.url == reverse("tasks:my_day")
    assert fresh(second).state == State.DONE
    followed = text(client.get(plain.url))
    assert "王丽华: Monthly care call done." in followed


def test_a_second_completion_says_who_closed_it(client_for, vip_manager, store_manager, member):
    task = make_task(member, vip_manager)
    actions.complete_task(task, actor=store_manager, outcome="not_reached")
    closed_at = timezone.localtime(fresh(task).closed_at).strftime("%H:%M")

    response = complete(client_for(vip_manager), task, score="5")

    assert response.status_code == 200
    assert f"Already “Done”: 陈静 at {closed_at}." in text(response)
    task = fresh(task)
    assert task.closed_by == store_manager
    assert task.satisfaction is None
    assert ContactLog.objects.count() == 1


# ---- snooze and skip -----------------------------------------------------------------------------


@pytest.mark.parametrize("until", [-1, 0])
def test_snoozing_to_today_or_earlier_is_refused(client_for, vip_manager, member, until):
    task = make_task(member, vip_manager)
    response = client_for(vip_manager).post(
        reverse("tasks:snooze", args=[task.pk]), {"page": "panel", "until": days(until).isoformat()}, **HTMX
    )
    assert response.status_code == 200
    page = text(response)
    assert "Check the date." in page
    assert '<p class="field-error" role="alert">Choose a date after today.</p>' in page
    assert fresh(task).state == State.OPEN


def test_snoozing_until_tomorrow_takes_it_off_the_list(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    response = client_for(vip_manager).post(
        reverse("tasks:snooze", args=[task.pk]), {"page": "panel", "until": days(1).isoformat()}, **HTMX
    )
    assert response["HX-Retarget"] == "#day-list"
    assert row_ids(response) == []
    assert f"王丽华: New-member call put off until {days(1).isoformat()}." in text(response)
    task = fresh(task)
    assert task.state == State.SNOOZED
    assert task.snoozed_until == days(1)


def test_the_quick_snooze_buttons_are_a_form_of_their_own(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    client = client_for(vip_manager)
    panel = text(client.get(reverse("tasks:task_detail", args=[task.pk]), **HTMX))
    # Each quick date sits in a form without the date field, so a plain submit sends one "until".
    quick = panel[panel.index('<form class="tap-row"') :]
    quick = quick[: quick.index("</form>")]
    assert f'name="until" value="{days(7).isoformat()}"' in quick
    assert 'type="date"' not in quick

    client.post(reverse("tasks:snooze", args=[task.pk]), {"until": days(7).isoformat()})
    assert fresh(task).snoozed_until == days(7)


def test_skip_needs_a_reason(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    client = client_for(vip_manager)

    refused = client.post(reverse("tasks:skip", args=[task.pk]), {"page": "panel", "reason": ""}, **HTMX)
    assert refused.status_code == 200
    assert '<p class="field-error" role="alert">Give a reason for skipping.</p>' in text(refused)
    assert fresh(task).state == State.OPEN

    done = client.post(
        reverse("tasks:skip", args=[task.pk]), {"page": "panel", "reason": "客户要求不要来电"}, **HTMX
    )
    assert "王丽华: New-member call skipped." in text(done)
    task = fresh(task)
    assert task.state == State.SKIPPED
    assert task.skip_reason == "客户要求不要来电"


# ---- who may -------------------------------------------------------------------------------------


def test_front_desk_has_no_day(client_for, front_desk):
    assert client_for(front_desk).get(reverse("tasks:my_day")).status_code == 403


def test_a_colleagues_task_and_another_stores_are_404(
    client_for, vip_manager, colleague, member, other_manager
):
    theirs = make_task(member, colleague)
    elsewhere = make_task(MemberFactory(store=other_manager.store), other_manager)
    client = client_for(vip_manager)
    for task in (theirs, elsewhere):
        assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 404
        assert (
            client.post(reverse("tasks:complete", args=[task.pk]), {"outcome": "not_reached"}).status_code
            == 404
        )
        assert client.post(reverse("tasks:skip", args=[task.pk]), {"reason": "x"}).status_code == 404
        assert fresh(task).state == State.OPEN


def test_the_store_manager_works_a_colleagues_task_and_sees_their_list(
    client_for, store_manager, vip_manager, member
):
    task = make_task(member, vip_manager)
    still_open = make_task(MemberFactory(store=member.store, name="张三"), vip_manager, due=2)
    client = client_for(store_manager)
    assert client.get(reverse("tasks:task_detail", args=[task.pk]), **HTMX).status_code == 200

    response = complete(client, task, score="3")

    assert fresh(task).state == State.DONE
    assert fresh(task).closed_by == store_manager
    page = text(response)
    assert "王丽's day" in page
    assert f'hx-get="{reverse("tasks:staff_tasks", args=[vip_manager.pk])}"' in page
    assert row_ids(response) == [still_open.pk]


def test_another_stores_manager_gets_404(client_for, other_manager, vip_manager, member):
    task = make_task(member, vip_manager)
    client = client_for(other_manager)
    assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 404
    assert (
        client.post(reverse("tasks:complete", args=[task.pk]), {"outcome": "not_reached"}).status_code == 404
    )
    assert fresh(task).state == State.OPEN


# ---- navigation and home -------------------------------------------------------------------------


def nav_labels(response):
    return [item.label for item in response.context["nav_items"]]


def test_the_vip_manager_has_my_day_and_the_store_manager_team_tasks(
    client_for, vip_manager, store_manager, front_desk
):
    mine = client_for(vip_manager).get(reverse("tasks:my_day"))
    assert "My day" in nav_labels(mine)
    assert "Team tasks" not in nav_labels(mine)
    assert f'href="{reverse("tasks:team")}"' not in mine.content.decode()

    # The store manager's own tasks are a row of the team view: the header links there only.
    boss = client_for(store_manager).get(reverse("tasks:team"))
    assert "Team tasks" in nav_labels(boss)
    assert "My day" not in nav_labels(boss)

    desk = client_for(front_desk).get(reverse("concierge:member_search"))
    assert not {"My day", "Team tasks"} & set(nav_labels(desk))


def test_home_is_my_day_for_a_vip_manager_and_the_overview_for_the_store_manager(
    client_for, vip_manager, store_manager, front_desk
):
    assert client_for(vip_manager).get("/").url == reverse("tasks:my_day")
    assert client_for(store_manager).get("/").url == reverse("concierge:overview")
    assert client_for(front_desk).get("/").url == reverse("concierge:board")
