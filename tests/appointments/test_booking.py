"""Booking, moving, changing, confirming and cancelling a visit (concierge.appointments.booking)."""

import datetime as dt

import pytest

from concierge.appointments import visits
from concierge.appointments.booking import (
    book_appointment,
    cancel_appointment,
    change_appointment,
    confirm_appointment,
    reschedule_appointment,
    update_needs,
)
from concierge.errors import ActionRefused
from concierge.models import Alert, Appointment, AuditEntry, PreparationItem, StaffAbsence
from tests.appointments.conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def refused(call, **kwargs):
    with pytest.raises(ActionRefused) as info:
        call(**kwargs)
    return info.value.message


# ---- booking --------------------------------------------------------------------------------------


def test_booking_writes_the_visit_its_checklist_audit_and_alerts(
    book, member, vip_manager, vip2, front_desk, lounge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = book(room=lounge, backup_host=vip2, party_size=3, drinks="龙井", car_plate="京a12345")
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.REQUESTED
    assert (visit.starts_at, visit.ends_at) == (at(2026, 12, 2, 15, 0), at(2026, 12, 2, 16, 0))
    assert visit.booked_by == front_desk and visit.store_id == member.store_id
    assert visit.car_plate == "京A12345"
    member.refresh_from_db()
    assert member.car_plate == "京A12345"
    assert PreparationItem.objects.filter(appointment=visit).count() >= 3
    entry = AuditEntry.objects.get(action="appointment.booked")
    assert entry.actor == front_desk and entry.data["host"] == "王丽" and entry.data["room"] == "VIP lounge 1"
    booked = Alert.objects.filter(kind="appointment.booked")
    assert {a.recipient_id for a in booked} == {vip_manager.pk, vip2.pk}
    assert "李娜 booked 张美玲 with you" in booked.get(recipient=vip_manager).text


def test_a_host_booking_their_own_visit_is_not_alerted(book, vip_manager):
    book(actor=vip_manager)
    assert not Alert.objects.filter(kind="appointment.booked").exists()


def test_a_member_plate_on_file_is_kept(book, member):
    member.car_plate = "沪B99999"
    member.save()
    book(car_plate="京A12345")
    member.refresh_from_db()
    assert member.car_plate == "沪B99999"


def test_booking_refuses_a_taken_host_with_the_reason(book):
    book()
    assert refused(book, starts_at=at(2026, 12, 2, 15, 30)) == "王丽 already has a visit 15:00–16:00."
    assert Appointment.objects.count() == 1


def test_booking_refuses_a_taken_room(book, vip2, lounge):
    book(room=lounge)
    message = refused(book, host=vip2, room=lounge, starts_at=at(2026, 12, 2, 14, 30))
    assert message == "VIP lounge 1 is booked 15:00–16:00."


def test_booking_refuses_a_host_off_that_day(book, store, vip_manager):
    StaffAbsence.objects.create(
        store=store, staff=vip_manager, first_day=dt.date(2026, 12, 2), last_day=dt.date(2026, 12, 2)
    )
    assert refused(book) == "王丽 is off that day."


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"starts_at": at(2026, 12, 1, 9, 0)}, "This time has passed"),
        ({"starts_at": at(2026, 12, 2, 15, 3)}, "five-minute mark"),
        ({"minutes": 0}, "A visit lasts between"),
        ({"channel": "walk_in"}, "arrivals board"),
    ],
)
def test_booking_refuses_odd_times(book, overrides, reason):
    assert reason in refused(book, **overrides)


def test_booking_just_now_is_fine(book, clock):
    clock.set(2026, 12, 2, 15, 3)
    assert book(starts_at=at(2026, 12, 2, 15, 0)).pk


def test_booking_refuses_the_same_backup_host(book, vip_manager):
    assert refused(book, backup_host=vip_manager) == "The backup host must be someone other than the host."


def test_booking_refuses_a_host_who_does_not_host(book, front_desk, complaint_handler):
    assert "cannot host visits here" in refused(book, host=complaint_handler)
    assert "cannot be the backup host" in refused(book, backup_host=front_desk)


def test_booking_refuses_a_party_too_big_for_the_room(book, suite):
    assert refused(book, room=suite, party_size=3) == "Fitting suite seats 2; the party is 3."


def test_booking_refuses_the_other_store(book, other_manager, other_room, complaint_handler):
    assert refused(book, actor=other_manager) == "This member belongs to another store."
    assert refused(book, actor=complaint_handler) == "You may not book visits."
    assert "cannot be booked" in refused(book, room=other_room)


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "store_manager"])
def test_each_reception_role_books(book, persona, request):
    assert book(actor=request.getfixturevalue(persona)).pk


# ---- moving ---------------------------------------------------------------------------------------


def _set_state(visit, state):
    Appointment.objects.filter(pk=visit.pk).update(state=state)
    return Appointment.objects.get(pk=visit.pk)


def test_moving_a_booked_visit_keeps_its_state_and_history(
    book, front_desk, vip_manager, django_capture_on_commit_callbacks
):
    visit = book()
    with django_capture_on_commit_callbacks(execute=True):
        visit = reschedule_appointment(visit, actor=front_desk, starts_at=at(2026, 12, 3, 11, 0), minutes=90)
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.REQUESTED
    assert (visit.starts_at, visit.ends_at) == (at(2026, 12, 3, 11, 0), at(2026, 12, 3, 12, 30))
    assert visit.reschedule_count == 1
    entry = AuditEntry.objects.get(action="appointment.rescheduled")
    assert entry.data["old_when"] == "12-02 15:00–16:00"
    assert entry.data["new_when"] == "12-03 11:00–12:30"
    assert Alert.objects.filter(kind="appointment.rescheduled", recipient=vip_manager).exists()


@pytest.mark.parametrize("state", [Appointment.State.CONFIRMED, Appointment.State.PREPARED])
def test_moving_a_confirmed_visit_asks_for_confirmation_again(book, front_desk, state, lounge):
    visit = _set_state(book(room=lounge), state)
    PreparationItem.objects.filter(appointment=visit).update(done_at=at(2026, 12, 1, 10, 0))
    visit = reschedule_appointment(visit, actor=front_desk, starts_at=at(2026, 12, 3, 11, 0), minutes=60)
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.REQUESTED
    assert visit.confirmed_at is None
    assert not PreparationItem.objects.filter(appointment=visit, done_at__isnull=False).exists()
    assert AuditEntry.objects.get(action="appointment.rescheduled").from_state == state


def test_moving_checks_the_slot_without_itself(book, front_desk, vip2):
    visit = book()
    book(host=vip2, starts_at=at(2026, 12, 2, 17, 0))
    # A move overlapping its own old time is fine.
    reschedule_appointment(visit, actor=front_desk, starts_at=at(2026, 12, 2, 15, 30), minutes=60)
    message = refused(
        reschedule_appointment,
        appointment=visit,
        actor=front_desk,
        starts_at=at(2026, 12, 2, 16, 30),
        minutes=60,
        host=vip2,
    )
    assert message == "刘洋 already has a visit 17:00–18:00."


def test_giving_the_visit_to_another_host_tells_both(book, front_desk, vip_manager, vip2):
    visit = book()
    reschedule_appointment(visit, actor=front_desk, starts_at=visit.starts_at, minutes=60, host=vip2)
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.host == vip2 and visit.reschedule_count == 0
    assert Alert.objects.filter(kind="appointment.rescheduled", recipient=vip2).exists()
    assert "to another host" in Alert.objects.get(kind="appointment.rescheduled", recipient=vip_manager).text


def test_a_visit_that_began_cannot_be_moved(book, front_desk):
    visit = _set_state(book(), Appointment.State.ARRIVED)
    assert "Already" in refused(
        reschedule_appointment,
        appointment=visit,
        actor=front_desk,
        starts_at=at(2026, 12, 3, 11, 0),
        minutes=60,
    )


def test_the_other_store_cannot_move_or_cancel(book, other_manager, complaint_handler):
    visit = book()
    for actor in (other_manager, complaint_handler):
        assert refused(
            reschedule_appointment,
            appointment=visit,
            actor=actor,
            starts_at=at(2026, 12, 3, 11, 0),
            minutes=60,
        )
        assert refused(cancel_appointment, appointment=visit, actor=actor, reason="x")
        assert refused(confirm_appointment, appointment=visit, actor=actor)
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.REQUESTED


# ---- needs ----------------------------------------------------------------------------------------


def test_changing_needs_updates_the_checklist(book, front_desk, vip_manager, lounge):
    visit = book(room=lounge)
    update_needs(visit, actor=front_desk, drinks="咖啡", party_size=4, brands="")
    visit = Appointment.objects.get(pk=visit.pk)
    assert (visit.drinks, visit.party_size) == ("咖啡", 4)
    texts = list(PreparationItem.objects.filter(appointment=visit).values_list("text", flat=True))
    assert any("咖啡" in text for text in texts)
    assert any("4" in text for text in texts)
    entry = AuditEntry.objects.get(action="appointment.needs_changed")
    assert entry.data["changed"]["drinks"] == {"from": "", "to": "咖啡"}
    assert Alert.objects.filter(kind="appointment.needs_changed", recipient=vip_manager).exists()


def test_a_party_too_big_for_the_room_is_refused(book, front_desk, suite):
    visit = book(room=suite)
    assert (
        refused(update_needs, appointment=visit, actor=front_desk, party_size=3)
        == "Fitting suite seats 2; the party is 3."
    )


def test_change_moves_and_changes_needs_together(book, front_desk, lounge, suite):
    visit = book(room=lounge, party_size=3)
    change_appointment(
        visit,
        actor=front_desk,
        starts_at=visit.starts_at,
        minutes=60,
        host=visit.host,
        backup_host=None,
        room=suite,
        purpose="fitting",
        party_size=2,
        car_plate="",
        drinks="",
        allergies="",
        items_to_pull="",
        brands="",
        note="",
    )
    visit = Appointment.objects.get(pk=visit.pk)
    assert (visit.room, visit.party_size, visit.purpose) == (suite, 2, "fitting")


# ---- confirming and cancelling --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "store_manager"])
def test_confirming(book, persona, request):
    visit = confirm_appointment(book(), actor=request.getfixturevalue(persona))
    assert visit.state == Appointment.State.CONFIRMED and visit.confirmed_at is not None
    assert "Already" in refused(
        confirm_appointment, appointment=visit, actor=request.getfixturevalue(persona)
    )


def test_a_visit_readied_before_the_member_said_yes_stays_ready_when_confirmed(book, front_desk):
    visit = book()
    Appointment.objects.filter(pk=visit.pk).update(state=Appointment.State.PREPARED)
    visit = confirm_appointment(Appointment.objects.get(pk=visit.pk), actor=front_desk)
    assert visit.state == Appointment.State.PREPARED and visit.confirmed_at is not None
    assert "Already" in refused(confirm_appointment, appointment=visit, actor=front_desk)


def test_cancelling_keeps_who_and_why_and_frees_the_slot(
    book, store_manager, vip_manager, vip2, django_capture_on_commit_callbacks
):
    visit = book(backup_host=vip2)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_appointment(visit, actor=store_manager, reason="  会员出差  ")
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.CANCELLED
    assert (visit.cancelled_by, visit.cancel_reason) == (store_manager, "会员出差")
    assert AuditEntry.objects.get(action="appointment.cancelled").data["reason"] == "会员出差"
    assert {a.recipient_id for a in Alert.objects.filter(kind="appointment.cancelled")} == {
        vip_manager.pk,
        vip2.pk,
    }
    assert book().pk  # the same time again


def test_cancelling_needs_a_reason(book, front_desk):
    assert (
        refused(cancel_appointment, appointment=book(), actor=front_desk, reason="  ")
        == "Say why the visit is cancelled."
    )


def test_cancelling_twice_says_who_was_first(book, front_desk, store_manager):
    visit = book()
    cancel_appointment(visit, actor=front_desk, reason="rain")
    assert "李娜" in refused(cancel_appointment, appointment=visit, actor=store_manager, reason="rain")


def test_booking_rolls_back_on_a_refusal_after_locks(book, lounge):
    book(room=lounge)
    assert Appointment.objects.count() == 1
    with pytest.raises(ActionRefused):
        book_appointment(
            actor=lounge.store.staff.get(username="desk"),
            member=Appointment.objects.get().member,
            starts_at=at(2026, 12, 2, 15, 0),
            minutes=60,
            purpose="shopping",
            host=Appointment.objects.get().host,
            channel="phone",
        )
    assert Appointment.objects.count() == 1


# ---- the checklist when the booking changes --------------------------------------------------------


def fresh(visit):
    return Appointment.objects.get(pk=visit.pk)


def test_items_added_by_hand_stay_when_the_visit_moves_or_its_needs_change(book, front_desk):
    visit = book()
    cake = visits.add_item(visit, actor=front_desk, department="catering", text="生日蛋糕")
    visit = reschedule_appointment(visit, actor=front_desk, starts_at=at(2026, 12, 2, 17, 0), minutes=60)
    update_needs(visit, actor=front_desk, drinks="热水")
    assert PreparationItem.objects.filter(pk=cake.pk).exists()
    assert fresh(visit).preparation.filter(department="catering", planned=True).exists()  # the drinks


def test_a_ready_visit_given_new_needs_is_ready_again_only_when_they_are_prepared(book, front_desk):
    visit = book()
    for item in visit.preparation.all():
        visits.tick_item(item, actor=front_desk, done=True)
    assert fresh(visit).state == Appointment.State.PREPARED
    update_needs(fresh(visit), actor=front_desk, drinks="热水")
    assert fresh(visit).state == Appointment.State.REQUESTED
    for item in fresh(visit).preparation.filter(done_at__isnull=True):
        visits.tick_item(item, actor=front_desk, done=True)
    assert fresh(visit).state == Appointment.State.PREPARED


def test_a_moved_visit_is_warned_again_before_its_new_time(book, front_desk, clock):
    visit = book()
    Appointment.objects.filter(pk=visit.pk).update(prep_warned_at=clock.now)
    reschedule_appointment(fresh(visit), actor=front_desk, starts_at=at(2026, 12, 2, 17, 0), minutes=60)
    assert fresh(visit).prep_warned_at is None


def test_the_needs_of_a_visit_whose_host_has_left_can_still_change(book, front_desk, vip_manager):
    visit = book()
    vip_manager.is_active = False
    vip_manager.save()
    change_appointment(
        fresh(visit),
        actor=front_desk,
        starts_at=visit.starts_at,
        minutes=60,
        host=vip_manager,
        backup_host=None,
        room=None,
        note="会员改为下午茶",
    )
    assert fresh(visit).note == "会员改为下午茶"
