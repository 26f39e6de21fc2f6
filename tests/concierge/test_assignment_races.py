"""Two tablets tapping at once, on PostgreSQL's real row locks: exactly one wins."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from concierge import actions
from concierge.actions import ActionRefused
from concierge.models import Assignment
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls in threads released together; return (results, refusals)."""
    barrier = threading.Barrier(len(calls))
    results, refusals, errors = [], [], []

    def run(call):
        try:
            barrier.wait()
            with translation.override("en"):
                results.append(call())
        except ActionRefused as exc:
            refusals.append(exc.message)
        except Exception as exc:  # surfaced below: a crash is not a refusal
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results, refusals


@pytest.fixture
def member(store):
    return MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), name="王丽华")


def test_two_managers_assigning_one_member_at_once(member, store, store_manager):
    second_boss = StaffFactory(store=store, display_name="周敏", roles=[Role.STORE_MANAGER])
    first, second = (StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(2))
    results, refusals = race(
        lambda: actions.assign_member(member, first, actor=store_manager, direct=True),
        lambda: actions.assign_member(member, second, actor=second_boss, direct=True),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "already with" in refusals[0]
    assert Assignment.objects.filter(member=member, state__in=actions.OPEN_STATES).count() == 1


def test_accept_and_accept_at_once(member, vip_manager, store_manager):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    results, refusals = race(
        lambda: actions.accept_assignment(assignment, actor=vip_manager),
        lambda: actions.accept_assignment(assignment, actor=store_manager),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "Already" in refusals[0]


def test_the_last_free_place_goes_to_one_member(store, store_manager):
    manager = StaffFactory(store=store, caseload_limit=1, roles=[Role.VIP_MANAGER])
    tier = TierFactory(dedicated_manager=True)
    members = [MemberFactory(store=store, tier=tier) for _ in range(2)]
    results, refusals = race(
        *[lambda m=m: actions.assign_member(m, manager, actor=store_manager) for m in members]
    )
    assert len(results) == 1
    assert "at most 1" in refusals[0]
