"""Fixtures of the visit's page and its life after booking (imported by the test_visit* modules,
test_preparation, test_no_show, test_purchase_link, test_ics)."""

import datetime as dt

import pytest

from concierge.models import Appointment, PreparationItem, Room
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import at, frozen_clock

# What `from tests.appointments.visit_fixtures import *` brings: the fixtures (the helpers are
# imported by name).
__all__ = ["backup_host", "clock", "member", "room"]

State = Appointment.State


@pytest.fixture
def clock():
    with frozen_clock(at(2026, 12, 1, 10, 0)) as state:  # a Tuesday
        yield state


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="张美玲", gender="f")


@pytest.fixture
def backup_host(store):
    return StaffFactory(username="vip2", display_name="孙悦", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def room(store):
    return Room.objects.create(store=store, name="贵宾室一", capacity=4)


def make_visit(store, member, host, starts_at, *, state=State.REQUESTED, minutes=60, items=(), **fields):
    """A visit in a given state; the protected state is set in the database, since the actions
    that lead there are not what is tested."""
    visit = Appointment.objects.create(
        store=store,
        member=member,
        host=host,
        purpose=Appointment.Purpose.SHOPPING,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        **fields,
    )
    for position, (department, text) in enumerate(items):
        PreparationItem.objects.create(appointment=visit, department=department, text=text, position=position)
    if state != State.REQUESTED:
        Appointment.objects.filter(pk=visit.pk).update(state=state)
    return Appointment.objects.get(pk=visit.pk)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)
