"""The workflow kernel: the global lock order, one retry on a conflict, refusals built once."""

import pytest
from django.db import OperationalError
from django.utils import timezone

from concierge import workflow
from concierge.actions import accept_assignment, assign_member
from concierge.errors import ActionRefused
from concierge.models import Assignment, AuditEntry
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def members(store):
    return [MemberFactory(store=store) for _ in range(3)]


def test_locks_in_the_global_order_pass(store, members, vip_manager):
    @workflow.action
    def in_order():
        workflow.lock_stores([store.pk])
        workflow.lock_members([members[0].pk, members[2].pk])
        workflow.lock_members([members[0].pk])  # held already: always allowed
        workflow.lock_staff([vip_manager.pk])
        return "done"

    assert in_order() == "done"


@pytest.mark.parametrize(
    "steps",
    [
        ("staff", "member"),  # a manager, then a member: the spread-versus-assign deadlock
        ("member_high", "member_low"),  # members out of id order
        ("member", "store"),
    ],
)
def test_a_lock_out_of_order_is_caught(store, members, vip_manager, steps):
    take = {
        "staff": lambda: workflow.lock_staff([vip_manager.pk]),
        "member": lambda: workflow.lock_members([members[0].pk]),
        "member_low": lambda: workflow.lock_members([members[0].pk]),
        "member_high": lambda: workflow.lock_members([members[2].pk]),
        "store": lambda: workflow.lock_stores([store.pk]),
    }

    @workflow.action
    def out_of_order():
        for step in steps:
            take[step]()

    with pytest.raises(AssertionError, match="lock order"):
        out_of_order()


def test_nested_actions_share_the_order(store, members, vip_manager):
    @workflow.action
    def inner():
        workflow.lock_members([members[0].pk])

    @workflow.action
    def outer():
        workflow.lock_staff([vip_manager.pk])
        inner()

    with pytest.raises(AssertionError, match="lock order"):
        outer()


class Deadlock(Exception):
    sqlstate = "40P01"


def conflict():
    error = OperationalError("deadlock detected")
    error.__cause__ = Deadlock()
    return error


def test_a_conflict_is_retried_once(store, members):
    calls = []

    @workflow.action
    def flaky():
        calls.append(1)
        AuditEntry.record("test.tried", members[0], store=store)
        if len(calls) == 1:
            raise conflict()
        return "saved"

    assert flaky() == "saved"
    assert len(calls) == 2
    # The first attempt's write was rolled back with it.
    assert AuditEntry.objects.filter(action="test.tried").count() == 1


def test_a_second_conflict_asks_the_user_to_try_again(store, members):
    @workflow.action
    def always():
        AuditEntry.record("test.tried", members[0], store=store)
        raise conflict()

    with pytest.raises(ActionRefused, match="Please try again"):
        always()
    assert not AuditEntry.objects.filter(action="test.tried").exists()


def test_other_database_errors_are_not_retried(store):
    calls = []

    @workflow.action
    def broken():
        calls.append(1)
        raise OperationalError("no such table")

    with pytest.raises(OperationalError):
        broken()
    assert calls == [1]


def test_transition_refusals_say_who_was_first_and_when(store, store_manager, vip_manager):
    member = MemberFactory(store=store, tier=TierFactory(dedicated_manager=True))
    assignment = assign_member(member, vip_manager, actor=store_manager)
    accept_assignment(assignment, actor=vip_manager)
    at = AuditEntry.objects.get(action="assignment.accepted").at
    with pytest.raises(ActionRefused) as refused:
        accept_assignment(Assignment.objects.get(pk=assignment.pk), actor=vip_manager)
    assert refused.value.message == f"Already “Active”: 王丽 at {timezone.localtime(at):%H:%M}."


def test_transition_without_permission_is_refused_with_the_given_words(store, store_manager, vip_manager):
    member = MemberFactory(store=store, tier=TierFactory(dedicated_manager=True))
    assignment = assign_member(member, vip_manager, actor=store_manager)
    colleague = StaffFactory(store=store, roles=[Role.VIP_MANAGER])

    @workflow.action
    def accept_as(actor):
        locked = workflow.lock(assignment)
        workflow.transition(locked, "accept", actor, denied="Not yours.")

    with pytest.raises(ActionRefused, match="Not yours"):
        accept_as(colleague)
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.PROPOSED


def test_locking_an_object_removed_meanwhile_is_refused(store, members):
    member = members[0]
    member.delete()

    @workflow.action
    def touch():
        workflow.lock(member)

    with pytest.raises(ActionRefused, match="removed meanwhile"):
        touch()


def test_role_groups_hold_the_core_and_the_apps_permissions(vip_manager, store_manager):
    # The core lists only its own; tasks adds its own through its AppConfig.
    from concierge.roles import ROLE_PERMISSIONS

    assert not any(name.startswith("tasks.") for names in ROLE_PERMISSIONS.values() for name in names)
    assert vip_manager.has_perm("concierge.view_member")
    assert vip_manager.has_perm("tasks.change_caretask")
    assert not vip_manager.has_perm("tasks.manage_team_tasks")
    assert store_manager.has_perm("tasks.manage_team_tasks")
