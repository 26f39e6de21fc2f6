import pytest

from concierge.roles import Role
from tests.factories import StaffFactory


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def colleague2(store):
    return StaffFactory(username="vip3", display_name="孙悦", store=store, roles=[Role.VIP_MANAGER])
