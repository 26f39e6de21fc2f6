"""Working revival cases: attempts, the contact log, the dormant call they close, and the store
manager's guidance, reassignment and closing as lost, with who may do each."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concierge.errors import ActionRefused
from concierge.models import Alert, AuditEntry, ContactLog
from concierge.roles import Role
from tasks.models import CareTask, RevivalAttempt, RevivalCampaign, RevivalCase, RevivalQuota
from tasks.revival import cases
from tests.factories import MemberFactory, StaffFactory
from tests.revival import factories as rv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="张美华", gender="f", value_class="A", lifecycle="dormant")


@pytest.fixture
def campaign(store):
    return rv.campaign(store, target_percent=20)


@pytest.fixture
def case(campaign, member, vip_manager):
    rv.quota(campaign, vip_manager, share=5, target=1)
    return rv.case(campaign, member, vip_manager, dormant_since=dt.date(2026, 5, 1))


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def fresh(case):
    return RevivalCase.objects.get(pk=case.pk)


def test_a_reached_attempt_moves_the_case_and_logs_the_contact(case, vip_manager):
    next_day = timezone.localdate() + dt.timedelta(days=3)
    attempt = cases.record_attempt(
        case,
        vip_manager,
        channel="phone",
        reached=True,
        reason="moved",
        remedy="taxi",
        note="搬到顺义了",
        next_step="约周六来店，车费我们出",
        next_step_on=next_day,
    )
    case = fresh(case)
    assert case.state == RevivalCase.State.CONTACTED
    assert case.attempts_count == 1
    assert case.last_attempt_at == attempt.at
    assert case.next_step_on == next_day
    assert (attempt.reason, attempt.remedy, attempt.staff) == ("moved", "taxi", vip_manager)
    contact = ContactLog.objects.get(member=case.member)
    assert (contact.channel, contact.outcome, contact.staff) == ("phone", "reached", vip_manager)
    assert "搬到顺义了" in contact.note and next_day.isoformat() in contact.note
    assert AuditEntry.objects.filter(action="revival.attempt_recorded", object_id=str(case.pk)).count() == 1


def test_the_case_keeps_what_its_attempts_told_for_the_dashboard(case, campaign, vip_manager):
    cases.record_attempt(case, vip_manager, channel="phone", reached=False, remedy="none")
    case = fresh(case)
    assert (case.reached, case.last_reason) == (False, "")
    cases.record_attempt(case, vip_manager, channel="phone", reached=True, reason="service")
    cases.record_attempt(fresh(case), vip_manager, channel="phone", reached=True, reason="moved")
    # Not reached again: whether anyone reached them, and the latest reason they gave, stay.
    cases.record_attempt(fresh(case), vip_manager, channel="message", reached=False)
    case = fresh(case)
    assert (case.attempts_count, case.reached, case.last_reason) == (4, True, "moved")
    assert set(RevivalAttempt.objects.values_list("campaign", flat=True)) == {campaign.pk}


def test_a_reached_attempt_needs_the_reason(case, vip_manager):
    with pytest.raises(ActionRefused, match="why the member stopped coming"):
        cases.record_attempt(case, vip_manager, channel="phone", reached=True)
    assert not RevivalAttempt.objects.exists()
    assert not ContactLog.objects.exists()
    assert fresh(case).state == RevivalCase.State.OPEN


def test_an_attempt_not_reached_needs_no_reason(case, vip_manager):
    cases.record_attempt(case, vip_manager, channel="message", reached=False)
    assert fresh(case).state == RevivalCase.State.CONTACTED
    assert ContactLog.objects.get(member=case.member).outcome == ContactLog.Outcome.MESSAGE_SENT


def test_the_attempt_is_the_dormant_call_one_tap_closes_both(case, vip_manager, colleague):
    mine = CareTask.objects.create(
        store=case.store,
        member=case.member,
        assignee=vip_manager,
        kind=CareTask.Kind.DORMANT_CALL,
        period="6m",
        due_date=timezone.localdate(),
    )
    theirs = CareTask.objects.create(
        store=case.store,
        member=case.member,
        assignee=colleague,
        kind=CareTask.Kind.DORMANT_CALL,
        period="6m-b",
        due_date=timezone.localdate(),
    )
    cases.record_attempt(case, vip_manager, channel="phone", reached=True, reason="busy", note="下周再约")
    mine = CareTask.objects.get(pk=mine.pk)
    assert mine.state == CareTask.State.DONE
    assert (mine.outcome, mine.dormant_reason) == ("reached", "busy")
    # Only the person who made the call had it on their day.
    assert CareTask.objects.get(pk=theirs.pk).state == CareTask.State.OPEN
    # One call, one line in the member's history.
    assert ContactLog.objects.filter(member=case.member).count() == 1


def test_another_vip_manager_cannot_record_on_someones_case(case, colleague):
    with pytest.raises(ActionRefused, match="not yours"):
        cases.record_attempt(case, colleague, channel="phone", reached=False)
    assert not RevivalAttempt.objects.exists()


def test_the_store_manager_may_record_and_another_stores_may_not(case, store_manager, other_manager):
    cases.record_attempt(case, store_manager, channel="visit", reached=True, reason="service")
    assert fresh(case).attempts_count == 1
    with pytest.raises(ActionRefused):
        cases.record_attempt(fresh(case), other_manager, channel="phone", reached=False)
    assert fresh(case).attempts_count == 1


def test_no_attempt_once_the_campaign_is_closed(store, member, vip_manager):
    closed = rv.campaign(store, name="十一月", state=RevivalCampaign.State.CLOSED)
    case = rv.case(closed, member, vip_manager)
    with pytest.raises(ActionRefused, match="not open"):
        cases.record_attempt(case, vip_manager, channel="phone", reached=False)
    assert not ContactLog.objects.exists()


def test_a_past_next_step_and_another_members_visit_are_refused(case, vip_manager, store):
    from tests.factories import AppointmentFactory

    with pytest.raises(ActionRefused, match="later date"):
        cases.record_attempt(
            case,
            vip_manager,
            channel="phone",
            reached=False,
            next_step_on=timezone.localdate() - dt.timedelta(days=1),
        )
    other_visit = AppointmentFactory(store=store, member=MemberFactory(store=store), host=vip_manager)
    with pytest.raises(ActionRefused, match="upcoming visits"):
        cases.record_attempt(case, vip_manager, channel="phone", reached=False, appointment=other_visit)
    assert not RevivalAttempt.objects.exists()


def test_guidance_by_the_store_manager_alerts_the_staff_member(case, store_manager, vip_manager):
    cases.add_guidance(case, store_manager, "晚上七点后打，先问候家人")
    assert "晚上七点后打" in fresh(case).guidance
    alert = Alert.objects.get(recipient=vip_manager, kind="revival.guidance")
    assert alert.link == f"/tasks/revival/cases/{case.pk}/"
    cases.add_guidance(fresh(case), store_manager, "可以提出报销车费")
    assert fresh(case).guidance.count("\n") == 1


@pytest.mark.parametrize("who", ["vip_manager", "other_manager", "front_desk"])
def test_only_the_store_manager_guides_reassigns_and_closes(case, colleague, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(ActionRefused):
        cases.add_guidance(case, actor, "x")
    with pytest.raises(ActionRefused):
        cases.reassign_case(case, actor, colleague)
    with pytest.raises(ActionRefused):
        cases.mark_lost(case, actor, "x")
    case = fresh(case)
    assert (case.guidance, case.staff_id, case.state) == ("", case.staff_id, RevivalCase.State.OPEN)
    assert not AuditEntry.objects.filter(action__startswith="revival.").exists()


def test_reassigning_moves_the_share_and_target(case, campaign, store_manager, vip_manager, colleague):
    cases.reassign_case(case, store_manager, colleague)
    assert fresh(case).staff == colleague
    former = RevivalQuota.objects.get(campaign=campaign, staff=vip_manager)
    given = RevivalQuota.objects.get(campaign=campaign, staff=colleague)
    assert (former.share, former.target) == (4, 1)  # 20% of 4, rounded up
    assert (given.share, given.target) == (1, 1)
    assert set(Alert.objects.filter(kind="revival.case_reassigned").values_list("recipient", flat=True)) == {
        vip_manager.pk,
        colleague.pk,
    }
    # The case is now the colleague's to work; the former staff member's attempts are refused.
    with pytest.raises(ActionRefused):
        cases.record_attempt(fresh(case), vip_manager, channel="phone", reached=False)
    cases.record_attempt(fresh(case), colleague, channel="phone", reached=False)


def test_reassigning_to_someone_who_does_not_work_cases_is_refused(case, store_manager, front_desk):
    with pytest.raises(ActionRefused, match="does not work revival cases"):
        cases.reassign_case(case, store_manager, front_desk)
    assert fresh(case).staff_id == case.staff_id


def test_lost_for_good_with_a_reason(case, store_manager, vip_manager):
    with pytest.raises(ActionRefused, match="reason"):
        cases.mark_lost(case, store_manager, "  ")
    cases.mark_lost(case, store_manager, "移居海外")
    case = fresh(case)
    assert (case.state, case.closed_reason) == (RevivalCase.State.LOST, "移居海外")
    assert Alert.objects.filter(recipient=vip_manager, kind="revival.case_lost").exists()
    with pytest.raises(ActionRefused):
        cases.record_attempt(case, vip_manager, channel="phone", reached=False)


def test_quota_target_rounds_up():
    assert [cases.quota_target(share, 20) for share in (0, 1, 5, 6)] == [0, 1, 1, 2]
    assert cases.quota_target(3, 100) == 3
    assert Decimal(cases.quota_target(10, 15)) == 2


def test_reassigning_a_case_that_moved_meanwhile_is_refused(case, store_manager, colleague, store):
    third = StaffFactory(username="vip3", display_name="孙悦", store=store, roles=[Role.VIP_MANAGER])
    stale = case
    cases.reassign_case(case, store_manager, colleague)
    with pytest.raises(ActionRefused, match="meanwhile"):
        cases.reassign_case(stale, store_manager, third)
    assert fresh(case).staff == colleague
    assert not RevivalQuota.objects.filter(staff=third).exists()
