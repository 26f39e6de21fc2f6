"""Two tablets booking at once on PostgreSQL: one wins, the other is told who holds the slot."""

from unittest import mock

import pytest

from concierge.appointments import availability
from concierge.appointments.booking import book_appointment
from concierge.errors import ActionRefused
from concierge.models import Appointment
from tests.appointments.conftest import at
from tests.factories import AppointmentFactory, MemberFactory
from tests.races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def booking(actor, member, host, starts_at, room=None):
    return lambda: book_appointment(
        actor=actor,
        member=member,
        starts_at=starts_at,
        minutes=60,
        purpose="shopping",
        host=host,
        room=room,
        channel="phone",
    )


def test_two_bookings_of_one_host_race(clock, store, vip_manager, front_desk, store_manager):
    members = [MemberFactory(store=store) for _ in range(2)]
    outcome = race(
        booking(front_desk, members[0], vip_manager, at(2026, 12, 2, 15, 0)),
        booking(store_manager, members[1], vip_manager, at(2026, 12, 2, 15, 30)),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1 and len(outcome.refusals) == 1
    won = outcome.results[0]
    assert outcome.refusals[0] == f"王丽 already has a visit {availability.span(won.starts_at, won.ends_at)}."
    assert Appointment.objects.count() == 1


def test_two_bookings_of_one_room_race(clock, store, vip_manager, vip2, front_desk, store_manager, lounge):
    members = [MemberFactory(store=store) for _ in range(2)]
    outcome = race(
        booking(front_desk, members[0], vip_manager, at(2026, 12, 2, 15, 0), lounge),
        booking(store_manager, members[1], vip2, at(2026, 12, 2, 15, 30), lounge),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1 and len(outcome.refusals) == 1
    won = outcome.results[0]
    assert outcome.refusals[0] == f"VIP lounge 1 is booked {availability.span(won.starts_at, won.ends_at)}."
    assert Appointment.objects.count() == 1


def test_the_database_constraint_is_turned_into_the_reason(clock, store, member, vip_manager, front_desk):
    """A visit written by someone who skipped the check (the check is made to miss it here): the
    exclusion constraint refuses the second, and the refusal names the visit holding the slot."""
    AppointmentFactory(
        member=member, host=vip_manager, starts_at=at(2026, 12, 2, 15, 0), ends_at=at(2026, 12, 2, 16, 0)
    )
    real = availability.slot_problem
    calls = []

    def blind_first(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    with (
        mock.patch("concierge.appointments.booking.slot_problem", blind_first),
        pytest.raises(ActionRefused) as info,
    ):
        booking(front_desk, member, vip_manager, at(2026, 12, 2, 15, 30))()
    assert info.value.message == "王丽 already has a visit 15:00–16:00."
    assert Appointment.objects.count() == 1
