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


def _missing_service(item):
    if "postgres" in item.keywords and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://..."
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # CI must prove everything: a skip there means a service or browser was missing, which is a failure.
    report = yield
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped in CI, which must run every test: {reason}"
    return report


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


@pytest.fixture
def english(settings):
    """Pages in English, for tests that read the English texts whatever catalogues are compiled."""
    from django.utils import translation

    # LocaleMiddleware falls back to LANGUAGE_CODE for requests without Accept-Language.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
