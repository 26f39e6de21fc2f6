"""Care work around a complaint: the outreach hold shown as what it is (no far-off date, no hand
controls), and the apology task in My day and its panel."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from complaints import actions as complaint_actions
from complaints.models import Complaint
from concierge.models import Assignment, ContactLog
from tasks.models import CareTask
from tests.complaints import conftest as complaint_fixtures
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX
from tests.tasks.helpers import fresh, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The complaint tests' clock, opening hours and category, shared rather than copied.
clock = complaint_fixtures.clock
nine_to_five = complaint_fixtures.nine_to_five
quality = complaint_fixtures.quality


@pytest.fixture
def looked_after(store, vip_manager):
    member = MemberFactory(store=store, name="张美玲")
    Assignment.objects.create(store=store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE)
    return member


@pytest.fixture
def complaint(clock, store, looked_after, quality, complaint_handler, nine_to_five):
    """Recorded through the workflow: the member's sales outreach is held while it is open."""
    clock.set(2026, 11, 28, 10, 0)
    recorded = complaint_actions.record_complaint(
        actor=complaint_handler,
        store=store,
        member=looked_after,
        category=quality,
        channel=Complaint.Channel.COUNTER,
        severity="medium",
        description="新买的包拉链坏了，客户很生气",
        wish="换一个新的",
    )
    clock.set(2026, 12, 1, 10, 0)
    return recorded


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return unescape(response.content.decode())


def care_card(html):
    return re.search(r'<section class="card" id="care".*?</section>', html, re.S).group(0)


def profile_of(client, member):
    return page(client, reverse("concierge:member_detail", args=[member.pk]))


# ---- the outreach hold ---------------------------------------------------------------------------


def test_the_held_pause_reads_as_the_complaint_not_as_a_date(
    client_for, vip_manager, looked_after, complaint
):
    looked_after.refresh_from_db()
    assert looked_after.outreach_held
    html = profile_of(client_for(vip_manager), looked_after)
    card = care_card(html)
    assert "No sales outreach while the complaint is open" in card
    assert "It resumes by itself when the complaint is closed." in card
    assert "9999" not in html
    assert "No sales outreach until" not in card


@pytest.mark.parametrize("persona", ["vip_manager", "store_manager", "complaint_handler"])
def test_the_held_pause_offers_no_hand_controls(request, client_for, persona, looked_after, complaint):
    card = care_card(profile_of(client_for(request.getfixturevalue(persona)), looked_after))
    assert reverse("tasks:resume_outreach", args=[looked_after.pk]) not in card
    assert reverse("tasks:pause_outreach", args=[looked_after.pk]) not in card
    assert "Resume now" not in card


def test_a_hand_pause_still_shows_its_date_and_resume(client_for, vip_manager, looked_after, clock):
    looked_after.outreach_paused_until = dt.date(2026, 12, 20)
    looked_after.outreach_pause_reason = "客户出国"
    looked_after.save()
    card = care_card(profile_of(client_for(vip_manager), looked_after))
    assert "No sales outreach until 2026-12-20" in card
    assert reverse("tasks:resume_outreach", args=[looked_after.pk]) in card
    assert "while the complaint is open" not in card


def test_a_win_back_call_held_by_the_complaint_says_so(client_for, vip_manager, looked_after, complaint):
    call = make_task(looked_after, vip_manager, kind=CareTask.Kind.DORMANT_CALL, period="2026-06-01")
    # Recording a second complaint keeps the hold; the call made before it is held by re-pausing.
    from tasks import actions as care

    care.hold_outreach(looked_after, actor=None, reason="Open complaint")
    call = fresh(call)
    assert call.state == CareTask.State.SNOOZED and call.is_held
    card = care_card(profile_of(client_for(vip_manager), looked_after))
    assert "held until the complaint is closed" in card
    assert "snoozed until" not in card
    detail = page(client_for(vip_manager), reverse("tasks:task_detail", args=[call.pk]))
    assert "until the complaint is closed" in detail
    assert "9999" not in detail


def test_the_cheat_sheet_says_the_hold_plainly_to_whoever_may_not_see_complaints(
    client_for, store, looked_after, complaint
):
    helper = StaffFactory(username="helper", store=store)
    helper.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_caretask", "view_caretask", "view_member"])
    )
    task = make_task(looked_after, helper, kind=CareTask.Kind.CARE_CALL, period="2026-12")
    html = page(client_for(helper), reverse("tasks:task_detail", args=[task.pk]), **HTMX)
    assert "No sales outreach while the complaint is open" in html
    assert f"#{complaint.pk}" not in html
    assert "9999" not in html


# ---- the apology task ------------------------------------------------------------------------------


@pytest.fixture
def apology(clock, complaint, complaint_handler):
    complaint_actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="已致电")
    complaint_actions.resolve(
        complaint,
        actor=complaint_handler,
        solution="换新包一只",
        compensation=Complaint.Compensation.GIFT,
        value=Decimal("80"),
    )
    return CareTask.objects.get(kind=CareTask.Kind.APOLOGY, member=complaint.member)


def test_the_apology_task_is_in_my_day_with_its_reason(client_for, vip_manager, apology, complaint):
    assert apology.assignee == vip_manager
    html = page(client_for(vip_manager), reverse("tasks:my_day"))
    row = re.search(rf'<li class="task-row[^"]*" id="task-{apology.pk}">.*?</li>', html, re.S).group(0)
    assert "Apology after a complaint" in row
    assert (
        f"Complaint #{complaint.pk} resolved (Product quality): a small apology gift and a second chance."
        in row
    )
    assert "kind-apology" in row


def test_the_apology_panel_offers_its_outcomes_and_shows_the_complaint(
    client_for, vip_manager, apology, complaint
):
    html = page(client_for(vip_manager), reverse("tasks:task_detail", args=[apology.pk]), **HTMX)
    buttons = dict(re.findall(r'name="outcome" value="([a-z_]*)">([^<]+)</button>', html))
    assert buttons == {
        "gift_given": "Gift given",
        "reached": "Apologised, no gift",
        "not_reached": "Not reached",
    }
    assert "No sales talk." in html
    section = re.search(r'<section class="task-complaints".*?</section>', html, re.S).group(0)
    assert "The complaint" in section
    for text in (
        f"#{complaint.pk}",
        "新买的包拉链坏了",
        "换一个新的",
        "换新包一只",
        "Gift ¥80",
        "Not asked yet",
    ):
        assert text in section
    assert "Other complaints" not in section


def test_giving_the_apology_gift_closes_the_task_into_the_contact_log(
    client_for, vip_manager, apology, looked_after
):
    response = client_for(vip_manager).post(
        reverse("tasks:complete", args=[apology.pk]),
        {"outcome": "gift_given", "note": "送了护手霜", "from": "day", "page": "panel"},
        **HTMX,
    )
    assert response.status_code == 200
    assert fresh(apology).state == CareTask.State.DONE
    assert fresh(apology).outcome == ContactLog.Outcome.GIFT_GIVEN
    assert ContactLog.objects.filter(member=looked_after, outcome=ContactLog.Outcome.GIFT_GIVEN).exists()


def test_the_apology_reason_reads_in_the_readers_language(client_for, vip_manager, apology):
    vip_manager.language = "zh-hans"
    vip_manager.save()
    html = page(client_for(vip_manager), reverse("tasks:my_day"))
    # Resolved by a handler reading English; the VIP manager reads the category in Chinese.
    assert "商品质量" in html
    assert "(Product quality)" not in html
