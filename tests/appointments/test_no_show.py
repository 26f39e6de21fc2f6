"""No-shows marked by tick N minutes after the start, and undone by the host or the desk with a reason."""

import datetime as dt

import pytest

from concierge.appointments import visits
from concierge.errors import ActionRefused
from concierge.models import Alert, AuditEntry, ReceptionSettings
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(store, member, vip_manager, room, clock):
    return make_visit(store, member, vip_manager, at(2026, 12, 1, 10, 0), room=room)


def tick(clock):
    return visits.mark_no_shows(as_of=clock.now.date())


def test_a_visit_nobody_came_to_is_a_no_show_after_the_minutes(
    booked, vip_manager, clock, django_capture_on_commit_callbacks
):
    clock.set(2026, 12, 1, 10, 29, 59)
    assert tick(clock) == {"no_shows": 0}
    clock.set(2026, 12, 1, 10, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick(clock) == {"no_shows": 1}
    visit = fresh(booked)
    assert (visit.state, visit.no_show_at) == (State.NO_SHOW, clock.now)
    entry = AuditEntry.objects.get(action="appointment.no_show")
    assert (entry.actor, entry.from_state) == (None, "requested")
    assert Alert.objects.get(kind="appointment.no_show").recipient == vip_manager
    assert tick(clock) == {"no_shows": 0}  # once


@pytest.mark.parametrize("state", [State.CONFIRMED, State.PREPARED])
def test_confirmed_and_ready_visits_too(store, member, vip_manager, clock, state):
    visit = make_visit(store, member, vip_manager, at(2026, 12, 1, 9, 0), state=state)
    assert tick(clock) == {"no_shows": 1}
    assert fresh(visit).state == State.NO_SHOW


@pytest.mark.parametrize("state", [State.ARRIVED, State.CANCELLED, State.COMPLETED])
def test_visits_that_came_or_were_cancelled_are_left_alone(store, member, vip_manager, clock, state):
    make_visit(store, member, vip_manager, at(2026, 12, 1, 9, 0), state=state)
    assert tick(clock) == {"no_shows": 0}


def test_the_stores_own_minutes(booked, store, clock):
    ReceptionSettings.objects.create(store=store, no_show_minutes=45)
    clock.set(2026, 12, 1, 10, 44)
    assert tick(clock) == {"no_shows": 0}
    clock.set(2026, 12, 1, 10, 45)
    assert tick(clock) == {"no_shows": 1}


def test_the_idle_tick_is_one_query(booked, clock, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert tick(clock) == {"no_shows": 0}


# Undo -------------------------------------------------------------------------------------------


@pytest.fixture
def missed(booked, clock):
    clock.set(2026, 12, 1, 10, 31)
    tick(clock)
    return fresh(booked)


@pytest.mark.parametrize("who", ["vip_manager", "front_desk", "store_manager"])
def test_the_host_or_the_desk_undo_a_no_show_with_a_reason(request, missed, who, clock):
    actor = request.getfixturevalue(who)
    visits.undo_no_show(missed, actor=actor, reason="Came late, stuck in traffic")
    visit = fresh(missed)
    assert visit.state == State.REQUESTED
    assert (visit.no_show_at, visit.no_show_undone_at) == (None, clock.now)
    entry = AuditEntry.objects.get(action="appointment.no_show_undone")
    assert (entry.actor, entry.data) == (actor, {"reason": "Came late, stuck in traffic"})


def test_an_undone_ready_visit_is_ready_again(store, member, vip_manager, clock):
    visit = make_visit(
        store, member, vip_manager, at(2026, 12, 1, 9, 0), state=State.PREPARED, prepared_at=clock.now
    )
    tick(clock)
    visits.undo_no_show(fresh(visit), actor=vip_manager, reason="wrong")
    assert fresh(visit).state == State.PREPARED


@pytest.mark.parametrize("who", ["complaint_handler", "other_manager"])
def test_others_may_not_undo(request, missed, who):
    with pytest.raises(ActionRefused):
        visits.undo_no_show(missed, actor=request.getfixturevalue(who), reason="x")
    assert fresh(missed).state == State.NO_SHOW


def test_a_reason_is_required(missed, vip_manager, english):
    with pytest.raises(ActionRefused, match="why"):
        visits.undo_no_show(missed, actor=vip_manager, reason="  ")


def test_only_a_no_show_is_undone(booked, vip_manager):
    with pytest.raises(ActionRefused):
        visits.undo_no_show(booked, actor=vip_manager, reason="x")


def test_tick_waits_the_minutes_again_after_an_undo(missed, vip_manager, clock):
    visits.undo_no_show(missed, actor=vip_manager, reason="on her way")
    clock.advance(minutes=29)
    assert tick(clock) == {"no_shows": 0}
    clock.advance(minutes=1)
    assert tick(clock) == {"no_shows": 1}


def test_undo_refused_when_the_host_was_booked_meanwhile(missed, store, vip_manager, english):
    make_visit(store, MemberFactory(store=store, name="李先生"), vip_manager, at(2026, 12, 1, 10, 30))
    with pytest.raises(ActionRefused, match="李先生"):
        visits.undo_no_show(missed, actor=vip_manager, reason="came late")
    assert fresh(missed).state == State.NO_SHOW


def test_undo_refused_when_the_room_was_booked_meanwhile(missed, store, room, store_manager, english):
    other = MemberFactory(store=store, name="李先生")
    make_visit(store, other, store_manager, at(2026, 12, 1, 9, 30), room=room)
    with pytest.raises(ActionRefused, match="贵宾室一"):
        visits.undo_no_show(missed, actor=store_manager, reason="came late")


def test_a_cancelled_visit_in_the_slot_does_not_block_the_undo(missed, store, vip_manager):
    make_visit(store, MemberFactory(store=store), vip_manager, at(2026, 12, 1, 10, 0), state=State.CANCELLED)
    visits.undo_no_show(missed, actor=vip_manager, reason="came late")
    assert fresh(missed).state == State.REQUESTED


@pytest.mark.postgres
def test_the_constraint_refuses_what_the_check_did_not_see(missed, store, vip_manager, monkeypatch, english):
    # A booking that commits between the check and the save: the exclusion constraint has the last word.
    make_visit(store, MemberFactory(store=store), vip_manager, at(2026, 12, 1, 10, 15))
    monkeypatch.setattr(visits, "slot_problem", lambda appointment: None)
    with pytest.raises(ActionRefused, match="meanwhile"):
        visits.undo_no_show(missed, actor=vip_manager, reason="came late")
    assert fresh(missed).state == State.NO_SHOW


def test_the_undo_shows_in_the_history(missed, vip_manager, english):
    from concierge.appointments.timeline import timeline

    visits.undo_no_show(missed, actor=vip_manager, reason="Came late")
    assert [(s.who, s.text, s.note) for s in timeline(missed)] == [
        ("System", "The member did not come: marked as a no-show.", ""),
        ("王丽", "Undid the no-show.", "Came late"),
    ]


def test_ends_exactly_on_the_minutes_count(booked, clock):
    clock.now = booked.starts_at + dt.timedelta(minutes=30)
    assert tick(clock) == {"no_shows": 1}
