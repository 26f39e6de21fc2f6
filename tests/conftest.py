"""Shared fixtures: the personas every permission test uses.

A VIP manager, a front-desk receptionist, a complaint handler and a store manager of one
store, and a store manager of *another* store who must always be refused.
"""

import os

import pytest
from django.db import connection

from concierge.roles import Role
from tests.factories import StaffFactory, StoreFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    on_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://..."))


@pytest.fixture
def store(db):
    return StoreFactory(code="bj01", name="北京王府井店")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="sh01", name="上海淮海店")


@pytest.fixture
def vip_manager(store):
    return StaffFactory(username="vip", display_name="王丽", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def front_desk(store):
    return StaffFactory(username="desk", display_name="李娜", store=store, roles=[Role.FRONT_DESK])


@pytest.fixture
def complaint_handler(store):
    return StaffFactory(username="care", display_name="赵敏", store=store, roles=[Role.COMPLAINT_HANDLER])


@pytest.fixture
def store_manager(store):
    return StaffFactory(username="boss", display_name="陈静", store=store, roles=[Role.STORE_MANAGER])


@pytest.fixture
def other_manager(other_store):
    return StaffFactory(username="other", display_name="周强", store=other_store, roles=[Role.STORE_MANAGER])


@pytest.fixture
def client_for(client):
    """Log the test client in as a persona: client_for(store_manager)."""

    def login(user):
        client.force_login(user)
        return client

    return login
