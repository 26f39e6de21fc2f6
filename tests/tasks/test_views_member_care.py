"""The care card on the member profile: open and recent care tasks, and the outreach pause."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, Member
from concierge.roles import Role
from tasks.models import CareTask
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX
from tests.tasks.helpers import days, fresh, make_task, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind
State = CareTask.State


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="王丽华")


@pytest.fixture
def dormant_call(member, vip_manager):
    return make_task(member, vip_manager, kind=Kind.DORMANT_CALL, period="2025-01-01", due=-1)


def profile(client, member):
    return client.get(reverse("concierge:member_detail", args=[member.pk]))


def pause(client, member, until, reason="投诉处理中", **headers):
    return client.post(
        reverse("tasks:pause_outreach", args=[member.pk]),
        {"until": until.isoformat(), "reason": reason},
        **headers,
    )


# ---- the card ------------------------------------------------------------------------------------


def test_the_care_card_shows_open_and_recent_tasks(client_for, member, vip_manager, store_manager):
    make_task(member, vip_manager, due=2)
    make_task(
        member,
        None,
        kind=Kind.DORMANT_REVIEW,
        period="2025",
        due=5,
        state=State.SNOOZED,
        snoozed_until=days(6),
    )
    make_task(
        member,
        vip_manager,
        kind=Kind.CARE_CALL,
        period="2025-04",
        due=-30,
        state=State.DONE,
        outcome="reached",
        closed_at=timezone.now() - dt.timedelta(days=30),
        closed_by=store_manager,
    )
    make_task(
        member,
        vip_manager,
        kind=Kind.DORMANT_CALL,
        period="2024-01-01",
        due=-60,
        state=State.SKIPPED,
        skip_reason="客户要求不要来电",
        closed_at=timezone.now() - dt.timedelta(days=60),
        closed_by=vip_manager,
    )
    make_task(MemberFactory(store=member.store, name="别人"), vip_manager, kind=Kind.CARE_CALL, period="x")

    response = profile(client_for(vip_manager), member)

    assert response.status_code == 200
    page = text(response)
    assert 'id="care"' in page
    assert re.search(
        rf"New-member call</strong>\s*<small class=\"muted\">due {days(2).isoformat()} · 王丽<", page
    )
    assert f"snoozed until {days(6).isoformat()} · pool" in page
    recent = page[page.index("Recently") :]
    assert "Monthly care call · Done (Reached) · 陈静" in recent
    assert "Dormant call · Skipped · 王丽" in recent
    assert "客户要求不要来电" in recent
    assert recent.index("Monthly care call") < recent.index("Dormant call")  # latest first
    assert "Pause outreach…" in page


def test_front_desk_sees_no_care_card_and_may_not_pause(client_for, front_desk, member, dormant_call):
    client = client_for(front_desk)
    page = text(profile(client, member))
    assert "王丽华" in page
    assert 'id="care"' not in page
    assert "Pause outreach" not in page

    assert pause(client, member, days(10)).status_code == 403
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None
    assert fresh(dormant_call).state == State.OPEN


def test_an_administrator_sees_the_card_but_no_pause_form(client_for, store, member, dormant_call):
    admin = StaffFactory(username="admin", display_name="管理员", store=store, roles=[Role.ADMIN])
    client = client_for(admin)

    page = text(profile(client, member))

    assert 'id="care"' in page
    assert "Dormant call" in page
    assert "Pause outreach" not in page
    assert pause(client, member, days(10)).status_code == 403
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None


# ---- pausing and resuming ------------------------------------------------------------------------


def test_pausing_holds_the_win_back_call_until_the_day_after(client_for, vip_manager, member, dormant_call):
    care_call = make_task(member, vip_manager, kind=Kind.CARE_CALL, period="2025-05")

    response = pause(client_for(vip_manager), member, days(10), **HTMX)

    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert f"Outreach to 王丽华 paused until {days(10).isoformat()}." in page
    assert f"No sales outreach until {days(10).isoformat()}" in page
    assert "Resume now" in page
    assert "Pause outreach…" not in page
    member = Member.objects.get(pk=member.pk)
    assert (member.outreach_paused_until, member.outreach_pause_reason) == (days(10), "投诉处理中")
    held = fresh(dormant_call)
    assert held.state == State.SNOOZED
    assert held.snoozed_until == days(11)
    assert fresh(care_call).state == State.OPEN  # care goes on
    entry = AuditEntry.objects.get(action="member.outreach_paused")
    assert entry.data["held_tasks"] == [dormant_call.pk]


def test_pausing_without_htmx_goes_back_to_the_profile(client_for, vip_manager, member):
    response = pause(client_for(vip_manager), member, days(3))
    assert response.status_code == 302
    assert response.url == reverse("concierge:member_detail", args=[member.pk]) + "#care"
    assert Member.objects.get(pk=member.pk).outreach_paused_until == days(3)


def test_a_pause_in_the_past_is_a_field_error(client_for, vip_manager, member, dormant_call):
    response = pause(client_for(vip_manager), member, days(-1), **HTMX)

    assert response.status_code == 200
    page = text(response)
    assert "Check the pause form." in page
    assert '<p class="field-error" role="alert">Choose today or a later date.</p>' in page
    assert '<details class="inline-form" open>' in page
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None
    assert fresh(dormant_call).state == State.OPEN
    assert not AuditEntry.objects.exists()


def test_without_htmx_a_refused_pause_shows_its_errors_on_the_profile(client_for, vip_manager, member):
    response = pause(client_for(vip_manager), member, days(-1))

    assert response.status_code == 200  # not a redirect: what was typed and why it failed stay
    page = text(response)
    assert f'<h1 id="member-name">{member.name}</h1>' in page  # the whole profile page
    assert "Check the pause form." in page
    assert '<p class="field-error" role="alert">Choose today or a later date.</p>' in page
    assert '<details class="inline-form" open>' in page
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None


def test_a_pause_needs_a_reason(client_for, vip_manager, member):
    response = pause(client_for(vip_manager), member, days(3), reason="", **HTMX)
    assert '<p class="field-error" role="alert">Give a reason for the pause.</p>' in text(response)
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None


def test_resuming_wakes_the_held_call(client_for, vip_manager, member, dormant_call):
    client = client_for(vip_manager)
    pause(client, member, days(10))
    assert fresh(dormant_call).state == State.SNOOZED

    response = client.post(reverse("tasks:resume_outreach", args=[member.pk]), **HTMX)

    page = text(response)
    assert "Outreach to 王丽华 resumed." in page
    assert "No sales outreach until" not in page
    assert "Pause outreach…" in page
    member = Member.objects.get(pk=member.pk)
    assert (member.outreach_paused_until, member.outreach_pause_reason) == (None, "")
    woken = fresh(dormant_call)
    assert woken.state == State.OPEN
    assert woken.due_date == timezone.localdate()
    assert woken.snoozed_until is None
    assert AuditEntry.objects.filter(action="member.outreach_resumed").count() == 1


def test_resuming_when_not_paused_says_so(client_for, vip_manager, member):
    response = client_for(vip_manager).post(reverse("tasks:resume_outreach", args=[member.pk]), **HTMX)
    assert response.status_code == 200
    assert "Outreach to 王丽华 is not paused." in text(response)
    assert not AuditEntry.objects.exists()


def test_a_complaint_handler_may_pause(client_for, complaint_handler, member, dormant_call):
    client = client_for(complaint_handler)
    page = text(profile(client, member))
    assert "Pause outreach…" in page
    # They see the care tasks but have none to work.
    assert "Dormant call" in page
    assert reverse("tasks:task_detail", args=[dormant_call.pk]) not in page

    pause(client, member, days(5), reason="投诉处理中")

    assert Member.objects.get(pk=member.pk).outreach_paused_until == days(5)
    assert fresh(dormant_call).snoozed_until == days(6)
    assert AuditEntry.objects.get(action="member.outreach_paused").actor == complaint_handler


def test_another_stores_manager_gets_404(client_for, other_manager, member):
    client = client_for(other_manager)
    assert pause(client, member, days(5)).status_code == 404
    assert client.post(reverse("tasks:resume_outreach", args=[member.pk])).status_code == 404
    assert Member.objects.get(pk=member.pk).outreach_paused_until is None
