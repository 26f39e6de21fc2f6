"""Shared fixtures: the personas every permission test uses.

A VIP manager, a front-desk receptionist, a complaint handler and a store manager of one
store, and a store manager of *another* store who must always be refused.
"""

import os

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from concierge.roles import Role
from tests.factories import StaffFactory, StoreFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


# With PostgreSQL and Redis at hand the whole suite runs on them (bin/test), and only these run on
# the embedded default as well: the tests of code whose SQL or behaviour differs by database (raw SQL
# for the revival pool, its spread and its figures; aggregates and date functions; bulk writes; the
# kernel's locks, which SQLite does not take; booking, whose double-booking check has no database
# constraint behind it on SQLite), of what bin/run serves on SQLite (the demo), and the fuzzers, which
# meet SQLite's own errors (ids past its integer range). The URL matrix checks who may reach what,
# which no database changes: it runs once, on PostgreSQL; every page on the SQLite demo is drawn by
# the browser tests (test_content_security_policy.py). Without PostgreSQL, all of them run on SQLite.
SQLITE_TOO = (
    "revival/",
    "concierge/test_refresh.py",
    "concierge/test_tiers.py",
    "concierge/test_imports.py",
    "concierge/test_imports_failures.py",
    "concierge/test_api_purchases.py",
    "concierge/test_views_members.py",
    "concierge/test_workflow.py",
    "concierge/test_seed_demo.py",
    "appointments/test_demo.py",
    "appointments/test_arrivals.py",
    "appointments/test_stats.py",
    "appointments/test_visits.py",
    "appointments/test_purchase_link.py",
    "appointments/test_availability.py",
    "appointments/test_booking.py",
    "appointments/test_booking_views.py",
    "appointments/test_no_show.py",
    "tasks/test_jobs_",
    "tasks/test_generation.py",
    "tasks/test_visit_tasks",
    "complaints/test_overview.py",
    "complaints/test_sla.py",
    "test_fuzz.py",
    "test_odd_input.py",
)
TESTS_DIR = os.path.dirname(__file__)


def pytest_collection_modifyitems(items):
    for item in items:
        path = os.path.relpath(str(item.path), TESTS_DIR)
        if path.startswith(SQLITE_TOO):
            item.add_marker(pytest.mark.sqlite_too)


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


@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup, django_db_blocker):
    """The demo, loaded once for a module whose tests read it: in a transaction rolled back after the
    module's last test, each test in a savepoint inside it (so one that runs seed_demo again, or
    changes rows, leaves the next as it found it). Mark such a module
    `pytest.mark.xdist_group("<its name>")` so its tests share one worker, and one load."""
    from concierge.management.commands.seed_demo import STORE_CODE
    from concierge.models import Store

    # The database is opened for loading and for the rollback only: a test of the module that does
    # not ask for `db` still cannot reach it.
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("seed_demo", verbosity=0)
        store_pk = Store.objects.get(code=STORE_CODE).pk
    try:
        yield store_pk
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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


class Inbox:
    """Sockets of staff members on the real channel layer: what `alerts.push` sends them arrives here.

    `listen(*users)` opens one channel per user in the user's group (as a connected tablet would);
    `received()` drains them and returns [(user, html)], oldest first. Its own event loop is kept
    for every call, as a socket's would be (the Redis layer binds its receive buffers to a loop).
    """

    def __init__(self):
        import asyncio

        from channels.layers import get_channel_layer

        self.layer = get_channel_layer()
        self.loop = asyncio.new_event_loop()
        self.channels = {}

    def listen(self, *users):
        from concierge.alerts import user_group

        for user in users:
            channel = self.loop.run_until_complete(self.layer.new_channel())
            self.loop.run_until_complete(self.layer.group_add(user_group(user.pk), channel))
            self.channels[channel] = user
        return self

    def received(self):
        import asyncio

        async def drain():
            got = []
            for channel, user in self.channels.items():
                while True:
                    try:
                        message = await asyncio.wait_for(self.layer.receive(channel), timeout=0.1)
                    except TimeoutError:
                        break
                    got.append((user, message["html"]))
            return got

        return self.loop.run_until_complete(drain())

    def close(self):
        from concierge.alerts import user_group

        for channel, user in self.channels.items():
            self.loop.run_until_complete(self.layer.group_discard(user_group(user.pk), channel))
        if hasattr(self.layer, "close_pools"):  # Redis: this loop's connections go with it
            self.loop.run_until_complete(self.layer.close_pools())
        self.loop.close()


@pytest.fixture
def inbox():
    """Listen to the live pushes some staff would get (see Inbox)."""
    listening = Inbox()
    yield listening
    listening.close()
