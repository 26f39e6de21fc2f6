"""The rules of a bookable time, each on hand-made times (concierge.appointments.availability)."""

import datetime as dt

import pytest

from concierge.appointments.availability import (
    free_hosts,
    free_rooms,
    is_no_show_risk,
    no_show_count,
    slot_problem,
)
from concierge.models import (
    Appointment,
    OpeningHours,
    ReceptionSettings,
    SpecialDay,
    StaffAbsence,
    StaffBlock,
    StaffHours,
)
from tests.appointments.conftest import at
from tests.factories import AppointmentFactory, MemberFactory, RoomFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def problem(store, host, starts, minutes=60, room=None, party_size=1, exclude_pk=None):
    return slot_problem(
        store.pk,
        host=host,
        room=room,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        party_size=party_size,
        exclude_pk=exclude_pk,
    )


def visit(member, host, starts, minutes=60, room=None, state=None):
    made = AppointmentFactory(
        member=member, host=host, room=room, starts_at=starts, ends_at=starts + dt.timedelta(minutes=minutes)
    )
    if state:
        Appointment.objects.filter(pk=made.pk).update(state=state)
    return made


def test_a_free_time_has_no_problem(store, vip_manager, lounge):
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge) is None


# ---- the store ------------------------------------------------------------------------------------


def test_closed_date_names_the_holiday(store, vip_manager):
    SpecialDay.objects.create(store=store, date=dt.date(2026, 12, 25), name="圣诞", closed=True)
    assert problem(store, vip_manager, at(2026, 12, 25, 15, 0)) == "The store is closed on 2026-12-25 (圣诞)."
    assert problem(store, vip_manager, at(2026, 12, 24, 15, 0)) is None


def test_outside_opening_hours(store, vip_manager):
    # Default hours 10:00-22:00: a visit running past closing is refused, one ending at closing is fine.
    assert "Outside the store's opening hours" in problem(store, vip_manager, at(2026, 12, 2, 21, 30))
    assert "10:00–22:00" in problem(store, vip_manager, at(2026, 12, 2, 9, 30))
    assert problem(store, vip_manager, at(2026, 12, 2, 21, 0)) is None


def test_special_hours_replace_the_weekday(store, vip_manager):
    SpecialDay.objects.create(
        store=store,
        date=dt.date(2026, 12, 31),
        name="跨年",
        closed=False,
        opens=dt.time(10),
        closes=dt.time(17),
    )
    assert "10:00–17:00" in problem(store, vip_manager, at(2026, 12, 31, 16, 30))
    assert problem(store, vip_manager, at(2026, 12, 31, 16, 0)) is None


def test_a_weekday_without_hours_is_closed(store, vip_manager):
    OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=day, opens=dt.time(10), closes=dt.time(20)) for day in range(6)
    )
    assert problem(store, vip_manager, at(2026, 12, 6, 15, 0)) == "The store is closed on Sunday."  # a Sunday
    assert problem(store, vip_manager, at(2026, 12, 5, 15, 0)) is None


# ---- the host -------------------------------------------------------------------------------------


def test_day_off(store, vip_manager):
    StaffAbsence.objects.create(
        store=store, staff=vip_manager, first_day=dt.date(2026, 12, 2), last_day=dt.date(2026, 12, 3)
    )
    assert problem(store, vip_manager, at(2026, 12, 3, 15, 0)) == "王丽 is off that day."
    assert problem(store, vip_manager, at(2026, 12, 4, 15, 0)) is None


def test_staff_hours_limit_days_and_times(store, vip_manager):
    StaffHours.objects.create(store=store, staff=vip_manager, weekday=2, starts=dt.time(10), ends=dt.time(18))
    # Wednesday 2026-12-02 within and outside the shift; Thursday not worked at all.
    assert problem(store, vip_manager, at(2026, 12, 2, 17, 0)) is None
    assert (
        problem(store, vip_manager, at(2026, 12, 2, 17, 30)) == "Outside 王丽's working hours (10:00–18:00)."
    )
    assert problem(store, vip_manager, at(2026, 12, 3, 15, 0)) == "王丽 does not work on Thursday."


def test_no_staff_hours_means_the_stores_hours(store, vip_manager, vip2):
    StaffHours.objects.create(store=store, staff=vip2, weekday=2, starts=dt.time(10), ends=dt.time(12))
    assert problem(store, vip_manager, at(2026, 12, 2, 20, 0)) is None


def test_blocked_time(store, vip_manager):
    StaffBlock.objects.create(
        store=store,
        staff=vip_manager,
        starts_at=at(2026, 12, 2, 14, 0),
        ends_at=at(2026, 12, 2, 15, 0),
        reason="培训",
    )
    assert problem(store, vip_manager, at(2026, 12, 2, 14, 30)) == "王丽 is not available 14:00–15:00 (培训)."
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 0)) is None
    assert problem(store, vip_manager, at(2026, 12, 2, 13, 0)) is None


def test_inactive_or_other_store_host(store, vip_manager, other_manager):
    assert "not on the staff of this store" in problem(store, other_manager, at(2026, 12, 2, 15, 0))
    vip_manager.is_active = False
    assert "not on the staff of this store" in problem(store, vip_manager, at(2026, 12, 2, 15, 0))


def test_host_overlap_names_the_visit(store, vip_manager, member):
    visit(member, vip_manager, at(2026, 12, 2, 15, 0))
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 30)) == "王丽 already has a visit 15:00–16:00."
    assert problem(store, vip_manager, at(2026, 12, 2, 14, 30)) == "王丽 already has a visit 15:00–16:00."


def test_back_to_back_visits_are_allowed(store, vip_manager, member, lounge):
    visit(member, vip_manager, at(2026, 12, 2, 15, 0), room=lounge)
    assert problem(store, vip_manager, at(2026, 12, 2, 16, 0), room=lounge) is None
    assert problem(store, vip_manager, at(2026, 12, 2, 14, 0), room=lounge) is None


@pytest.mark.parametrize("state", [Appointment.State.CANCELLED, Appointment.State.NO_SHOW])
def test_cancelled_and_no_show_visits_free_the_slot(store, vip_manager, member, lounge, state):
    visit(member, vip_manager, at(2026, 12, 2, 15, 0), room=lounge, state=state)
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge) is None


def test_the_visit_being_moved_does_not_block_itself(store, vip_manager, member, lounge):
    moved = visit(member, vip_manager, at(2026, 12, 2, 15, 0), room=lounge)
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 30), room=lounge, exclude_pk=moved.pk) is None


# ---- the room -------------------------------------------------------------------------------------


def test_room_overlap_names_the_booking(store, vip_manager, vip2, member, lounge):
    visit(member, vip2, at(2026, 12, 2, 14, 30), room=lounge)
    assert (
        problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge)
        == "VIP lounge 1 is booked 14:30–15:30."
    )


def test_room_seats_the_party(store, vip_manager, lounge):
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge, party_size=5) == (
        "VIP lounge 1 seats 4; the party is 5."
    )
    assert problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge, party_size=4) is None


def test_room_not_bookable_or_of_another_store(store, vip_manager, lounge, other_room):
    assert "cannot be booked" in problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=other_room)
    lounge.active = False
    assert "cannot be booked" in problem(store, vip_manager, at(2026, 12, 2, 15, 0), room=lounge)


# ---- suggestions ----------------------------------------------------------------------------------


def test_free_hosts_and_rooms(store, vip_manager, vip2, store_manager, front_desk, member, lounge, suite):
    visit(member, vip2, at(2026, 12, 2, 15, 0), room=lounge)
    StaffAbsence.objects.create(
        store=store, staff=store_manager, first_day=dt.date(2026, 12, 2), last_day=dt.date(2026, 12, 2)
    )
    starts, ends = at(2026, 12, 2, 15, 30), at(2026, 12, 2, 16, 30)
    # The front desk does not host; vip2 is busy; the store manager is off.
    assert free_hosts(store.pk, starts, ends) == [vip_manager]
    assert free_rooms(store.pk, starts, ends) == [suite]
    assert free_rooms(store.pk, starts, ends, party_size=3) == []
    assert free_hosts(store.pk, at(2026, 12, 2, 21, 30), at(2026, 12, 2, 22, 30)) == []


def test_free_hosts_is_set_based(store, member, lounge, django_assert_max_num_queries):
    from concierge.roles import Role
    from tests.factories import StaffFactory

    hosts = [StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(8)]
    for n, host in enumerate(hosts[:4]):
        visit(member, host, at(2026, 12, 2, 10 + n, 0))
    with django_assert_max_num_queries(8):
        free = free_hosts(store.pk, at(2026, 12, 2, 11, 0), at(2026, 12, 2, 12, 0))
    assert hosts[1] not in free
    assert set(hosts) - {hosts[1]} <= set(free)


# ---- no-shows -------------------------------------------------------------------------------------


def test_no_show_risk_counts_a_year(store, vip_manager, clock):
    member = MemberFactory(store=store)
    assert not is_no_show_risk(member)
    visit(member, vip_manager, at(2026, 11, 1, 15, 0), state=Appointment.State.NO_SHOW)
    assert no_show_count(member) == 1
    assert not is_no_show_risk(member)
    visit(member, vip_manager, at(2025, 11, 1, 15, 0), state=Appointment.State.NO_SHOW)  # over a year ago
    assert not is_no_show_risk(member)
    visit(member, vip_manager, at(2026, 10, 1, 15, 0), state=Appointment.State.NO_SHOW)
    assert is_no_show_risk(member)
    ReceptionSettings.objects.create(store=store, no_show_flag_count=3)
    assert not is_no_show_risk(member)


def test_rooms_factory_is_per_store(store):
    assert RoomFactory(store=store).store == store
