"""Assignment actions: transitions allowed and refused per role, caseload, spread, audit, alerts."""

import pytest
from django.db import IntegrityError, transaction

from concierge import actions
from concierge.actions import ActionRefused
from concierge.models import Alert, Assignment, AuditEntry
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
State = Assignment.State


@pytest.fixture
def svip(db):
    return TierFactory(name="SVIP", dedicated_manager=True)


@pytest.fixture
def member(store, svip):
    return MemberFactory(store=store, tier=svip, name="王丽华")


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def make_managers(store, count, limit=60):
    return [StaffFactory(store=store, caseload_limit=limit, roles=[Role.VIP_MANAGER]) for _ in range(count)]


def active(member, manager, store_manager):
    return actions.assign_member(member, manager, actor=store_manager, direct=True)


# ---- assign and accept ---------------------------------------------------------------------------


def test_store_manager_proposes_and_the_manager_accepts(
    member, vip_manager, store_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    assert assignment.state == State.PROPOSED
    assert Alert.objects.get(recipient=vip_manager).kind == "assignment.proposed"
    assert "王丽华" in Alert.objects.get(recipient=vip_manager).text

    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_assignment(assignment, actor=vip_manager)
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == State.ACTIVE
    assert assignment.accepted_at is not None
    assert Alert.objects.filter(recipient=store_manager, kind="assignment.accepted").exists()
    codes = list(AuditEntry.objects.filter(object_id=str(assignment.pk)).values_list("action", "to_state"))
    assert sorted(codes) == [("assignment.accepted", "active"), ("assignment.proposed", "proposed")]


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "other_manager"])
def test_only_the_store_manager_assigns(request, member, vip_manager, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(ActionRefused):
        actions.assign_member(member, vip_manager, actor=actor)
    assert not Assignment.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "front_desk", "other_manager"])
def test_only_the_manager_or_store_manager_accepts(request, member, vip_manager, store_manager, persona):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    with pytest.raises(ActionRefused, match="may not"):
        actions.accept_assignment(assignment, actor=request.getfixturevalue(persona))
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == State.PROPOSED


def test_accepting_twice_says_who_was_first(member, vip_manager, store_manager):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    actions.accept_assignment(assignment, actor=vip_manager)
    with pytest.raises(ActionRefused) as refused:
        actions.accept_assignment(assignment, actor=store_manager)
    assert "王丽" in refused.value.message  # the VIP manager's display name


def test_a_member_without_the_benefit_gets_no_manager(store, vip_manager, store_manager):
    plain = MemberFactory(store=store, tier=TierFactory(name="ME", dedicated_manager=False))
    with pytest.raises(ActionRefused, match="does not include"):
        actions.assign_member(plain, vip_manager, actor=store_manager)


def test_a_member_has_one_manager(member, vip_manager, colleague, store_manager):
    active(member, vip_manager, store_manager)
    with pytest.raises(ActionRefused, match="already with"):
        actions.assign_member(member, colleague, actor=store_manager)
    assert Assignment.objects.count() == 1


def test_the_database_refuses_a_second_current_assignment(member, vip_manager, colleague, store_manager):
    active(member, vip_manager, store_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(store=member.store, member=member, manager=colleague, state=State.ACTIVE)


def test_only_vip_managers_of_the_store_take_members(member, front_desk, other_manager, store_manager):
    for not_a_vip_manager in (front_desk, other_manager):
        with pytest.raises(ActionRefused, match="not a VIP manager"):
            actions.assign_member(member, not_a_vip_manager, actor=store_manager)


def test_caseload_limit(store, svip, store_manager):
    (manager,) = make_managers(store, 1, limit=2)
    for _ in range(2):
        actions.assign_member(MemberFactory(store=store, tier=svip), manager, actor=store_manager)
    with pytest.raises(ActionRefused, match="at most 2"):
        actions.assign_member(MemberFactory(store=store, tier=svip), manager, actor=store_manager)


# ---- spread and book moves -----------------------------------------------------------------------


def test_spread_is_even_and_respects_limits(store, svip, store_manager):
    managers = make_managers(store, 3, limit=5)
    # The first manager already has 3 VIPs: they get fewer of the new ones.
    for _ in range(3):
        active(MemberFactory(store=store, tier=svip), managers[0], store_manager)
    members = [MemberFactory(store=store, tier=svip) for _ in range(8)]
    created = actions.spread_members(members, managers, actor=store_manager)
    assert len(created) == 8
    new = {m.pk: sum(1 for a in created if a.manager_id == m.pk) for m in managers}
    total = {m.pk: Assignment.objects.filter(manager=m, state=State.ACTIVE).count() for m in managers}
    assert max(new.values()) - min(new.values()) <= 1 or total[managers[0].pk] == 5
    assert all(count <= 5 for count in total.values())
    assert sum(total.values()) == 11


def test_spread_beyond_capacity_changes_nothing(store, svip, store_manager):
    managers = make_managers(store, 2, limit=1)
    members = [MemberFactory(store=store, tier=svip) for _ in range(3)]
    with pytest.raises(ActionRefused, match="room for 2"):
        actions.spread_members(members, managers, actor=store_manager)
    assert not Assignment.objects.exists()


def test_moving_a_book_spreads_it_and_alerts_everyone(
    store, svip, vip_manager, store_manager, django_capture_on_commit_callbacks
):
    takers = make_managers(store, 2)
    members = [MemberFactory(store=store, tier=svip) for _ in range(5)]
    for member in members:
        active(member, vip_manager, store_manager)
    with django_capture_on_commit_callbacks(execute=True):
        created = actions.reassign_book(vip_manager, actor=store_manager, reason="长假", to_managers=takers)
    assert len(created) == 5
    assert not Assignment.objects.filter(manager=vip_manager, state__in=actions.OPEN_STATES).exists()
    counts = sorted(Assignment.objects.filter(manager__in=takers, state=State.ACTIVE).values_list("manager"))
    assert abs(counts.count((takers[0].pk,)) - counts.count((takers[1].pk,))) <= 1
    assert Alert.objects.filter(recipient=vip_manager, kind="assignment.book_moved").exists()
    assert Alert.objects.filter(recipient=takers[0], kind="assignment.assigned").exists()
    assert AuditEntry.objects.filter(action="assignment.released").count() == 5


def test_only_the_store_manager_moves_a_book(store, vip_manager, colleague, other_manager):
    for actor in (colleague, other_manager):
        with pytest.raises(ActionRefused):
            actions.reassign_book(vip_manager, actor=actor, reason="离职", to_managers=[colleague])


# ---- handovers -----------------------------------------------------------------------------------


def test_handover_accepted_moves_the_member_in_one_step(
    member, vip_manager, colleague, store_manager, django_capture_on_commit_callbacks
):
    old = active(member, vip_manager, store_manager)
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_handover(old, actor=vip_manager, colleague=colleague, note="喜欢红酒；退货待处理")
    assert Alert.objects.filter(recipient=colleague, kind="assignment.handover_requested").exists()
    assert Alert.objects.filter(recipient=store_manager, kind="assignment.handover_requested").exists()

    with django_capture_on_commit_callbacks(execute=True):
        new = actions.accept_handover(old, actor=colleague)
    old = Assignment.objects.get(pk=old.pk)
    assert old.state == State.ENDED
    assert new.state == State.ACTIVE
    assert new.manager == colleague
    assert new.previous == old
    assert Alert.objects.filter(recipient=vip_manager, kind="assignment.handed_over").exists()


def test_handover_declined_or_withdrawn_keeps_the_member(member, vip_manager, colleague, store_manager):
    assignment = active(member, vip_manager, store_manager)
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="调岗")
    actions.decline_handover(assignment, actor=colleague)
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == State.ACTIVE
    assert assignment.handover_to is None
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="调岗")
    actions.withdraw_handover(assignment, actor=vip_manager)
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == State.ACTIVE


def test_handover_refusals(member, vip_manager, colleague, front_desk, store_manager):
    assignment = active(member, vip_manager, store_manager)
    with pytest.raises(ActionRefused, match="note"):
        actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="  ")
    with pytest.raises(ActionRefused, match="may not"):
        actions.request_handover(assignment, actor=colleague, colleague=colleague, note="x")
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="x")
    with pytest.raises(ActionRefused, match="may not"):
        actions.accept_handover(assignment, actor=front_desk)
    with pytest.raises(ActionRefused, match="may not"):
        actions.withdraw_handover(assignment, actor=colleague)


def test_release_needs_the_store_manager_and_a_reason(member, vip_manager, store_manager):
    assignment = active(member, vip_manager, store_manager)
    with pytest.raises(ActionRefused, match="reason"):
        actions.release_member(assignment, actor=store_manager, reason="")
    with pytest.raises(ActionRefused, match="may not"):
        actions.release_member(assignment, actor=vip_manager, reason="降级")
    actions.release_member(assignment, actor=store_manager, reason="降级")
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == State.ENDED
    assert assignment.end_reason == "降级"


# ---- alerts after commit only ----------------------------------------------------------------------


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    member, vip_manager, store_manager, django_capture_on_commit_callbacks, inbox
):
    inbox.listen(vip_manager, store_manager)

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        actions.assign_member(member, vip_manager, actor=store_manager)
        raise Boom
    assert callbacks == []
    assert inbox.received() == []
    assert not Alert.objects.exists()
    assert not Assignment.objects.exists()


def test_a_channel_layer_outage_never_fails_the_action(
    member, vip_manager, store_manager, django_capture_on_commit_callbacks, monkeypatch
):
    class DownLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr("concierge.alerts.get_channel_layer", DownLayer)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    assert assignment.pk
    assert Alert.objects.filter(recipient=vip_manager).count() == 1


# ---- the permission matrix -----------------------------------------------------------------------

PERSONAS = ["vip_manager", "colleague", "front_desk", "complaint_handler", "store_manager", "other_manager"]
# action -> (state the assignment is brought to first, personas allowed)
MATRIX = {
    "accept_assignment": ("proposed", {"vip_manager", "store_manager"}),
    "decline_assignment": ("proposed", {"vip_manager", "store_manager"}),
    "request_handover": ("active", {"vip_manager"}),
    "accept_handover": ("handover", {"colleague", "store_manager"}),
    "decline_handover": ("handover", {"colleague", "store_manager"}),
    "withdraw_handover": ("handover", {"vip_manager"}),
    "release_member": ("active", {"store_manager"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_transition_permissions(
    request, action, persona, member, vip_manager, colleague, store, store_manager
):
    stage, allowed = MATRIX[action]
    third = StaffFactory(store=store, roles=[Role.VIP_MANAGER])
    assignment = actions.assign_member(member, vip_manager, actor=store_manager, direct=stage != "proposed")
    if stage == "handover":
        actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="交接")
    actor = request.getfixturevalue(persona)
    extra = {
        "decline_assignment": {"reason": "太忙"},
        "request_handover": {"colleague": third, "note": "调岗"},
        "release_member": {"reason": "降级"},
    }.get(action, {})
    before = Assignment.objects.get(pk=assignment.pk).state
    audits = AuditEntry.objects.count()
    if persona in allowed:
        getattr(actions, action)(assignment, actor=actor, **extra)
        assert Assignment.objects.get(pk=assignment.pk).state != before
        assert AuditEntry.objects.count() > audits
    else:
        with pytest.raises(ActionRefused):
            getattr(actions, action)(assignment, actor=actor, **extra)
        assert Assignment.objects.get(pk=assignment.pk).state == before
        assert AuditEntry.objects.count() == audits
