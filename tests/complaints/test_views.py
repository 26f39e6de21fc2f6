"""The complaint handler's pages: recording, the queue, the complaint's page and each of its steps,
per role and store."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import actions
from complaints.models import Category, Complaint, Team, TeamMembership
from concierge.models import AuditEntry, StaffAbsence
from tests.factories import MemberFactory
from tests.helpers import HTMX

State = Complaint.State

pytestmark = pytest.mark.usefixtures("english")


def record(actor, store, category, **kwargs):
    values = {"channel": "counter", "severity": "medium", "description": "拉链坏了", **kwargs}
    if "member" not in values and "customer_name" not in values:
        values["customer_name"] = "刘女士"
    return actions.record_complaint(actor=actor, store=store, category=category, **values)


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def unassigned(actor, store, category, handlers, **kwargs):
    """A complaint nobody could be given: every handler is off today."""
    from django.utils import timezone

    today = timezone.localdate()
    off = [
        StaffAbsence.objects.create(store=store, staff=h, first_day=today, last_day=today) for h in handlers
    ]
    complaint = record(actor, store, category, **kwargs)
    for absence in off:
        absence.delete()
    assert complaint.state == State.NEW
    return complaint


def detail_url(complaint, step=None):
    if step is None:
        return reverse("complaints:detail", args=[complaint.pk])
    return reverse(f"complaints:{step}", args=[complaint.pk])


def text_of(response):
    return response.content.decode()


# ---- recording ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_every_role_that_records_gets_the_form(request, client_for, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("complaints:record"))
    assert response.status_code == 200
    page = text_of(response)
    assert 'name="description"' in page
    assert 'value="medium"' in page and 'id="known-counters"' in page


def test_record_a_member_complaint(client_for, store, member, quality, vip_manager, complaint_handler, clock):
    response = client_for(vip_manager).post(
        reverse("complaints:record"),
        {
            "who": "member",
            "member": member.pk,
            "channel": "phone",
            "category": quality.pk,
            "counter": " 兰蔻 ",
            "severity": "high",
            "description": "面霜过敏",
            "wish": "退款",
        },
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(complaint)
    assert (complaint.member, complaint.channel, complaint.counter, complaint.severity) == (
        member,
        "phone",
        "兰蔻",
        "high",
    )
    assert complaint.handler == complaint_handler
    assert f"Complaint {complaint.number} recorded and given to 赵敏 (Customer service)." in text_of(response)


def test_record_from_the_profile_preselects_the_member_and_goes_back_there(
    client_for, member, quality, front_desk, complaint_handler
):
    client = client_for(front_desk)
    page = text_of(client.get(reverse("complaints:record"), {"member": member.pk}))
    assert f'name="member" value="{member.pk}" checked' in page
    assert 'name="back" value="profile"' in page
    response = client.post(
        reverse("complaints:record"),
        {
            "who": "member",
            "member": member.pk,
            "back": "profile",
            "channel": "counter",
            "category": quality.pk,
            "severity": "medium",
            "description": "等了很久",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("concierge:member_detail", args=[member.pk])


def test_record_a_walk_in_customer(client_for, quality, complaint_handler):
    response = client_for(complaint_handler).post(
        reverse("complaints:record"),
        {
            "who": "walk_in",
            "customer_name": "王先生",
            "customer_phone": "136 1234 5678",
            "channel": "counter",
            "category": quality.pk,
            "severity": "low",
            "description": "找错零钱",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == detail_url(complaint)
    assert (complaint.member, complaint.customer_name, complaint.customer_phone) == (
        None,
        "王先生",
        "136 1234 5678",
    )


def test_a_walk_in_needs_a_name_and_a_member_needs_choosing(client_for, quality, complaint_handler):
    client = client_for(complaint_handler)
    base = {"channel": "counter", "category": quality.pk, "severity": "low", "description": "x"}
    response = client.post(reverse("complaints:record"), {**base, "who": "walk_in"})
    assert response.status_code == 200
    assert "Give the customer&#x27;s name." in text_of(response)
    response = client.post(reverse("complaints:record"), {**base, "who": "member"})
    assert "Find the member and tap their name" in text_of(response)
    assert not Complaint.objects.exists()


def test_record_refuses_bad_input_with_field_errors(client_for, other_store, quality, complaint_handler):
    other_member = MemberFactory(store=other_store)
    other_category = Category.objects.get(store=other_store, code="price")
    response = client_for(complaint_handler).post(
        reverse("complaints:record"),
        {
            "who": "member",
            "member": other_member.pk,
            "channel": "pigeon",
            "category": other_category.pk,
            "severity": "medium",
            "customer_phone": "call me",
            "description": "",
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "this one is not in your store" in page
    assert "Choose one of the categories offered." in page
    assert "Write down what happened." in page
    assert "Select a valid choice." in page
    assert not Complaint.objects.exists()


def test_a_hidden_category_is_not_offered(client_for, store, quality, complaint_handler):
    Category.objects.filter(pk=quality.pk).update(active=False)
    client = client_for(complaint_handler)
    assert f'value="{quality.pk}"' not in text_of(client.get(reverse("complaints:record")))
    response = client.post(
        reverse("complaints:record"),
        {
            "who": "walk_in",
            "customer_name": "x",
            "channel": "counter",
            "category": quality.pk,
            "severity": "low",
            "description": "x",
        },
    )
    assert "Choose one of the categories offered." in text_of(response)


def test_mentioning_the_media_makes_it_critical(client_for, member, quality, complaint_handler):
    response = client_for(complaint_handler).post(
        reverse("complaints:record"),
        {
            "who": "member",
            "member": member.pk,
            "channel": "counter",
            "category": quality.pk,
            "severity": "low",
            "public_risk": "on",
            "description": "不满意",
        },
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert complaint.public_risk and complaint.severity == "critical"
    assert "Flagged as a 12315 or media risk" in text_of(response)


def test_nobody_available_says_so(client_for, store, member, quality, store_manager, complaint_handler):
    from django.utils import timezone

    StaffAbsence.objects.create(
        store=store, staff=complaint_handler, first_day=timezone.localdate(), last_day=timezone.localdate()
    )
    response = client_for(store_manager).post(
        reverse("complaints:record"),
        {
            "who": "member",
            "member": member.pk,
            "channel": "counter",
            "category": quality.pk,
            "severity": "medium",
            "description": "x",
        },
        follow=True,
    )
    assert Complaint.objects.get().state == State.NEW
    assert "Nobody is available to take it now" in text_of(response)


def test_the_member_search_offers_this_stores_members_only(client_for, store, other_store, front_desk):
    mine = MemberFactory(store=store, name="张美玲", phone="13911112222")
    MemberFactory(store=other_store, name="张美华", phone="13933332222")
    client = client_for(front_desk)
    url = reverse("complaints:record")
    page = text_of(client.get(url, {"q": "张美"}, **HTMX))
    assert "张美玲" in page and "张美华" not in page
    assert "<html" not in page
    assert text_of(client.get(url, {"q": "2222"}, **HTMX)).count('name="member"') == 1
    # The member chosen so far stays on top, checked, whatever the new search finds.
    page = text_of(client.get(url, {"q": "nobody", "member": mine.pk}, **HTMX))
    assert f'value="{mine.pk}" checked' in page


def test_another_stores_member_cannot_be_preselected(client_for, other_store, front_desk):
    other = MemberFactory(store=other_store, name="外店会员")
    response = client_for(front_desk).get(reverse("complaints:record"), {"member": other.pk})
    assert response.status_code == 200
    assert "外店会员" not in text_of(response)


def test_roles_without_the_permission_cannot_record(client_for, store, quality):
    from concierge.roles import Role
    from tests.factories import StaffFactory

    admin = StaffFactory(store=store, roles=[Role.ADMIN])
    assert client_for(admin).get(reverse("complaints:record")).status_code == 403


# ---- the queue ------------------------------------------------------------------------------------


@pytest.fixture
def queue_world(store, quality, member, complaint_handler, handler2, store_manager, clock, nine_to_five):
    """Complaints of every kind around the handler: in the order the queue must show them."""
    clock.set(2026, 12, 1, 10, 0)
    TeamMembership.objects.create(
        team=Team.objects.get(store=store, is_default=True), staff=complaint_handler
    )
    low = record(store_manager, store, quality, severity="low")  # contact due 14:00
    critical = record(store_manager, store, quality, severity="critical")  # due 10:30
    waiting = record(store_manager, store, quality, severity="critical")
    for complaint in (low, critical, waiting):
        assert complaint.handler == complaint_handler
    actions.record_contact(waiting, actor=complaint_handler, channel="phone", note="called")
    actions.wait_on_customer(fresh(waiting), actor=complaint_handler, note="receipt")
    resolved = record(store_manager, store, quality, severity="medium")
    actions.record_contact(resolved, actor=complaint_handler, channel="phone", note="called")
    actions.resolve(fresh(resolved), actor=complaint_handler, solution="repaired")
    nobody = unassigned(store_manager, store, quality, [complaint_handler, handler2], severity="high")
    theirs = record(store_manager, store, quality, severity="high")
    Complaint.objects.filter(pk=theirs.pk).update(handler=handler2)
    return {
        "low": low,
        "critical": critical,
        "waiting": waiting,
        "resolved": fresh(resolved),
        "nobody": nobody,
        "theirs": theirs,
    }


def _numbers(response):
    import re

    return [int(n) for n in re.findall(r'id="complaint-(\d+)"', text_of(response))]


def test_mine_is_sorted_by_the_running_deadline_waiting_ones_last(client_for, queue_world, complaint_handler):
    response = client_for(complaint_handler).get(reverse("complaints:queue"))
    w = queue_world
    assert _numbers(response) == [w["critical"].pk, w["low"].pk, w["waiting"].pk]


def test_the_tabs_and_their_counts(client_for, queue_world, complaint_handler, store_manager):
    w = queue_world
    client = client_for(complaint_handler)
    url = reverse("complaints:queue")
    response = client.get(url, {"tab": "team"})
    assert response.context["counts"] == {"mine": 3, "team": 5, "unassigned": 1, "feedback": 1}
    assert set(_numbers(response)) == {
        w["critical"].pk,
        w["low"].pk,
        w["waiting"].pk,
        w["nobody"].pk,
        w["theirs"].pk,
    }
    assert _numbers(client.get(url, {"tab": "unassigned"})) == [w["nobody"].pk]
    assert _numbers(client.get(url, {"tab": "feedback"})) == [w["resolved"].pk]
    assert "All open" not in text_of(response)
    # "all" is the store manager's tab: anyone else gets their own.
    assert _numbers(client.get(url, {"tab": "all"})) == _numbers(client.get(url))

    manager = client_for(store_manager)
    assert manager.get(url).context["tab"] == "all"  # where the store manager starts
    response = manager.get(url, {"tab": "all"})
    assert response.context["counts"]["all"] == 5
    assert len(_numbers(response)) == 5
    assert response.context["counts"]["feedback"] == 1


def test_the_queue_rows_say_what_a_handler_needs(client_for, queue_world, complaint_handler, clock):
    clock.set(2026, 12, 1, 10, 40)  # the critical one was due at 10:30
    page = text_of(client_for(complaint_handler).get(reverse("complaints:queue")))
    assert "Late by 10 min" in page
    assert "Due 14:00" in page and "3 h 20 min left" in page
    assert "Waiting since" in page
    assert "Critical" in page and "刘女士" in page and "walk-in" in page


def test_the_queue_refreshes_itself_when_an_alert_arrives(client_for, queue_world, complaint_handler):
    client = client_for(complaint_handler)
    page = text_of(client.get(reverse("complaints:queue"), {"tab": "unassigned"}))
    assert 'id="complaint-queue"' in page
    assert "data-refresh-on-alert" in page
    assert 'hx-trigger="alerts-arrived"' in page
    assert 'hx-get="/complaints/?tab=unassigned"' in page
    # What that refresh fetches: the queue alone, fresh.
    part = text_of(client.get(reverse("complaints:queue"), {"tab": "unassigned"}, **HTMX))
    assert part.lstrip().startswith('<div id="complaint-queue"') and "<html" not in part


def test_the_queue_pages_with_offsets(client_for, store, quality, complaint_handler, store_manager):
    for _ in range(27):
        record(store_manager, store, quality)
    client = client_for(complaint_handler)
    page = text_of(client.get(reverse("complaints:queue")))
    assert page.count('class="queue-row') == 25
    assert "offset=25" in page
    more = text_of(client.get(reverse("complaints:queue"), {"offset": 25}, **HTMX))
    assert more.count('class="queue-row') == 2 and "offset=50" not in more
    assert client.get(reverse("complaints:queue"), {"offset": "-1"}).status_code == 400


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk"])
def test_recorders_who_do_not_handle_have_no_queue(request, client_for, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("complaints:queue")).status_code == 403


def test_the_queue_shows_no_other_store(
    client_for, other_store, other_manager, store, quality, store_manager
):
    record(store_manager, store, quality)
    response = client_for(other_manager).get(reverse("complaints:queue"), {"tab": "all"})
    assert response.context["counts"]["all"] == 0 and "刘女士" not in text_of(response)


def test_the_queue_query_count_does_not_grow_with_rows(
    client_for, store, quality, complaint_handler, store_manager
):
    client = client_for(complaint_handler)
    members = [MemberFactory(store=store) for _ in range(30)]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("complaints:queue")).status_code == 200
        return len(captured)

    for member in members[:5]:
        record(store_manager, store, quality, member=member, counter="兰蔻")
    few = queries()
    for member in members[5:]:
        record(store_manager, store, quality, member=member, counter="兰蔻")
    assert queries() == few


# ---- the complaint's page -------------------------------------------------------------------------


@pytest.fixture
def routed(store, member, quality, complaint_handler, store_manager, clock, nine_to_five):
    complaint = record(store_manager, store, quality, member=member, counter="兰蔻", wish="退款")
    assert complaint.handler == complaint_handler
    return complaint


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_everyone_of_the_store_sees_the_complaint(request, client_for, routed, persona):
    user = request.getfixturevalue(persona)
    page = text_of(client_for(user).get(detail_url(routed)))
    assert "张美玲" in page and "拉链坏了" in page and "退款" in page and "兰蔻" in page
    assert "Recorded, severity Medium." in page
    assert "Given to 赵敏 (Customer service)." in page


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk"])
def test_recorders_see_it_but_cannot_work_it(request, client_for, routed, persona):
    client = client_for(request.getfixturevalue(persona))
    page = text_of(client.get(detail_url(routed)))
    assert "/contact/" not in page and "/cancel/" not in page
    assert "赵敏 is handling this complaint." in page
    response = client.post(detail_url(routed, "contact"), {"channel": "phone", "note": "hi"})
    assert response.status_code == 403
    assert fresh(routed).state == State.ROUTED


def test_another_stores_manager_gets_404_everywhere(client_for, routed, other_manager):
    client = client_for(other_manager)
    assert client.get(detail_url(routed)).status_code == 404
    for step in ("take", "contact", "resolve", "approve", "cancel", "reassign"):
        assert client.post(detail_url(routed, step), {"note": "x", "reason": "x"}).status_code == 404
    assert fresh(routed).state == State.ROUTED


def test_only_the_steps_allowed_now_are_offered(
    client_for, routed, complaint_handler, handler2, store_manager
):
    page = text_of(client_for(complaint_handler).get(detail_url(routed)))
    assert "/contact/" in page and "/cancel/" in page
    assert "/resolve/" not in page and "/take/" not in page and "/reassign/" not in page
    page = text_of(client_for(handler2).get(detail_url(routed)))
    assert "/contact/" not in page and "赵敏 is handling this complaint." in page
    page = text_of(client_for(store_manager).get(detail_url(routed)))
    assert "/contact/" in page and "/reassign/" in page


def test_take_an_unassigned_complaint(
    client_for, store, quality, complaint_handler, handler2, store_manager, clock
):
    complaint = unassigned(store_manager, store, quality, [complaint_handler, handler2])
    client = client_for(complaint_handler)
    assert "/take/" in text_of(client.get(detail_url(complaint)))
    response = client.post(detail_url(complaint, "take"), follow=True)
    assert fresh(complaint).handler == complaint_handler
    assert "It is yours. First contact due" in text_of(response)
    # Someone was quicker: a notice saying so, nothing changed.
    response = client_for(handler2).post(detail_url(complaint, "take"), follow=True)
    assert "Already “Assigned”: 赵敏" in text_of(response)
    assert fresh(complaint).handler == complaint_handler


def test_first_contact_over_htmx_redraws_the_page_part(client_for, routed, complaint_handler):
    client = client_for(complaint_handler)
    response = client.post(detail_url(routed, "contact"), {"channel": "phone", "note": "道歉了"}, **HTMX)
    page = text_of(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="complaint"') and "<html" not in page
    assert "First contact recorded. Resolution due" in page
    assert "First contact with the customer" in page and "道歉了" in page
    assert fresh(routed).state == State.IN_PROGRESS
    assert "/resolve/" in page


def test_a_form_with_errors_comes_back_with_them(client_for, routed, complaint_handler):
    client = client_for(complaint_handler)
    response = client.post(detail_url(routed, "contact"), {"channel": "fax", "note": ""}, **HTMX)
    page = text_of(response)
    assert response.status_code == 200
    assert "Write down what was said." in page and "Select a valid choice." in page
    assert fresh(routed).state == State.ROUTED
    # Without htmx too, at status 200, with what was typed.
    response = client.post(detail_url(routed, "contact"), {"channel": "fax", "note": "kept"})
    assert response.status_code == 200 and "kept" in text_of(response)


def test_someone_elses_complaint_is_refused_with_a_notice(client_for, routed, handler2):
    client = client_for(handler2)
    response = client.post(detail_url(routed, "contact"), {"channel": "phone", "note": "x"})
    assert response.status_code == 302 and response["Location"] == detail_url(routed)
    assert "This complaint is not yours to work on." in text_of(client.get(response["Location"]))
    response = client.post(detail_url(routed, "contact"), {"channel": "phone", "note": "x"}, **HTMX)
    assert "This complaint is not yours to work on." in text_of(response)
    assert fresh(routed).state == State.ROUTED


def _contacted(complaint, handler):
    actions.record_contact(complaint, actor=handler, channel="phone", note="called")
    return fresh(complaint)


def test_wait_on_the_customer_and_their_answer(client_for, routed, complaint_handler, clock):
    complaint = _contacted(routed, complaint_handler)
    client = client_for(complaint_handler)
    response = client.post(detail_url(complaint, "wait"), {"note": ""}, **HTMX)
    assert "Say what the customer is to come back with." in text_of(response)
    response = client.post(detail_url(complaint, "wait"), {"note": "小票"}, **HTMX)
    assert "the clock is stopped" in text_of(response)
    assert fresh(complaint).state == State.WAITING
    clock.advance(hours=1)
    response = client.post(detail_url(complaint, "answered"), {"note": "带来了"}, **HTMX)
    assert "The clock runs again." in text_of(response)
    assert fresh(complaint).state == State.IN_PROGRESS


def test_resolve_within_the_budget(client_for, routed, complaint_handler):
    complaint = _contacted(routed, complaint_handler)
    client = client_for(complaint_handler)
    assert "Up to ¥300 for this customer without approval" in text_of(client.get(detail_url(complaint)))
    response = client.post(
        detail_url(complaint, "resolve"),
        {"solution": "换新", "compensation": "gift", "value": "50", "details": "丝巾"},
        **HTMX,
    )
    page = text_of(response)
    assert "Resolved. Call the customer back for feedback within 7 days." in page
    complaint = fresh(complaint)
    assert (complaint.state, complaint.compensation_value) == (State.RESOLVED, Decimal("50.00"))
    assert "Resolved, with compensation: Gift ¥50." in page


def test_resolve_form_checks_the_compensation(client_for, routed, complaint_handler):
    complaint = _contacted(routed, complaint_handler)
    client = client_for(complaint_handler)
    page = text_of(
        client.post(detail_url(complaint, "resolve"), {"solution": "x", "compensation": "gift"}, **HTMX)
    )
    assert "Give the compensation&#x27;s value in yuan" in page
    page = text_of(client.post(detail_url(complaint, "resolve"), {"solution": "x", "value": "20"}, **HTMX))
    assert "Choose what kind of compensation this value is for." in page
    page = text_of(
        client.post(
            detail_url(complaint, "resolve"), {"solution": "x", "compensation": "gift", "value": "-5"}, **HTMX
        )
    )
    assert "Ensure this value is greater than or equal to 0." in page
    assert fresh(complaint).state == State.IN_PROGRESS


def test_above_the_budget_the_manager_approves(client_for, routed, complaint_handler, store_manager):
    complaint = _contacted(routed, complaint_handler)
    handler = client_for(complaint_handler)
    response = handler.post(
        detail_url(complaint, "resolve"),
        {"solution": "退款", "compensation": "refund", "value": "900"},
        **HTMX,
    )
    assert "the store manager has been asked to approve" in text_of(response)
    assert fresh(complaint).state == State.AWAITING_APPROVAL
    assert "Waiting for the store manager's approval" in text_of(handler.get(detail_url(complaint)))
    assert handler.post(detail_url(complaint, "approve"), {"note": ""}).status_code == 403

    manager = client_for(store_manager)
    page = text_of(manager.get(detail_url(complaint)))
    assert "Compensation asked: Refund, ¥900. The budget for this customer is ¥300." in page
    response = manager.post(detail_url(complaint, "approve"), {"note": "ok"}, **HTMX)
    assert "Approved: 赵敏 tells the customer." in text_of(response)
    assert fresh(complaint).state == State.RESOLVED


def test_declining_needs_a_reason(client_for, routed, complaint_handler, store_manager):
    complaint = _contacted(routed, complaint_handler)
    actions.resolve(
        complaint, actor=complaint_handler, solution="退款", compensation="refund", value=Decimal("900")
    )
    manager = client_for(store_manager)
    page = text_of(manager.post(detail_url(complaint, "decline"), {"note": ""}, **HTMX))
    assert "Say why, so the handler can agree another solution." in page
    assert fresh(complaint).state == State.AWAITING_APPROVAL
    page = text_of(manager.post(detail_url(complaint, "decline"), {"note": "太多了"}, **HTMX))
    assert "Declined: 赵敏 has been told why." in page
    assert fresh(complaint).state == State.IN_PROGRESS
    page = text_of(client_for(complaint_handler).get(detail_url(complaint)))
    assert "陈静 declined the compensation:" in page and "太多了" in page


def _resolved(complaint, handler):
    complaint = _contacted(complaint, handler)
    actions.resolve(complaint, actor=handler, solution="换新")
    return fresh(complaint)


def test_feedback_satisfied_closes(client_for, routed, complaint_handler):
    complaint = _resolved(routed, complaint_handler)
    client = client_for(complaint_handler)
    response = client.post(detail_url(complaint, "feedback"), {"satisfied": "yes", "score": "5"}, **HTMX)
    assert "Closed: the customer is satisfied." in text_of(response)
    complaint = fresh(complaint)
    assert (complaint.state, complaint.score) == (State.CLOSED, 5)
    assert "Feedback call: satisfied (5/5). Closed." in text_of(response)


def test_feedback_not_satisfied_needs_what_was_wrong_and_reopens(client_for, routed, complaint_handler):
    complaint = _resolved(routed, complaint_handler)
    client = client_for(complaint_handler)
    page = text_of(client.post(detail_url(complaint, "feedback"), {"satisfied": "no", "score": "2"}, **HTMX))
    assert "Write down what the customer is still unhappy about." in page
    page = text_of(client.post(detail_url(complaint, "feedback"), {"score": "9"}, **HTMX))
    assert "Choose whether the customer is satisfied." in page and "Select a valid choice." in page
    assert fresh(complaint).state == State.RESOLVED
    response = client.post(
        detail_url(complaint, "feedback"), {"satisfied": "no", "score": "2", "note": "还是坏"}, **HTMX
    )
    assert "Reopened: 赵敏 has it again." in text_of(response)
    assert fresh(complaint).state == State.REOPENED


def test_close_without_feedback(client_for, routed, complaint_handler):
    complaint = _resolved(routed, complaint_handler)
    response = client_for(complaint_handler).post(detail_url(complaint, "close"), {"note": "打不通"}, **HTMX)
    assert "Closed without feedback." in text_of(response)
    assert fresh(complaint).closed_without_feedback


def test_reopen_after_the_grace_period_opens_a_linked_case(client_for, routed, complaint_handler, clock):
    complaint = _resolved(routed, complaint_handler)
    actions.record_feedback(complaint, actor=complaint_handler, satisfied=True, score=4)
    client = client_for(complaint_handler)
    assert "/reopen/" in text_of(client.get(detail_url(complaint)))
    page = text_of(client.post(detail_url(complaint, "reopen"), {"reason": ""}, **HTMX))
    assert "Write down what the customer is unhappy about." in page
    clock.advance(days=10)
    client = client_for(complaint_handler)  # a new day, a new login
    response = client.post(detail_url(complaint, "reopen"), {"reason": "又坏了"})
    follow_up = Complaint.objects.get(follows=complaint)
    assert response["Location"] == detail_url(follow_up)
    page = text_of(client.get(response["Location"]))
    assert f"new case {follow_up.number} was opened" in page
    assert f'Follows</span> <a href="{detail_url(complaint)}">{complaint.number}</a>' in page
    assert "Opened as a new case: the customer was unhappy again" in page
    assert follow_up.number in text_of(client.get(detail_url(complaint)))


def test_htmx_reopen_after_grace_is_sent_to_the_new_case(client_for, routed, complaint_handler, clock):
    complaint = _resolved(routed, complaint_handler)
    clock.advance(days=10)
    response = client_for(complaint_handler).post(
        detail_url(complaint, "reopen"), {"reason": "又坏了"}, **HTMX
    )
    follow_up = Complaint.objects.get(follows=complaint)
    assert response["HX-Redirect"] == detail_url(follow_up)


def test_cancel_as_a_duplicate(client_for, store, routed, quality, complaint_handler, store_manager):
    original = record(store_manager, store, quality)
    client = client_for(complaint_handler)
    for number, error in (
        ("abc", "Enter the original complaint&#x27;s number"),
        (str(routed.pk), "cannot be a duplicate of itself"),
        ("99999", "No complaint #99999 in this store."),
    ):
        page = text_of(
            client.post(detail_url(routed, "cancel"), {"reason": "重复", "original": number}, **HTMX)
        )
        assert error in page
    assert fresh(routed).state == State.ROUTED
    response = client.post(
        detail_url(routed, "cancel"), {"reason": "重复", "original": f"#{original.pk}"}, **HTMX
    )
    assert f"Cancelled as a duplicate of {original.number}." in text_of(response)
    routed = fresh(routed)
    assert (routed.state, routed.duplicate_of) == (State.CANCELLED, original)
    assert routed.number in text_of(client.get(detail_url(original)))


def test_cancel_refuses_another_stores_complaint_as_the_original(
    client_for, routed, complaint_handler, other_manager, other_store
):
    theirs = record(other_manager, other_store, Category.objects.get(store=other_store, code="price"))
    page = text_of(
        client_for(complaint_handler).post(
            detail_url(routed, "cancel"), {"reason": "x", "original": theirs.pk}, **HTMX
        )
    )
    assert f"No complaint #{theirs.pk} in this store." in page
    assert fresh(routed).state == State.ROUTED


def test_reroute_to_another_team(client_for, store, routed, complaint_handler, handler2):
    cosmetics = Team.objects.create(store=store, name="化妆品部")
    TeamMembership.objects.create(team=cosmetics, staff=handler2)
    client = client_for(complaint_handler)
    page = text_of(client.post(detail_url(routed, "reroute"), {"team": cosmetics.pk, "reason": ""}, **HTMX))
    assert "Say why it goes to another team." in page
    default = Team.objects.get(store=store, is_default=True)
    page = text_of(client.post(detail_url(routed, "reroute"), {"team": default.pk, "reason": "x"}, **HTMX))
    assert "Choose one of your store&#x27;s teams." in page
    response = client.post(
        detail_url(routed, "reroute"), {"team": cosmetics.pk, "reason": "专柜的事"}, **HTMX
    )
    assert "Sent to 化妆品部: 钱进 has it now." in text_of(response)
    assert (fresh(routed).team, fresh(routed).handler) == (cosmetics, handler2)
    assert "Sent it to 化妆品部." in text_of(response) and "专柜的事" in text_of(response)


def test_reassign_is_the_store_managers(client_for, routed, complaint_handler, handler2, store_manager):
    assert (
        client_for(complaint_handler)
        .post(detail_url(routed, "reassign"), {"handler": handler2.pk})
        .status_code
        == 403
    )
    manager = client_for(store_manager)
    page = text_of(manager.post(detail_url(routed, "reassign"), {"handler": ""}, **HTMX))
    assert "Choose the colleague who takes it." in page
    response = manager.post(
        detail_url(routed, "reassign"), {"handler": handler2.pk, "reason": "休假"}, **HTMX
    )
    assert "Given to 钱进." in text_of(response)
    assert fresh(routed).handler == handler2
    assert "Gave it to 钱进." in text_of(response)


def test_the_manager_assigns_an_unassigned_complaint(
    client_for, store, quality, complaint_handler, handler2, store_manager, clock
):
    complaint = unassigned(store_manager, store, quality, [complaint_handler, handler2])
    manager = client_for(store_manager)
    page = text_of(manager.get(detail_url(complaint)))
    assert "Assign it" in page and "Nobody in Customer service was available" in page
    manager.post(detail_url(complaint, "reassign"), {"handler": handler2.pk})
    assert (fresh(complaint).state, fresh(complaint).handler) == (State.ROUTED, handler2)


def test_every_change_through_the_page_is_audited_once(client_for, routed, complaint_handler):
    before = AuditEntry.objects.filter(action__startswith="complaint.").count()
    client_for(complaint_handler).post(detail_url(routed, "contact"), {"channel": "phone", "note": "x"})
    assert AuditEntry.objects.filter(action__startswith="complaint.").count() == before + 1


def test_the_deadlines_say_late_in_opening_hours(client_for, routed, complaint_handler, clock):
    clock.set(2026, 12, 1, 16, 30)  # contact was due 12:00 (120 business minutes after 10:00)
    page = text_of(client_for(complaint_handler).get(detail_url(routed)))
    assert "Late by 4 h 30 min" in page
    clock.set(2026, 12, 2, 10, 0)  # a night of closed hours later: 6 h of opening hours
    page = text_of(client_for(complaint_handler).get(detail_url(routed)))
    assert "Late by 6 h" in page and "was due Tue 12:00" in page


def test_a_walk_ins_phone_is_masked_for_roles_that_do_not_call(
    client_for, store, quality, store_manager, vip_manager, front_desk, clock
):
    complaint = record(store_manager, store, quality, customer_name="王先生", customer_phone="13612345678")
    assert "136 1234 5678" in text_of(client_for(vip_manager).get(detail_url(complaint)))
    page = text_of(client_for(front_desk).get(detail_url(complaint)))
    assert "5678" in page and "1234 5678" not in page
