"""Fixtures for the reception tests: a clock, a member with a VIP manager, a second VIP manager,
rooms, and times in the store's time zone.

The store keeps the default hours (10:00-22:00 every day) unless a test sets its own. The clock
stands at Tuesday 2026-12-01 10:00.
"""

import pytest

from concierge.models import Assignment
from concierge.roles import Role
from tests.factories import MemberFactory, RoomFactory, StaffFactory
from tests.helpers import at, frozen_clock


@pytest.fixture
def clock():
    with frozen_clock(at(2026, 12, 1, 10, 0)) as state:  # a Tuesday
        yield state


@pytest.fixture
def vip2(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def member(store, vip_manager):
    """A member whose VIP manager is 王丽 (the vip_manager persona)."""
    member = MemberFactory(store=store, name="张美玲", member_no="M900001", phone="13800001234")
    assignment = Assignment.objects.create(store=store, member=member, manager=vip_manager)
    Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.ACTIVE)
    return member


@pytest.fixture
def lounge(store):
    return RoomFactory(store=store, name="VIP lounge 1", capacity=4)


@pytest.fixture
def suite(store):
    return RoomFactory(store=store, name="Fitting suite", capacity=2)


@pytest.fixture
def other_room(other_store):
    return RoomFactory(store=other_store, name="Lounge B", capacity=6)


@pytest.fixture
def book(clock, member, vip_manager, front_desk):
    """Book through the action with sensible defaults: book(starts_at=at(...), room=lounge)."""
    from concierge.appointments.booking import book_appointment

    def make(**overrides):
        arguments = {
            "actor": front_desk,
            "member": member,
            "starts_at": at(2026, 12, 2, 15, 0),
            "minutes": 60,
            "purpose": "shopping",
            "host": vip_manager,
            "channel": "phone",
        }
        arguments.update(overrides)
        return book_appointment(**arguments)

    return make
