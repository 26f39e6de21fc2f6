"""Two tablets at once on PostgreSQL: one wins, the other is told why, nothing is half-written."""

import pytest

from complaints import actions
from complaints.models import Complaint, Team, TeamMembership
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

State = Complaint.State


def record(store, actor, category, member=None):
    return actions.record_complaint(
        actor=actor,
        store=store,
        member=member or MemberFactory(store=store),
        category=category,
        channel="counter",
        severity="medium",
        description="Scratched watch glass.",
    )


def test_two_handlers_take_the_same_complaint(clock, store, quality, store_manager):
    complaint = record(store, store_manager, quality)  # nobody to route to yet
    assert complaint.state == State.NEW
    first, second = (StaffFactory(store=store, roles=[Role.COMPLAINT_HANDLER]) for _ in range(2))
    outcome = race(
        lambda: actions.take(complaint, actor=first), lambda: actions.take(complaint, actor=second)
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1 and len(outcome.refusals) == 1
    assert outcome.refusals[0].startswith("Already")
    winner = outcome.results[0].handler
    assert Complaint.objects.get(pk=complaint.pk).handler == winner


def test_two_complaints_recorded_at_once_go_to_two_handlers(clock, store, quality, store_manager, front_desk):
    team = Team.objects.get(store=store, is_default=True)
    people = [StaffFactory(store=store, roles=[Role.COMPLAINT_HANDLER]) for _ in range(2)]
    TeamMembership.objects.bulk_create(TeamMembership(team=team, staff=person) for person in people)
    members = [MemberFactory(store=store) for _ in range(2)]
    outcome = race(
        lambda: record(store, store_manager, quality, members[0]),
        lambda: record(store, front_desk, quality, members[1]),
    )
    assert outcome.overlapped and not outcome.refusals
    assert {complaint.handler for complaint in outcome.results} == set(people)


def test_approve_and_decline_at_once(clock, store, member, quality, complaint_handler, store_manager):
    from decimal import Decimal

    from complaints.models import ComplaintSettings
    from concierge.models import Staff

    ComplaintSettings.objects.create(store=store, default_budget=Decimal("0"))
    complaint = record(store, store_manager, quality, member)
    complaint = actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="ok")
    complaint = actions.resolve(
        complaint, actor=complaint_handler, solution="Refund", compensation="refund", value=Decimal("900")
    )
    deputy = StaffFactory(store=store, roles=[Role.STORE_MANAGER])
    deputy = Staff.objects.get(pk=deputy.pk)
    outcome = race(
        lambda: actions.approve(complaint, actor=store_manager, note="ok"),
        lambda: actions.decline(complaint, actor=deputy, note="Too much."),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1 and len(outcome.refusals) == 1
    final = Complaint.objects.get(pk=complaint.pk)
    assert final.state in (State.RESOLVED, State.IN_PROGRESS)
    assert final.approval in (Complaint.Approval.APPROVED, Complaint.Approval.DECLINED)


def test_feedback_twice_at_once_reopens_once(clock, store, member, quality, complaint_handler, store_manager):
    complaint = record(store, store_manager, quality, member)
    complaint = actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="ok")
    complaint = actions.resolve(complaint, actor=complaint_handler, solution="Polished.")

    def unhappy(actor):
        return lambda: actions.record_feedback(
            complaint, actor=actor, satisfied=False, score=1, note="Still scratched."
        )

    outcome = race(unhappy(complaint_handler), unhappy(store_manager))
    assert outcome.overlapped
    assert len(outcome.results) == 1 and len(outcome.refusals) == 1
    final = Complaint.objects.get(pk=complaint.pk)
    assert final.state == State.REOPENED and final.reopen_count == 1
    assert Complaint.objects.count() == 1
