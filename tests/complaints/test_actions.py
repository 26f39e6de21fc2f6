"""The complaint workflow through its actions: every transition per role and store, the SLA
clock on the complaint, approval over budget, feedback, reopening, the outreach hold and the
apology task."""

import datetime as dt
from decimal import Decimal

import pytest

from complaints import actions
from complaints.models import CompensationBudget, Complaint, ComplaintSettings, SlaPolicy
from concierge.errors import ActionRefused
from concierge.models import Alert, Assignment, AuditEntry
from concierge.roles import Role
from tasks.models import CareTask
from tests.complaints.conftest import at
from tests.factories import MemberFactory, StaffFactory, TierFactory, TierProgramFactory

State = Complaint.State


def fresh(obj):
    """A protected state field cannot be refreshed in place: read the row again."""
    return type(obj).objects.get(pk=obj.pk)


def record(store, actor, category, member=None, **extra):
    fields = {
        "channel": Complaint.Channel.COUNTER,
        "severity": "medium",
        "description": "The zip of a new handbag broke on the second day.",
    }
    fields.update(extra)
    return actions.record_complaint(actor=actor, store=store, member=member, category=category, **fields)


def contacted(complaint, handler):
    return actions.record_contact(complaint, actor=handler, channel="phone", note="Called her back.")


@pytest.fixture
def complaint(clock, store, member, quality, complaint_handler, nine_to_five):
    return record(store, complaint_handler, quality, member)


# ---- recording -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_every_store_role_may_record(request, clock, store, member, quality, persona):
    complaint = record(store, request.getfixturevalue(persona), quality, member)
    assert complaint.pk and complaint.store == store
    assert AuditEntry.objects.filter(action="complaint.recorded", object_id=str(complaint.pk)).exists()


def test_another_stores_manager_cannot_record_here(clock, store, member, quality, other_manager):
    with pytest.raises(ActionRefused):
        record(store, other_manager, quality, member)
    assert not Complaint.objects.exists()


def test_a_member_of_another_store_is_refused(clock, store, other_store, quality, complaint_handler):
    stranger = MemberFactory(store=other_store)
    with pytest.raises(ActionRefused):
        record(store, complaint_handler, quality, stranger)
    assert not Complaint.objects.exists()


def test_a_hidden_category_is_refused(clock, store, member, quality, complaint_handler):
    quality.active = False
    quality.save()
    with pytest.raises(ActionRefused):
        record(store, complaint_handler, quality, member)


def test_a_walk_in_customer_needs_a_name(clock, store, quality, complaint_handler):
    with pytest.raises(ActionRefused):
        record(store, complaint_handler, quality, None, customer_name="  ")
    walk_in = record(
        store, complaint_handler, quality, None, customer_name="刘女士", customer_phone="13900001111"
    )
    assert walk_in.customer == "刘女士" and walk_in.member is None


@pytest.mark.parametrize(
    "extra",
    [
        {"public_risk": True},
        {"channel": Complaint.Channel.HOTLINE_12315},
        {"description": "她说要打12315投诉"},
        {"wish": "Otherwise she will call the newspaper."},
        {"description": "说要找媒体曝光"},
    ],
)
def test_a_public_risk_is_flagged_and_critical(clock, store, member, quality, complaint_handler, extra):
    complaint = record(store, complaint_handler, quality, member, severity="low", **extra)
    assert complaint.public_risk
    assert complaint.severity == "critical"


def test_recording_alerts_the_members_vip_manager_and_the_handler(
    clock, store, member, quality, complaint_handler, vip_manager, front_desk
):
    Assignment.objects.create(
        store=member.store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE
    )
    complaint = record(store, front_desk, quality, member)
    assert Alert.objects.filter(
        recipient=vip_manager, kind="complaint.member", object_id=str(complaint.pk)
    ).exists()
    assert Alert.objects.filter(recipient=complaint_handler, kind="complaint.routed").exists()


# ---- the SLA clock on the complaint --------------------------------------------------------------


def test_deadlines_count_business_minutes(clock, store, member, quality, complaint_handler, nine_to_five):
    SlaPolicy.objects.create(
        store=store, severity="medium", first_contact_minutes=120, resolution_minutes=960
    )
    clock.set(2026, 12, 4, 16, 0)  # a Friday, an hour before closing
    complaint = record(store, complaint_handler, quality, member)
    assert complaint.contact_due_at == at(2026, 12, 7, 10, 0)  # Monday
    assert complaint.resolve_due_at == at(2026, 12, 8, 16, 0)  # 1 + 8 + 7 hours
    assert complaint.sla_target == Complaint.Target.CONTACT
    # Warned at 75 % of the time used: 30 minutes left.
    assert complaint.warn_at == at(2026, 12, 7, 9, 30)


def test_first_contact_keeps_its_business_minutes_and_watches_resolution(complaint, clock, complaint_handler):
    clock.advance(minutes=45)
    complaint = contacted(complaint, complaint_handler)
    assert complaint.state == State.IN_PROGRESS
    assert complaint.contact_minutes == 45
    assert complaint.sla_target == Complaint.Target.RESOLUTION
    assert complaint.next_escalation_at == complaint.resolve_due_at
    assert complaint.escalation_level == 0 and complaint.warned_at is None


def test_waiting_on_the_customer_stops_the_clock_over_a_night(complaint, clock, complaint_handler):
    complaint = contacted(complaint, complaint_handler)
    due = complaint.resolve_due_at
    clock.set(2026, 12, 1, 16, 0)
    complaint = actions.wait_on_customer(
        complaint, actor=complaint_handler, note="She will bring the receipt."
    )
    assert complaint.state == State.WAITING and complaint.paused_at == clock.now
    clock.set(2026, 12, 2, 10, 0)  # 17:00-9:00 is closed: 2 business hours waited
    complaint = actions.customer_answered(complaint, actor=complaint_handler)
    assert complaint.state == State.IN_PROGRESS and complaint.paused_at is None
    assert complaint.paused_minutes == 120
    # Due moved on by exactly the 120 business minutes waited.
    assert due == at(2026, 12, 9, 10, 0)
    assert complaint.resolve_due_at == at(2026, 12, 9, 12, 0)
    clock.set(2026, 12, 2, 11, 0)
    complaint = actions.resolve(complaint, actor=complaint_handler, solution="Repaired free of charge.")
    # 10:00 Tue -> 11:00 Wed is 9 business hours (7 + 2), 2 of them waited.
    assert complaint.resolve_minutes == 7 * 60


# ---- per role: who may work a complaint ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "handler2", "other_manager"])
def test_only_its_handler_or_the_store_manager_works_it(request, complaint, persona):
    someone = request.getfixturevalue(persona)
    with pytest.raises(ActionRefused):
        contacted(complaint, someone)
    complaint = fresh(complaint)
    assert complaint.state == State.ROUTED


def _over_budget(complaint, handler):
    ComplaintSettings.objects.create(store=complaint.store, default_budget=Decimal("10"))
    return actions.resolve(
        contacted(complaint, handler),
        actor=handler,
        solution="Refund",
        compensation="refund",
        value=Decimal("800"),
    )


def _waiting(complaint, handler):
    return actions.wait_on_customer(
        contacted(complaint, handler), actor=handler, note="She checks the receipt."
    )


def _team(complaint):
    from complaints.models import Team

    return Team.objects.create(store=complaint.store, name="After-sales")


# (the action, how to bring the complaint to where it may run, the personas that must be refused)
WORKING = ["vip_manager", "front_desk", "handler2", "other_manager"]
FOLLOWING_UP = ["vip_manager", "front_desk", "other_manager"]
MANAGING = ["complaint_handler", "handler2", "vip_manager", "other_manager"]
REFUSALS = [
    ("wait_on_customer", contacted, {"note": "Checking."}, WORKING),
    ("customer_answered", _waiting, {"note": "Found it."}, WORKING),
    ("resolve", contacted, {"solution": "Repaired."}, WORKING),
    ("reroute", contacted, {"reason": "Their counter.", "team": _team}, WORKING),
    ("approve", _over_budget, {"note": "Fine."}, MANAGING),
    ("decline", _over_budget, {"note": "A repair instead."}, MANAGING),
    ("record_feedback", None, {"satisfied": False, "score": 2}, FOLLOWING_UP),
    ("close_without_feedback", None, {}, FOLLOWING_UP),
]


@pytest.mark.parametrize(
    ("name", "persona"),
    [(name, persona) for name, _setup, _kwargs, personas in REFUSALS for persona in personas],
)
def test_every_later_transition_refuses_the_wrong_person(
    request, complaint, complaint_handler, name, persona
):
    step, kwargs = next((setup, kwargs) for n, setup, kwargs, _p in REFUSALS if n == name)
    complaint = (step or resolved)(complaint, complaint_handler)
    kwargs = {key: value(complaint) if callable(value) else value for key, value in kwargs.items()}
    before = fresh(complaint)
    with pytest.raises(ActionRefused):
        getattr(actions, name)(complaint, actor=request.getfixturevalue(persona), **kwargs)
    after = fresh(complaint)
    assert (after.state, after.handler_id, after.team_id) == (before.state, before.handler_id, before.team_id)


def test_the_store_manager_may_work_any(complaint, store_manager):
    complaint = contacted(complaint, store_manager)
    assert complaint.state == State.IN_PROGRESS


def test_an_unassigned_complaint_is_taken(clock, store, member, quality, store_manager, nine_to_five):
    complaint = record(store, store_manager, quality, member)  # no handler in the store yet
    assert complaint.state == State.NEW and complaint.handler is None
    handler = StaffFactory(store=store, roles=[Role.COMPLAINT_HANDLER])
    complaint = actions.take(complaint, actor=handler)
    assert complaint.state == State.ROUTED and complaint.handler == handler
    with pytest.raises(ActionRefused):
        actions.take(complaint, actor=store_manager)


def test_reassign_is_the_store_managers(complaint, complaint_handler, handler2, store_manager, other_manager):
    with pytest.raises(ActionRefused):
        actions.reassign(complaint, actor=complaint_handler, handler=handler2)
    with pytest.raises(ActionRefused):
        actions.reassign(complaint, actor=other_manager, handler=handler2)
    complaint = actions.reassign(
        complaint, actor=store_manager, handler=handler2, reason="She knows the brand."
    )
    assert complaint.handler == handler2
    assert Alert.objects.filter(recipient=handler2, kind="complaint.routed").count() == 1
    assert Alert.objects.filter(recipient=complaint_handler, kind="complaint.reassigned").exists()


def test_cancel_as_a_duplicate(complaint, clock, store, member, quality, complaint_handler, vip_manager):
    second = record(store, vip_manager, quality, member)
    with pytest.raises(ActionRefused):
        actions.cancel(second, actor=vip_manager, reason="duplicate", duplicate_of=complaint)
    with pytest.raises(ActionRefused):
        actions.cancel(second, actor=second.handler, reason="", duplicate_of=complaint)
    second = actions.cancel(second, actor=second.handler, reason="Recorded twice.", duplicate_of=complaint)
    assert second.state == State.CANCELLED and second.duplicate_of == complaint
    with pytest.raises(ActionRefused):
        contacted(second, second.handler)


# ---- resolving, approval over budget, the apology task ------------------------------------------


def test_within_budget_it_is_resolved_and_the_vip_manager_gets_an_apology_task(
    complaint, member, complaint_handler, vip_manager
):
    Assignment.objects.create(
        store=member.store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE
    )
    complaint = contacted(complaint, complaint_handler)
    complaint = actions.resolve(
        complaint,
        actor=complaint_handler,
        solution="A new bag.",
        compensation="exchange",
        value=Decimal("300"),
    )
    assert complaint.state == State.RESOLVED and complaint.approval == ""
    task = CareTask.objects.get(member=member, kind=CareTask.Kind.APOLOGY)
    assert task.assignee == vip_manager and task.state == CareTask.State.OPEN
    assert complaint.number in task.reason
    assert Alert.objects.filter(recipient=vip_manager, kind="care_task.apology").exists()


def test_without_a_vip_manager_the_apology_goes_to_the_pool(complaint, member, complaint_handler):
    complaint = contacted(complaint, complaint_handler)
    actions.resolve(complaint, actor=complaint_handler, solution="Apologised.")
    assert CareTask.objects.get(member=member, kind=CareTask.Kind.APOLOGY).assignee is None


def test_over_the_tiers_budget_it_waits_for_the_store_manager(
    clock, store, quality, complaint_handler, store_manager, nine_to_five
):
    program = TierProgramFactory()
    gold = TierFactory(program=program, name="金卡", rank=2)
    CompensationBudget.objects.create(store=store, tier=gold, amount=Decimal("500"))
    CompensationBudget.objects.create(store=store, tier=None, amount=Decimal("100"))
    golden = MemberFactory(store=store, tier=gold)
    plain = MemberFactory(store=store)

    within = contacted(record(store, complaint_handler, quality, golden), complaint_handler)
    within = actions.resolve(
        within, actor=complaint_handler, solution="Voucher", compensation="voucher", value=Decimal("500")
    )
    assert within.state == State.RESOLVED

    over = contacted(record(store, complaint_handler, quality, plain), complaint_handler)
    over = actions.resolve(
        over, actor=complaint_handler, solution="Refund", compensation="refund", value=Decimal("100.01")
    )
    assert over.state == State.AWAITING_APPROVAL and over.approval == Complaint.Approval.PENDING
    assert Alert.objects.filter(recipient=store_manager, kind="complaint.approval").exists()
    assert not CareTask.objects.filter(member=plain, kind=CareTask.Kind.APOLOGY).exists()

    with pytest.raises(ActionRefused):
        actions.approve(over, actor=complaint_handler)
    over = actions.approve(over, actor=store_manager, note="Fine.")
    assert over.state == State.RESOLVED and over.approval == Complaint.Approval.APPROVED
    assert over.resolved_by == complaint_handler
    assert Alert.objects.filter(recipient=complaint_handler, kind="complaint.approved").exists()
    assert CareTask.objects.filter(member=plain, kind=CareTask.Kind.APOLOGY).exists()


def test_a_declined_compensation_goes_back_to_the_handler(complaint, complaint_handler, store_manager):
    ComplaintSettings.objects.create(store=complaint.store, default_budget=Decimal("10"))
    complaint = contacted(complaint, complaint_handler)
    complaint = actions.resolve(
        complaint, actor=complaint_handler, solution="Refund", compensation="refund", value=Decimal("800")
    )
    with pytest.raises(ActionRefused):
        actions.decline(complaint, actor=store_manager, note="")
    complaint = actions.decline(complaint, actor=store_manager, note="Offer a repair instead.")
    assert complaint.state == State.IN_PROGRESS and complaint.approval == Complaint.Approval.DECLINED
    assert Alert.objects.filter(recipient=complaint_handler, kind="complaint.declined").exists()
    # A repair within the budget: resolved, and its value counts as spent, not as declined.
    complaint = actions.resolve(
        complaint, actor=complaint_handler, solution="Repair", compensation="repair", value=Decimal("10")
    )
    assert complaint.state == State.RESOLVED and complaint.approval == Complaint.Approval.NOT_NEEDED


def test_compensation_needs_a_kind_and_a_value(complaint, complaint_handler):
    complaint = contacted(complaint, complaint_handler)
    with pytest.raises(ActionRefused):
        actions.resolve(complaint, actor=complaint_handler, solution="x", compensation="gift", value=None)
    with pytest.raises(ActionRefused):
        actions.resolve(complaint, actor=complaint_handler, solution="x", compensation="", value=Decimal("5"))
    with pytest.raises(ActionRefused):
        actions.resolve(complaint, actor=complaint_handler, solution=" ")
    complaint = fresh(complaint)
    assert complaint.state == State.IN_PROGRESS and complaint.solution == ""


# ---- feedback and reopening ----------------------------------------------------------------------


def resolved(complaint, handler):
    return actions.resolve(contacted(complaint, handler), actor=handler, solution="Repaired.")


def test_satisfied_feedback_closes_it(complaint, complaint_handler):
    complaint = actions.record_feedback(
        resolved(complaint, complaint_handler), actor=complaint_handler, satisfied=True, score=5
    )
    assert complaint.state == State.CLOSED and complaint.score == 5 and complaint.satisfied


def test_unhappy_within_the_grace_period_reopens_the_same_case(complaint, clock, complaint_handler):
    complaint = resolved(complaint, complaint_handler)
    clock.advance(days=6)
    with pytest.raises(ActionRefused):
        actions.record_feedback(complaint, actor=complaint_handler, satisfied=False, score=2, note="")
    again = actions.record_feedback(
        complaint, actor=complaint_handler, satisfied=False, score=2, note="The zip broke again."
    )
    assert again.pk == complaint.pk
    assert again.state == State.REOPENED and again.reopen_count == 1
    assert again.handler == complaint_handler and again.resolved_at is None
    assert again.sla_target == Complaint.Target.CONTACT and again.contact_due_at > clock.now
    assert Complaint.objects.count() == 1


def test_unhappy_after_the_grace_period_opens_a_linked_case(complaint, clock, complaint_handler):
    complaint = resolved(complaint, complaint_handler)
    resolved_at = complaint.resolved_at
    clock.advance(days=7, minutes=1)
    follow_up = actions.record_feedback(
        complaint, actor=complaint_handler, satisfied=False, score=1, note="Still broken."
    )
    complaint = fresh(complaint)
    assert follow_up.pk != complaint.pk and follow_up.follows == complaint
    assert complaint.state == State.CLOSED and complaint.resolved_at == resolved_at  # its figures stand
    assert follow_up.state == State.ROUTED and follow_up.handler == complaint_handler
    assert follow_up.description == "Still broken."


def test_a_closed_case_is_reopened_or_followed_up(complaint, clock, complaint_handler, front_desk):
    complaint = actions.record_feedback(
        resolved(complaint, complaint_handler), actor=complaint_handler, satisfied=True, score=4
    )
    with pytest.raises(ActionRefused):
        actions.reopen(
            complaint, actor=front_desk, reason="Unhappy again."
        )  # front desk records, not reopens
    complaint = actions.reopen(complaint, actor=complaint_handler, reason="Unhappy again.")
    assert complaint.state == State.REOPENED
    with pytest.raises(ActionRefused):
        actions.reopen(complaint, actor=complaint_handler, reason="Twice?")


def test_a_cancelled_case_is_not_reopened(complaint, complaint_handler):
    complaint = actions.cancel(complaint, actor=complaint_handler, reason="Recorded by mistake.")
    with pytest.raises(ActionRefused):
        actions.reopen(complaint, actor=complaint_handler, reason="x")


# ---- the outreach hold ---------------------------------------------------------------------------


def test_the_outreach_pause_is_set_and_lifted_by_the_complaint(
    complaint, member, complaint_handler, vip_manager
):
    from tasks import actions as care

    member.refresh_from_db()
    assert member.outreach_held
    with pytest.raises(ActionRefused):
        care.resume_outreach(member, actor=vip_manager)
    with pytest.raises(ActionRefused):
        care.pause_outreach(member, actor=vip_manager, until=dt.date(2027, 1, 1), reason="x")
    complaint = resolved(complaint, complaint_handler)
    member.refresh_from_db()
    assert member.outreach_held  # until the customer's feedback closes it
    actions.record_feedback(complaint, actor=complaint_handler, satisfied=True, score=5)
    member.refresh_from_db()
    assert member.outreach_paused_until is None and member.outreach_pause_reason == ""


def test_a_pause_set_by_hand_before_comes_back(clock, store, member, quality, complaint_handler, vip_manager):
    from tasks import actions as care

    care.pause_outreach(member, actor=vip_manager, until=dt.date(2027, 3, 1), reason="Mourning")
    complaint = record(store, complaint_handler, quality, member)
    member.refresh_from_db()
    assert member.outreach_held
    actions.cancel(complaint, actor=complaint_handler, reason="Recorded twice.")
    member.refresh_from_db()
    assert member.outreach_paused_until == dt.date(2027, 3, 1) and member.outreach_pause_reason == "Mourning"


def test_two_open_complaints_hold_until_the_last_ends(clock, store, member, quality, complaint_handler):
    first = record(store, complaint_handler, quality, member)
    second = record(store, complaint_handler, quality, member)
    actions.cancel(first, actor=complaint_handler, reason="Recorded twice.")
    member.refresh_from_db()
    assert member.outreach_held
    second = fresh(second)
    assert second.holds_outreach
    actions.cancel(second, actor=complaint_handler, reason="Withdrawn.")
    member.refresh_from_db()
    assert member.outreach_paused_until is None


def test_held_win_back_calls_wait_and_come_back(complaint, member, complaint_handler, clock):
    call = CareTask.objects.create(
        store=member.store,
        member=member,
        kind=CareTask.Kind.DORMANT_CALL,
        period="2026-06",
        due_date=clock.now.date(),
        reason="Dormant for 6 months",
    )
    # The call existed before the hold: recording another complaint must not touch it twice.
    assert call.state == CareTask.State.OPEN
    complaint = actions.cancel(complaint, actor=complaint_handler, reason="Withdrawn.")
    record(complaint.store, complaint_handler, complaint.category, member)
    call = fresh(call)
    assert call.state == CareTask.State.SNOOZED and call.snoozed_until == dt.date(9999, 12, 31)
