"""A colleague who leaves or changes role: their VIPs, care tasks, sockets and lockout stay in reach
of the store manager, and nobody without the right to manage an account can touch it."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from concierge import actions, setup_actions
from concierge.errors import ActionRefused
from concierge.models import Assignment, AuditEntry, Member, Staff
from concierge.roles import Role
from tasks.jobs import generate_care_tasks
from tasks.models import CareTask
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.tasks.helpers import make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def vip_member(store, **fields):
    return MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), **fields)


def fresh(user):
    return Staff.objects.get(pk=user.pk)


def test_a_handover_to_a_colleague_who_left_meanwhile_is_refused(
    store, store_manager, vip_manager, colleague
):
    assignment = actions.assign_member(vip_member(store), vip_manager, actor=store_manager, direct=True)
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="喜欢喝茶")
    setup_actions.set_staff_active(colleague, actor=store_manager, active=False)

    with pytest.raises(ActionRefused, match="is not a VIP manager of this store"):
        actions.accept_handover(Assignment.objects.get(pk=assignment.pk), actor=store_manager)
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.HANDOVER_REQUESTED
    assert not Assignment.objects.filter(manager=colleague).exists()


def test_the_book_of_someone_no_longer_a_vip_manager_can_still_be_moved(
    client_for, store, store_manager, vip_manager, colleague
):
    actions.assign_member(vip_member(store), vip_manager, actor=store_manager, direct=True)
    setup_actions.update_staff(
        fresh(vip_manager),
        actor=store_manager,
        display_name=vip_manager.display_name,
        roles=[Role.FRONT_DESK.value],
        caseload_limit=vip_manager.caseload_limit,
    )
    response = client_for(store_manager).post(
        reverse("concierge:move_book", args=[vip_manager.pk]),
        {"to_managers": [colleague.pk], "reason": "转岗"},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(manager=colleague, state=Assignment.State.ACTIVE).count() == 1
    assert not Assignment.objects.filter(manager=vip_manager, state__in=actions.OPEN_STATES).exists()


def test_a_deactivated_colleagues_care_tasks_can_be_moved_and_new_ones_go_to_the_pool(
    client_for, store, store_manager, vip_manager, colleague
):
    member = vip_member(store)
    actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    task = make_task(member, vip_manager, due=0)
    setup_actions.set_staff_active(fresh(vip_manager), actor=store_manager, active=False)
    client = client_for(store_manager)

    team = client.get(reverse("tasks:team")).content.decode()
    assert reverse("tasks:staff_tasks", args=[vip_manager.pk]) in team  # still a row, to move from
    response = client.post(
        reverse("tasks:move_tasks", args=[vip_manager.pk]), {"to_users": [colleague.pk], "reason": "离职"}
    )
    assert response.status_code == 302
    assert CareTask.objects.get(pk=task.pk).assignee == colleague

    # The member is still in the leaver's book until it is moved; tick's new tasks go to the pool.
    today = timezone.localdate()
    Member.objects.filter(pk=member.pk).update(birthday=(today + dt.timedelta(days=3)).replace(year=1980))
    generate_care_tasks(as_of=today)
    greeting = CareTask.objects.get(member=member, kind=CareTask.Kind.BIRTHDAY_GREETING)
    assert greeting.assignee is None


def test_an_administrator_may_not_unlock_a_store_manager(store, store_manager):
    administrator = StaffFactory(username="adm", store=store, roles=[Role.ADMIN])
    AccessAttempt.objects.create(
        username=store_manager.username,
        ip_address="10.0.0.9",
        user_agent="tablet",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    with pytest.raises(ActionRefused, match="may not change the account"):
        setup_actions.unlock_staff(store_manager, actor=administrator)
    assert AccessAttempt.objects.filter(username=store_manager.username).exists()
    assert not AuditEntry.objects.filter(action="staff.unlocked").exists()


def test_an_account_with_powers_outside_the_store_roles_is_not_managed_here(
    client_for, store_manager, vip_manager
):
    vip_manager.groups.add(Group.objects.create(name="auditors"))  # added by an installation admin
    client = client_for(store_manager)
    page = client.get(reverse("concierge:setup_staff_detail", args=[vip_manager.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("concierge:setup_staff_detail", args=[vip_manager.pk]),
        {"display_name": "新名字", "roles": ["vip_manager"], "caseload_limit": 60},
    )
    assert response.status_code in (200, 302, 403)
    assert fresh(vip_manager).display_name == "王丽"
    assert "auditors" in fresh(vip_manager).role_codes

    other = StaffFactory(username="perm", store=store_manager.store, roles=[Role.FRONT_DESK])
    other.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    assert not setup_actions.may_manage(store_manager, fresh(other))


def test_changing_roles_keeps_groups_that_are_not_roles(store_manager, vip_manager):
    extra = Group.objects.create(name="auditors")
    vip_manager.groups.add(extra)
    setup_actions._set_roles(vip_manager, [Role.FRONT_DESK])
    assert set(fresh(vip_manager).role_codes) == {"auditors", Role.FRONT_DESK.value}
