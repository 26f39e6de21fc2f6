"""The people who run the installation (superusers) see every store's care tasks and care setup in
Django's admin, and change none; a store's administrator role does not get in at all."""

import pytest
from django.urls import reverse

from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory
from tests.tasks.helpers import fresh, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return StaffFactory(username="root", store=None, is_staff=True, is_superuser=True)


def test_the_stores_administrator_role_is_sent_to_the_admin_login(client_for, store):
    store_admin = StaffFactory(username="storeadmin", store=store, is_staff=True, roles=[Role.ADMIN])
    response = client_for(store_admin).get(reverse("admin:tasks_caretask_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", ["caretask", "holiday", "messagetemplate", "etiquettewords"])
def test_the_administrator_may_look(client_for, administrator, model):
    response = client_for(administrator).get(reverse(f"admin:tasks_{model}_changelist"))
    assert response.status_code == 200
    assert client_for(administrator).get(reverse(f"admin:tasks_{model}_add")).status_code == 403


def test_a_care_task_cannot_be_changed_in_the_admin(client_for, administrator, store, vip_manager):
    task = make_task(MemberFactory(store=store), vip_manager)
    client = client_for(administrator)
    url = reverse("admin:tasks_caretask_change", args=[task.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"state": "done", "reason": "changed"})
    after = fresh(task)
    assert (after.state, after.reason) == ("open", task.reason)
