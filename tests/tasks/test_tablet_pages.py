"""The care tasks on the tablet pages: the next task on My VIPs, notes within their limit, the team
chart, and the demo's week of finished work."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concierge import actions as core_actions
from concierge.management.commands.seed_demo import STORE_CODE
from concierge.models import Assignment, ContactLog, Staff, Store
from concierge.roles import Role
from tasks.models import CareTask
from tasks.views.team import chart_axis
from tests.factories import MemberFactory, TierFactory
from tests.helpers import HTMX
from tests.tasks.helpers import fresh, make_task, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Kind = CareTask.Kind


@pytest.fixture
def member(store, store_manager, vip_manager):
    member = MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), name="王丽华")
    core_actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    return member


def vip_row(content, member):
    row = content[content.index(f'<a class="vip-open" href="/members/{member.pk}/">') :]
    return row[: row.index("</a>")]


# ---- My VIPs: the next care task ----------------------------------------------------------------


def test_my_vips_shows_the_next_open_care_task_of_the_user(client_for, vip_manager, colleague, member):
    make_task(member, vip_manager, kind=Kind.CARE_CALL, due=3, period="2026-12")
    make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, due=1, period="2026")
    make_task(member, colleague, kind=Kind.DORMANT_REVIEW, due=0, period="x")  # someone else's
    done = make_task(member, vip_manager, kind=Kind.NEW_MEMBER_CALL, due=-1, period="first")
    CareTask.objects.filter(pk=done.pk).update(state=CareTask.State.DONE)

    row = vip_row(client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode(), member)

    assert "Birthday greeting" in row
    assert "Tomorrow" in row
    assert "Monthly care call" not in row
    assert "Dormant review" not in row
    assert "New-member call" not in row


def test_a_late_task_shows_how_late(client_for, vip_manager, member):
    make_task(member, vip_manager, kind=Kind.CARE_CALL, due=-2, period="2026-11")
    row = vip_row(client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode(), member)
    assert "Monthly care call" in row
    assert '<span class="due-chip due-late">2 days late</span>' in row


def test_the_next_tasks_cost_one_query_for_the_whole_book(
    client_for, store, store_manager, vip_manager, member, django_assert_max_num_queries
):
    client = client_for(vip_manager)
    make_task(member, vip_manager, kind=Kind.CARE_CALL, due=1, period="p")
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("concierge:my_vips"))
    tier = member.tier
    for n in range(15):
        other = MemberFactory(store=store, tier=tier)
        core_actions.assign_member(other, vip_manager, actor=store_manager, direct=True)
        make_task(other, vip_manager, kind=Kind.CARE_CALL, due=n % 4, period="p")
        make_task(other, vip_manager, kind=Kind.BIRTHDAY_GREETING, due=n % 3, period="q")
    with django_assert_max_num_queries(len(one.captured_queries)):
        content = client.get(reverse("concierge:my_vips")).content.decode()
    assert content.count('class="due-chip') == 16


# ---- notes: a counter, and too long is refused, never cut ---------------------------------------------


def test_a_contact_note_over_2000_characters_is_refused_and_nothing_is_written(
    client_for, vip_manager, member
):
    client = client_for(vip_manager)
    response = client.post(
        reverse("concierge:add_contact", args=[member.pk]),
        {"channel": "phone", "outcome": "reached", "note": "长" * 2001},
        **HTMX,
    )
    content = text(response)
    assert response.status_code == 200
    assert "Keep it to 2000 characters: this text has 2001." in content
    # The text comes back whole, for the user to shorten.
    assert "长" * 2001 in content
    assert not ContactLog.objects.filter(member=member).exists()


def test_a_note_of_2000_characters_with_line_breaks_counts_as_the_page_counts(
    client_for, vip_manager, member
):
    note = ("一" * 9 + "\r\n") * 200  # 2000 characters as typed; 2200 as sent
    response = client_for(vip_manager).post(
        reverse("concierge:add_contact", args=[member.pk]),
        {"channel": "phone", "outcome": "reached", "note": note},
    )
    assert response.status_code == 302
    assert len(ContactLog.objects.get(member=member).note) == 2000 - 1  # the last line break is trimmed


def test_the_note_fields_show_a_counter_and_no_browser_cut(client_for, vip_manager, member):
    content = (
        client_for(vip_manager).get(reverse("concierge:member_detail", args=[member.pk])).content.decode()
    )
    area = re.search(r"<textarea[^>]*name=\"note\"[^>]*>", content).group(0)
    assert 'data-maxlength="2000"' in area
    assert "maxlength=" not in area.replace("data-maxlength=", "")
    assert 'data-counter-for="id_note"' in content
    assert "<span data-count>0</span> / 2000" in content
    assert "js/app.js" in content


def test_a_handover_note_over_the_limit_is_refused(client_for, vip_manager, colleague, member):
    assignment = Assignment.objects.get(member=member)
    response = client_for(vip_manager).post(
        reverse("concierge:request_handover", args=[assignment.pk]),
        {"colleague": colleague.pk, "note": "a" * 2001},
        **HTMX,
    )
    content = text(response)
    assert "Keep it to 2000 characters: this text has 2001." in content
    assert f'data-counter-for="handover{assignment.pk}_note"' in content
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE


@pytest.mark.parametrize("field", ["note", "message"])
def test_a_care_task_note_over_the_limit_is_refused_and_the_task_stays_open(
    client_for, vip_manager, member, field
):
    task = make_task(member, vip_manager, kind=Kind.HOLIDAY_GREETING, period="中秋")
    response = client_for(vip_manager).post(
        reverse("tasks:complete", args=[task.pk]),
        {"page": "panel", "from": "day", "outcome": "message_sent", field: "b" * 2001},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Keep it to 2000 characters: this text has 2001." in text(response)
    assert fresh(task).state == CareTask.State.OPEN
    assert not ContactLog.objects.filter(member=member).exists()


def test_long_member_notes_are_clamped_with_show_more(client_for, store, vip_manager, member):
    client = client_for(vip_manager)
    member.notes = "喜欢安静的购物环境。" * 40
    member.save()
    content = client.get(reverse("concierge:member_detail", args=[member.pk])).content.decode()
    assert 'class="clamp note-text" data-clamp' in content
    assert 'for="clamp-member-notes"' in content and "Show more" in content

    member.notes = "周末下午来店"
    member.save()
    content = client.get(reverse("concierge:member_detail", args=[member.pk])).content.decode()
    assert "周末下午来店" in content
    assert "clamp-member-notes" not in content


# ---- the team chart ------------------------------------------------------------------------------------


def test_the_chart_scale_is_round():
    assert chart_axis(0)["top"] == 1
    assert chart_axis(9) == {
        "top": 10,
        "steps": 5,
        "ticks": [(0, 0.0), (2, 20.0), (4, 40.0), (6, 60.0), (8, 80.0), (10, 100.0)],
    }
    assert [value for value, _ in chart_axis(17)["ticks"]] == [0, 5, 10, 15, 20]


def test_the_team_chart_has_axes_values_and_a_legend(client_for, store, store_manager, vip_manager, member):
    for n in range(3):
        make_task(member, vip_manager, kind=Kind.CARE_CALL, due=-1, period=f"late{n}")
    make_task(member, vip_manager, kind=Kind.BIRTHDAY_GREETING, due=0, period="today")
    done = make_task(member, vip_manager, kind=Kind.NEW_MEMBER_CALL, due=-3, period="done")
    CareTask.objects.filter(pk=done.pk).update(
        state=CareTask.State.DONE, closed_at=timezone.now() - dt.timedelta(days=2)
    )

    content = text(client_for(store_manager).get(reverse("tasks:team")))
    chart = content[content.index('class="team-chart"') : content.index('aria-labelledby="staff-title"')]

    assert "Done, last 7 days" in content and "Due today" in content  # the legend
    assert '<span class="chart-axis-name">Staff</span>' in chart
    assert "Care tasks" in chart and "Total" in chart
    assert 'part-done" data-bar-width="20.0%"><span class="bar-num">1</span>' in chart
    assert 'part-today" data-bar-width="20.0%"><span class="bar-num">1</span>' in chart
    assert 'part-overdue" data-bar-width="60.0%"><span class="bar-num">3</span>' in chart
    assert '<span class="chart-total">5</span>' in chart
    assert re.findall(r'class="chart-tick"[^>]*>(\d+)<', chart) == ["0", "1", "2", "3", "4", "5"]
    assert "王丽: 1 done in the last 7 days, 1 due today, 3 overdue" in chart


def test_the_demo_has_a_week_of_finished_care_for_each_vip_manager(db):
    call_command("seed_demo", verbosity=0)
    store = Store.objects.get(code=STORE_CODE)
    week_start = timezone.localdate() - dt.timedelta(days=6)
    done = {}
    for manager in Staff.objects.filter(store=store, groups__name=Role.VIP_MANAGER.value):
        tasks = CareTask.objects.filter(assignee=manager, state=CareTask.State.DONE)
        assert all(timezone.localtime(task.closed_at).date() >= week_start for task in tasks)
        assert all(task.closed_at <= timezone.now() for task in tasks)
        # Each one is in the member's contact log too, as working the task would have left it.
        for task in tasks:
            assert ContactLog.objects.filter(
                member=task.member, staff=manager, contacted_at=task.closed_at
            ).exists()
        done[manager.username] = tasks.count()
    assert set(done) == {"vip1", "vip2", "vip3"}
    assert all(done.values())
    assert len(set(done.values())) == 3  # different, so the chart tells them apart
