"""Arrivals through the kernel: check-in and the host's alert, "on my way", escalation, walk-ins."""

import datetime as dt

import pytest

from concierge.appointments import arrivals
from concierge.errors import ActionRefused
from concierge.models import Alert, Appointment, AuditEntry, ReceptionSettings, StaffAbsence, StaffBlock
from tests.appointments.arrivals_support import *  # noqa: F403  (the fixtures)
from tests.appointments.arrivals_support import at, fresh, visit
from tests.factories import MemberFactory

State = Appointment.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(store, member, vip_manager, lounge, clock):
    return visit(store, member, vip_manager, at(2026, 12, 1, 14, 0), room=lounge, party_size=2)


# ---- check-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["front_desk", "vip2", "store_manager"])
def test_the_stores_reception_checks_a_member_in(request, booked, persona, clock):
    ReceptionSettings.objects.create(store=booked.store, ack_minutes=7)
    actor = request.getfixturevalue(persona)
    arrivals.check_in_appointment(booked, actor=actor)
    booked = fresh(booked)
    assert booked.state == State.ARRIVED
    assert booked.arrived_at == clock.now
    assert booked.checked_in_by == actor
    assert booked.ack_due_at == clock.now + dt.timedelta(minutes=7)
    assert AuditEntry.objects.filter(action="appointment.checked_in", object_id=str(booked.pk)).count() == 1


@pytest.mark.parametrize("persona", ["complaint_handler", "other_manager"])
def test_others_cannot_check_in(request, booked, persona):
    with pytest.raises(ActionRefused):
        arrivals.check_in_appointment(booked, actor=request.getfixturevalue(persona))
    booked = fresh(booked)
    assert booked.state == State.CONFIRMED
    assert not Alert.objects.exists()


def test_a_second_check_in_says_who_was_first(booked, front_desk, store_manager, english):
    arrivals.check_in_appointment(booked, actor=front_desk)
    with pytest.raises(ActionRefused) as refused:
        arrivals.check_in_appointment(booked, actor=store_manager)
    assert "李娜" in refused.value.message


def test_the_host_is_alerted_after_commit(
    booked, front_desk, vip_manager, django_capture_on_commit_callbacks, inbox, english
):
    inbox.listen(vip_manager, front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        arrivals.check_in_appointment(booked, actor=front_desk)
    alert = Alert.objects.get(recipient=vip_manager)
    assert alert.kind == "appointment.arrived"
    assert alert.link == f"/visits/{booked.pk}/arrived/"
    assert "Ms 张" in alert.text and "贵宾室一" in alert.text and "2" in alert.text
    got = inbox.received()
    assert [user for user, _html in got] == [vip_manager]
    assert "Ms 张" in got[0][1]
    assert not Alert.objects.filter(recipient=front_desk).exists()


def test_the_alert_uses_the_members_own_form_of_address(booked, front_desk, vip_manager, member):
    member.form_of_address = "张总"
    member.save()
    arrivals.check_in_appointment(booked, actor=front_desk)
    assert "张总" in Alert.objects.get(recipient=vip_manager).text


def test_a_host_checking_in_their_own_vip_has_answered(booked, vip_manager):
    arrivals.check_in_appointment(booked, actor=vip_manager)
    booked = fresh(booked)
    assert booked.acknowledged_by == vip_manager
    assert not Alert.objects.exists()


# ---- on my way ------------------------------------------------------------------------------------


@pytest.fixture
def arrived(booked, front_desk):
    return arrivals.check_in_appointment(booked, actor=front_desk)


@pytest.mark.parametrize("persona", ["vip_manager", "store_manager", "vip2"])
def test_the_host_the_backup_or_the_manager_answers(request, arrived, persona, vip2, clock):
    Appointment.objects.filter(pk=arrived.pk).update(backup_host=vip2)
    actor = request.getfixturevalue(persona)
    clock.advance(minutes=2)
    arrivals.acknowledge_arrival(arrived, actor=actor)
    arrived = fresh(arrived)
    assert arrived.acknowledged_by == actor
    assert arrived.acknowledged_at == clock.now
    entry = AuditEntry.objects.get(action="appointment.acknowledged")
    assert entry.data["seconds"] == 120


@pytest.mark.parametrize("persona", ["front_desk", "vip2", "other_manager"])
def test_nobody_else_answers(request, arrived, persona):
    with pytest.raises(ActionRefused):
        arrivals.acknowledge_arrival(arrived, actor=request.getfixturevalue(persona))
    arrived = fresh(arrived)
    assert arrived.acknowledged_at is None


def test_answering_twice_says_who_answered(arrived, vip_manager, store_manager, english):
    arrivals.acknowledge_arrival(arrived, actor=vip_manager)
    with pytest.raises(ActionRefused) as refused:
        arrivals.acknowledge_arrival(arrived, actor=store_manager)
    assert "王丽 already answered at 14:00" in refused.value.message


def test_a_visit_not_arrived_has_nothing_to_answer(booked, vip_manager):
    with pytest.raises(ActionRefused):
        arrivals.acknowledge_arrival(booked, actor=vip_manager)


# ---- escalation ----------------------------------------------------------------------------------


def run_escalation(clock):
    return arrivals.escalate_unanswered_arrivals(as_of=clock.now.date())


def test_an_unanswered_arrival_reaches_the_backup_and_the_managers_once(
    arrived, vip2, store_manager, vip_manager, clock, english
):
    Appointment.objects.filter(pk=arrived.pk).update(backup_host=vip2)
    clock.advance(minutes=4)
    assert run_escalation(clock) == {}
    clock.advance(minutes=2)
    assert run_escalation(clock) == {"escalated_arrivals": 1}
    alerts = Alert.objects.filter(kind="appointment.unanswered")
    assert sorted(a.recipient_id for a in alerts) == sorted([vip2.pk, store_manager.pk])
    assert "王丽 has not answered" in alerts[0].text
    clock.advance(minutes=5)
    assert run_escalation(clock) == {}
    assert Alert.objects.filter(kind="appointment.unanswered").count() == 2
    arrived = fresh(arrived)
    assert arrived.ack_escalated_at is not None


def test_an_answered_arrival_is_not_escalated(arrived, vip_manager, clock):
    arrivals.acknowledge_arrival(arrived, actor=vip_manager)
    clock.advance(minutes=30)
    assert run_escalation(clock) == {}
    assert not Alert.objects.filter(kind="appointment.unanswered").exists()


def test_an_idle_tick_is_one_query(clock, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert run_escalation(clock) == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_escalate_once(arrived, vip2, store_manager, clock):
    from tests.races import race

    Appointment.objects.filter(pk=arrived.pk).update(backup_host=vip2)
    clock.advance(minutes=6)
    outcome = race(lambda: run_escalation(clock), lambda: run_escalation(clock))
    assert outcome.overlapped
    assert sorted(outcome.results, key=len) == [{}, {"escalated_arrivals": 1}]
    assert Alert.objects.filter(kind="appointment.unanswered").count() == 2


# ---- walk-ins ------------------------------------------------------------------------------------


def test_a_walk_in_starts_arrived_and_ends_before_the_hosts_next_visit(
    store, member, vip_manager, front_desk, clock, django_capture_on_commit_callbacks
):
    other = MemberFactory(store=store)
    visit(store, other, vip_manager, at(2026, 12, 1, 14, 40))
    with django_capture_on_commit_callbacks(execute=True):
        walked = arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="shopping")
    assert walked.state == State.ARRIVED and walked.walk_in
    assert walked.channel == Appointment.Channel.WALK_IN
    assert (walked.starts_at, walked.ends_at) == (clock.now, at(2026, 12, 1, 14, 40))
    assert walked.car_plate == "京A12345"
    assert walked.ack_due_at == clock.now + dt.timedelta(minutes=5)
    assert Alert.objects.get(recipient=vip_manager).kind == "appointment.arrived"


def test_a_walk_in_lasts_the_usual_length(store, member, vip_manager, front_desk, clock):
    ReceptionSettings.objects.create(store=store, default_minutes=45)
    walked = arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="lounge")
    assert walked.ends_at == clock.now + dt.timedelta(minutes=45)


def test_a_host_with_someone_else_is_refused_saying_until_when(
    store, member, vip_manager, front_desk, clock, english
):
    other = MemberFactory(store=store, name="王建国", gender="m")
    visit(store, other, vip_manager, at(2026, 12, 1, 13, 30), state=State.IN_SERVICE)
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="shopping")
    assert refused.value.message == "王丽 is with Mr 王 until 14:30: choose another host."


def test_a_visit_seen_off_early_frees_the_host(store, member, vip_manager, front_desk, clock):
    other = MemberFactory(store=store)
    done = visit(store, other, vip_manager, at(2026, 12, 1, 13, 30), state=State.COMPLETED)
    walked = arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="shopping")
    done = fresh(done)
    assert done.ends_at == clock.now == walked.starts_at


def test_a_host_off_or_blocked_is_refused(store, member, vip_manager, front_desk, clock, english):
    StaffAbsence.objects.create(
        store=store, staff=vip_manager, first_day=clock.now.date(), last_day=clock.now.date()
    )
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="shopping")
    assert "王丽 is off today" in refused.value.message
    StaffAbsence.objects.all().delete()
    StaffBlock.objects.create(
        store=store,
        staff=vip_manager,
        starts_at=at(2026, 12, 1, 13),
        ends_at=at(2026, 12, 1, 15),
        reason="培训",
    )
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="shopping")
    assert "busy until 15:00 (培训)" in refused.value.message
    assert not Appointment.objects.exists()


def test_a_room_in_use_or_too_small_is_refused(
    store, member, vip_manager, vip2, front_desk, lounge, clock, english
):
    visit(store, MemberFactory(store=store), vip2, at(2026, 12, 1, 13, 45), room=lounge, state=State.ARRIVED)
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(actor=front_desk, member=member, host=vip_manager, purpose="lounge", room=lounge)
    assert refused.value.message == "贵宾室一 is in use until 14:45: choose another room."
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(
            actor=front_desk, member=member, host=vip_manager, purpose="lounge", room=lounge, party_size=6
        )
    assert "seats 4" in refused.value.message


def test_a_member_with_a_booking_today_is_checked_in_instead(booked, member, vip2, front_desk, english):
    with pytest.raises(ActionRefused) as refused:
        arrivals.walk_in(actor=front_desk, member=member, host=vip2, purpose="shopping")
    assert "check that one in" in refused.value.message


def test_walk_ins_stay_in_their_store(store, member, vip_manager, other_manager, other_store, front_desk):
    with pytest.raises(ActionRefused):
        arrivals.walk_in(actor=other_manager, member=member, host=vip_manager, purpose="shopping")
    stranger = MemberFactory(store=other_store)
    with pytest.raises(ActionRefused):
        arrivals.walk_in(actor=front_desk, member=stranger, host=vip_manager, purpose="shopping")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_giving_one_host_two_walk_ins_at_once(store, vip_manager, front_desk, store_manager):
    from tests.races import race

    first, second = MemberFactory(store=store), MemberFactory(store=store)
    outcome = race(
        lambda: arrivals.walk_in(actor=front_desk, member=first, host=vip_manager, purpose="shopping"),
        lambda: arrivals.walk_in(actor=store_manager, member=second, host=vip_manager, purpose="shopping"),
    )
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == 1 and "choose another host" in outcome.refusals[0]
    assert Appointment.objects.count() == 1


def test_a_visit_of_another_day_is_not_checked_in(store, member, vip_manager, front_desk, clock, english):
    later = visit(store, member, vip_manager, at(2026, 12, 3, 14, 0))
    with pytest.raises(ActionRefused) as refused:
        arrivals.check_in_appointment(later, actor=front_desk)
    assert "booked for 2026-12-03" in refused.value.message
    assert fresh(later).state == State.CONFIRMED


def test_a_walk_in_is_hosted_by_a_vip_manager_or_the_store_manager(store, member, front_desk, clock):
    with pytest.raises(ActionRefused):
        arrivals.walk_in(actor=front_desk, member=member, host=front_desk, purpose="shopping")
    assert not Appointment.objects.exists()


def test_a_walk_in_locks_the_hosts_and_the_rooms_visits_in_order(
    store, member, vip_manager, vip2, front_desk, lounge, clock
):
    # The room's visit has the lower id: locking the host's first would break the kernel's order.
    room_visit = visit(
        store, MemberFactory(store=store), vip2, at(2026, 12, 1, 13, 30), room=lounge, state=State.COMPLETED
    )
    host_visit = visit(
        store, MemberFactory(store=store), vip_manager, at(2026, 12, 1, 13, 30), state=State.COMPLETED
    )
    walked = arrivals.walk_in(
        actor=front_desk, member=member, host=vip_manager, purpose="lounge", room=lounge
    )
    assert walked.room == lounge
    assert fresh(room_visit).ends_at == fresh(host_visit).ends_at == clock.now
