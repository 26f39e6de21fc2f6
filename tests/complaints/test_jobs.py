"""Warnings before a breach and the escalation levels after it: each sent once, however often
tick runs (and, on PostgreSQL, however many ticks run at once); resolved cases left without
feedback close when the grace period ends."""

import pytest

from complaints import actions
from complaints.jobs import close_unanswered_complaints, escalate_complaints, warn_complaints
from complaints.models import Complaint, ComplaintSettings, SlaPolicy, Team
from concierge.models import Alert
from concierge.roles import Role
from tests.complaints.conftest import at
from tests.factories import StaffFactory
from tests.races import race

State = Complaint.State


def tick():
    warn_complaints(as_of=None)
    escalate_complaints(as_of=None)


def kinds(user):
    return sorted(
        Alert.objects.filter(recipient=user, kind__startswith="complaint.").values_list("kind", flat=True)
    )


@pytest.fixture
def lead(store):
    person = StaffFactory(username="lead", display_name="孙主管", store=store, roles=[Role.COMPLAINT_HANDLER])
    team = Team.objects.get(store=store, is_default=True)
    team.lead = person
    team.save()
    return person


@pytest.fixture
def setup(store, nine_to_five):
    # First contact in 60 business minutes, warned at 75 %, a level every 30 minutes.
    SlaPolicy.objects.create(store=store, severity="medium", first_contact_minutes=60, resolution_minutes=480)
    ComplaintSettings.objects.create(store=store, warning_percent=75, escalation_step_minutes=30)


@pytest.fixture
def complaint(clock, setup, store, member, quality, complaint_handler, lead, store_manager):
    clock.set(2026, 12, 1, 16, 0)
    complaint = actions.record_complaint(
        actor=store_manager,
        store=store,
        member=member,
        category=quality,
        channel="phone",
        severity="medium",
        description="Late delivery.",
    )
    assert complaint.handler == complaint_handler
    Alert.objects.all().delete()
    return complaint


def test_warning_then_each_level_once(complaint, clock, complaint_handler, lead, store_manager):
    clock.set(2026, 12, 1, 16, 44)
    tick()
    assert kinds(complaint_handler) == []
    clock.set(2026, 12, 1, 16, 45)  # 45 of 60 minutes used
    tick()
    tick()
    assert kinds(complaint_handler) == ["complaint.warning"]
    clock.set(2026, 12, 2, 9, 15)  # 16:00 + 60 business minutes: due at 9:00 on Wednesday
    tick()
    tick()
    assert kinds(complaint_handler) == ["complaint.escalation.1", "complaint.warning"]
    assert kinds(lead) == []
    clock.set(2026, 12, 2, 9, 30)
    tick()
    assert kinds(lead) == ["complaint.escalation.2"]
    clock.set(2026, 12, 2, 10, 0)
    tick()
    tick()
    assert kinds(store_manager) == ["complaint.escalation.3"]
    clock.set(2026, 12, 3, 10, 0)
    tick()
    assert Alert.objects.filter(kind__startswith="complaint.").count() == 4
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalation_level == 3 and complaint.contact_breached and not complaint.resolve_breached


def test_no_escalation_while_the_clock_is_stopped_or_after_contact(complaint, clock, complaint_handler):
    clock.set(2026, 12, 1, 16, 10)
    actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="Called.")
    clock.set(2026, 12, 1, 16, 20)
    complaint = actions.wait_on_customer(complaint, actor=complaint_handler, note="Waiting for the receipt.")
    clock.set(2026, 12, 20, 10, 0)
    tick()
    assert Alert.objects.filter(kind__startswith="complaint.").count() == 0
    # The customer answers on a Sunday: 460 business minutes were left (16:20-17:00, then 9:00-16:00),
    # counted from Monday's opening.
    complaint = actions.customer_answered(complaint, actor=complaint_handler)
    assert complaint.resolve_due_at == at(2026, 12, 21, 16, 40)
    tick()
    assert Alert.objects.filter(kind__startswith="complaint.").count() == 0


def test_the_resolution_deadline_escalates_from_level_one_again(complaint, clock, complaint_handler, lead):
    clock.set(2026, 12, 2, 9, 30)
    for _missed_minute in range(3):  # a tick that was down catches up a level a minute
        tick()
    assert kinds(lead) == ["complaint.escalation.2"]
    complaint = actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="Sorry.")
    assert complaint.escalation_level == 0 and complaint.contact_breached
    clock.set(2026, 12, 3, 9, 30)  # 480 minutes from 9:30 Wednesday: due 9:30 Thursday
    tick()
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalation_level == 1 and complaint.resolve_breached


def test_an_unassigned_complaint_warns_the_team_lead(
    clock, setup, store, member, quality, lead, store_manager
):
    lead.is_active = True
    lead.groups.clear()  # not a handler: nobody to route to
    clock.set(2026, 12, 1, 16, 0)
    complaint = actions.record_complaint(
        actor=store_manager,
        store=store,
        member=member,
        category=quality,
        channel="phone",
        severity="medium",
        description="x",
    )
    assert complaint.state == State.NEW
    Alert.objects.all().delete()
    clock.set(2026, 12, 1, 16, 50)
    tick()
    assert kinds(lead) == ["complaint.warning"]


def test_resolved_without_feedback_closes_after_the_grace_period(complaint, clock, complaint_handler, member):
    complaint = actions.record_contact(complaint, actor=complaint_handler, channel="phone", note="Called.")
    complaint = actions.resolve(complaint, actor=complaint_handler, solution="Refund.")
    clock.advance(days=6)
    close_unanswered_complaints(as_of=None)
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVED
    clock.advance(days=1)
    close_unanswered_complaints(as_of=None)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.state == State.CLOSED and complaint.closed_without_feedback
    member.refresh_from_db()
    assert member.outreach_paused_until is None
    # Unhappy now, after the grace period: a new, linked case.
    follow_up = actions.reopen(complaint, actor=complaint_handler, reason="It broke again.")
    assert follow_up.follows_id == complaint.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_send_each_alert_once(clock, complaint, complaint_handler, lead, store_manager):
    moments = [
        at(2026, 12, 1, 16, 45),
        at(2026, 12, 2, 9, 15),
        at(2026, 12, 2, 9, 30),
        at(2026, 12, 2, 10, 0),
    ]
    for moment in moments:
        clock.now = moment
        outcome = race(tick, tick)
        assert outcome.overlapped
    assert kinds(complaint_handler) == ["complaint.escalation.1", "complaint.warning"]
    assert kinds(lead) == ["complaint.escalation.2"]
    assert kinds(store_manager) == ["complaint.escalation.3"]


def test_a_lead_who_handles_it_is_skipped_for_the_store_manager(
    complaint, clock, complaint_handler, lead, store_manager
):
    team = complaint.team
    team.lead = complaint_handler
    team.save()
    clock.set(2026, 12, 2, 9, 30)
    for _missed_minute in range(3):
        tick()
    assert kinds(complaint_handler) == ["complaint.escalation.1", "complaint.warning"]
    assert kinds(store_manager) == ["complaint.escalation.2"]
