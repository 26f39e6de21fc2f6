import datetime as dt

import pytest

from complaints.models import Category
from concierge.models import OpeningHours
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import at, frozen_clock


@pytest.fixture
def clock():
    with frozen_clock(at(2026, 12, 1, 10, 0)) as state:  # a Tuesday
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
