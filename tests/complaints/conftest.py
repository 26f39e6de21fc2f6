import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from complaints.models import Category
from concierge.models import OpeningHours
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory

TZ = timezone.get_default_timezone()


def at(*args):
    """An aware moment in the store's time zone: at(2026, 12, 1, 10, 30)."""
    return dt.datetime(*args, tzinfo=TZ)


class Clock:
    """timezone.now() as the test sets it, for the actions and jobs."""

    def __init__(self, moment):
        self.now = moment

    def set(self, *args):
        self.now = at(*args)
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    state = Clock(at(2026, 12, 1, 10, 0))  # a Tuesday
    with mock.patch("django.utils.timezone.now", lambda: state.now):
        yield state


@pytest.fixture
def nine_to_five(store):
    """Monday to Friday 9:00-17:00: easy business-minute arithmetic."""
    OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=day, opens=dt.time(9), closes=dt.time(17)) for day in range(5)
    )


@pytest.fixture
def quality(store):
    return Category.objects.get(store=store, code="product_quality")


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="张美玲")


@pytest.fixture
def handler2(store):
    return StaffFactory(username="care2", display_name="钱进", store=store, roles=[Role.COMPLAINT_HANDLER])
