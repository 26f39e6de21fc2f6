"""Fixtures and builders for the arrivals tests (test_arrivals*.py, test_board*.py)."""

import datetime as dt

import pytest

from concierge.models import Appointment, PreparationItem, Room
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.helpers import at, frozen_clock

__all__ = ["clock", "lounge", "member", "vip2"]


@pytest.fixture
def clock():
    with frozen_clock(at(2026, 12, 1, 14, 0)) as state:  # a Tuesday afternoon
        yield state


@pytest.fixture
def vip2(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def member(store):
    tier = TierFactory(name="SVIP")
    return MemberFactory(
        store=store,
        name="张美玲",
        gender="f",
        tier=tier,
        value_class="A",
        preferences="喜欢安静，偏爱真丝",
        sizes="上衣 M，鞋 37",
        car_plate="京A12345",
    )


@pytest.fixture
def lounge(store):
    return Room.objects.create(store=store, name="贵宾室一", capacity=4)


def visit(store, member, host, starts_at, *, minutes=60, state=Appointment.State.CONFIRMED, **fields):
    """A visit as booking would leave it, with one preparation item done of two."""
    row = Appointment.objects.create(
        store=store,
        member=member,
        host=host,
        state=state,
        purpose=fields.pop("purpose", Appointment.Purpose.SHOPPING),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        **fields,
    )
    PreparationItem.objects.create(appointment=row, department="host", text="读档案", done_at=starts_at)
    PreparationItem.objects.create(appointment=row, department="front_desk", text="贵宾室", position=1)
    return row


def fresh(appointment):
    """The visit as stored now (its state field is protected: refresh_from_db cannot set it)."""
    return Appointment.objects.get(pk=appointment.pk)
