"""Two tablets tapping at once, on PostgreSQL's real row locks: exactly one wins, nobody gets an
error page, and every change has exactly one audit entry."""

import re

import pytest

from concierge import actions
from concierge.models import Alert, Assignment, AuditEntry
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tier():
    return TierFactory(dedicated_manager=True)


@pytest.fixture
def member(store, tier):
    return MemberFactory(store=store, tier=tier, name="王丽华")


def audited(code, **lookup):
    return AuditEntry.objects.filter(action=code, **lookup).count()


def test_two_managers_assigning_one_member_at_once(member, store, store_manager):
    second_boss = StaffFactory(store=store, display_name="周敏", roles=[Role.STORE_MANAGER])
    first, second = (StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(2))
    outcome = race(
        lambda: actions.assign_member(member, first, actor=store_manager, direct=True),
        lambda: actions.assign_member(member, second, actor=second_boss, direct=True),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == 1
    assert "already with" in outcome.refusals[0]
    assert Assignment.objects.filter(member=member, state__in=actions.OPEN_STATES).count() == 1
    assert audited("assignment.assigned") == 1


def test_accept_and_accept_at_once_says_who_was_first(member, vip_manager, store_manager):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    outcome = race(
        lambda: actions.accept_assignment(assignment, actor=vip_manager),
        lambda: actions.accept_assignment(assignment, actor=store_manager),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1
    entry = AuditEntry.objects.get(action="assignment.accepted")
    assert outcome.refusals == [f"Already “Active”: {entry.actor} at {entry.at.astimezone():%H:%M}."]
    assert audited("assignment.accepted") == 1


def test_the_last_free_place_goes_to_one_member(store, store_manager, tier):
    manager = StaffFactory(store=store, caseload_limit=1, roles=[Role.VIP_MANAGER])
    members = [MemberFactory(store=store, tier=tier) for _ in range(2)]
    outcome = race(*[lambda m=m: actions.assign_member(m, manager, actor=store_manager) for m in members])
    assert outcome.overlapped
    assert len(outcome.results) == 1
    assert "at most 1" in outcome.refusals[0]
    assert audited("assignment.proposed") == 1


def test_spread_and_assign_on_the_same_member_never_deadlock(store, store_manager, tier):
    """Spread locks every member before any manager, as a single assignment does: one waits."""
    managers = [StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(2)]
    members = [MemberFactory(store=store, tier=tier) for _ in range(3)]
    outcome = race(
        lambda: actions.spread_members(members, managers, actor=store_manager),
        lambda: actions.assign_member(members[1], managers[0], actor=store_manager, direct=True),
    )
    assert outcome.overlapped
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == 1
    assert "already with" in outcome.refusals[0]
    spread_won = isinstance(outcome.results[0], list)
    expected = [1, 1, 1] if spread_won else [0, 1, 0]
    assert [Assignment.objects.filter(member=m, state__in=actions.OPEN_STATES).count() for m in members] == (
        expected
    )
    # Nothing half-done by the refused one: one audit entry per assignment that exists.
    assert audited("assignment.assigned") == Assignment.objects.count()


def test_moving_a_book_twice_at_once_moves_it_once(store, store_manager, tier):
    leaving = StaffFactory(store=store, display_name="刘洋", roles=[Role.VIP_MANAGER])
    colleagues = [StaffFactory(store=store, roles=[Role.VIP_MANAGER]) for _ in range(2)]
    for member in [MemberFactory(store=store, tier=tier) for _ in range(4)]:
        actions.assign_member(member, leaving, actor=store_manager, direct=True)

    def move():
        return actions.reassign_book(leaving, actor=store_manager, reason="离职", to_managers=colleagues)

    outcome = race(move, move)
    assert outcome.overlapped
    assert len(outcome.results) == 1
    assert outcome.refusals == ["刘洋 has no VIPs to move."]
    assert Assignment.objects.filter(manager=leaving, state__in=actions.OPEN_STATES).count() == 0
    assert Assignment.objects.filter(manager__in=colleagues, state=Assignment.State.ACTIVE).count() == 4
    assert audited("assignment.released") == 4
    # One "moved" alert to the leaving manager, none saying "0 VIPs".
    moved = Alert.objects.filter(kind="assignment.book_moved", recipient=leaving)
    assert moved.count() == 1
    assert re.search(r"(?<!\d)4(?!\d)", moved.get().text)
