"""Client book, My VIPs, the transition views and the alert list, through the test client."""

import pytest
from django.urls import reverse

from concierge import actions
from concierge.models import Alert, Assignment
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def member(store):
    return MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), name="王丽华")


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def test_client_book_lists_members_and_caseloads(client_for, store_manager, vip_manager, member):
    page = client_for(store_manager).get(reverse("concierge:client_book"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "王丽华" in content
    assert "0 / 60" in content


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk"])
def test_client_book_is_for_store_managers(request, client_for, persona):
    assert (
        client_for(request.getfixturevalue(persona)).get(reverse("concierge:client_book")).status_code == 403
    )


def test_assign_from_the_client_book_alerts_the_manager(client_for, store_manager, vip_manager, member):
    response = client_for(store_manager).post(
        reverse("concierge:assign", args=[member.pk]), {"manager": vip_manager.pk, "direct": "on"}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(member=member).state == Assignment.State.ACTIVE
    assert Alert.objects.filter(recipient=vip_manager).count() == 1


def test_assign_without_a_manager_says_so_and_writes_nothing(client_for, store_manager, member):
    response = client_for(store_manager).post(
        reverse("concierge:assign", args=[member.pk]), {"manager": ""}, follow=True
    )
    assert "This field is required." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_other_stores_manager_gets_404(client_for, other_manager, store_manager, vip_manager, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    client = client_for(other_manager)
    assert (
        client.post(reverse("concierge:assign", args=[member.pk]), {"manager": vip_manager.pk}).status_code
        == 404
    )
    assert client.post(reverse("concierge:release", args=[assignment.pk]), {"reason": "x"}).status_code == 404
    assert (
        client.post(reverse("concierge:move_book", args=[vip_manager.pk]), {"reason": "x"}).status_code == 404
    )


def test_my_vips_accept_and_hand_over(client_for, store_manager, vip_manager, colleague, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    client = client_for(vip_manager)
    page = client.get(reverse("concierge:my_vips")).content.decode()
    assert "王丽华" in page
    assert reverse("concierge:accept", args=[assignment.pk]) in page

    client.post(reverse("concierge:accept", args=[assignment.pk]))
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE

    refused = client.post(
        reverse("concierge:request_handover", args=[assignment.pk]),
        {"colleague": colleague.pk, "note": ""},
        follow=True,
    )
    assert "Write a handover note" in refused.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE

    client.post(
        reverse("concierge:request_handover", args=[assignment.pk]),
        {"colleague": colleague.pk, "note": "喜欢红酒"},
    )
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.HANDOVER_REQUESTED
    colleague_page = client_for(colleague).get(reverse("concierge:my_vips")).content.decode()
    assert "喜欢红酒" in colleague_page


def test_accepting_twice_shows_who_was_first(client_for, store_manager, vip_manager, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    actions.accept_assignment(assignment, actor=vip_manager)
    response = client_for(store_manager).post(reverse("concierge:accept", args=[assignment.pk]), follow=True)
    assert "Already “Active”" in response.content.decode()


def test_spread_from_the_client_book(client_for, store_manager, store, colleague, vip_manager):
    tier = TierFactory(dedicated_manager=True)
    for _ in range(4):
        MemberFactory(store=store, tier=tier, value_class="A")
    client_for(store_manager).post(
        reverse("concierge:spread"), {"value_class": "A", "managers": [vip_manager.pk, colleague.pk]}
    )
    counts = sorted(Assignment.objects.values_list("manager_id", flat=True))
    assert counts.count(vip_manager.pk) == 2
    assert counts.count(colleague.pk) == 2


def test_alert_list_and_marking_read(client_for, store_manager, vip_manager, member):
    actions.assign_member(member, vip_manager, actor=store_manager)
    client = client_for(vip_manager)
    page = client.get(reverse("concierge:alerts")).content.decode()
    assert "王丽华" in page
    assert 'class="bell-count"' in page  # one unread: the count shows
    alert = Alert.objects.get(recipient=vip_manager)
    opened = client.post(reverse("concierge:alert_read", args=[alert.pk]), {"open": "1"})
    assert opened.url == f"/members/{member.pk}/"
    assert Alert.objects.get(pk=alert.pk).read_at is not None
    client.post(reverse("concierge:alerts_read_all"))
    assert 'class="bell-count is-empty"' in client.get(reverse("concierge:alerts")).content.decode()


def test_someone_elses_alert_is_404(client_for, store_manager, vip_manager, member, front_desk):
    actions.assign_member(member, vip_manager, actor=store_manager)
    alert = Alert.objects.get(recipient=vip_manager)
    assert client_for(front_desk).post(reverse("concierge:alert_read", args=[alert.pk])).status_code == 404


def test_htmx_transitions_answer_with_the_lists_and_a_notice(client_for, store_manager, vip_manager, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    response = client_for(vip_manager).post(reverse("concierge:accept", args=[assignment.pk]), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="my-vips-lists"' in content
    assert "王丽华 (" in content and "is now in your book" in content


def test_htmx_refusal_is_shown_in_the_page_with_status_200(client_for, store_manager, vip_manager, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager)
    actions.accept_assignment(assignment, actor=vip_manager)
    response = client_for(store_manager).post(reverse("concierge:accept", args=[assignment.pk]), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="client-book-lists"' in content
    assert 'class="notice notice-error"' in content


def test_handover_errors_stay_in_the_form_with_the_input(
    client_for, store_manager, vip_manager, colleague, member
):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    response = client_for(vip_manager).post(
        reverse("concierge:request_handover", args=[assignment.pk]),
        {"colleague": colleague.pk, "note": ""},
        **HTMX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Write a handover note for your colleague." in content
    assert '<details class="inline-form vip-handover" open>' in content
    assert f'<option value="{colleague.pk}" selected>' in content
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE


def test_store_manager_releases_from_the_client_book(client_for, store_manager, vip_manager, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    client = client_for(store_manager)
    page = client.get(reverse("concierge:client_book"), {"show": "assigned"}).content.decode()
    assert reverse("concierge:release", args=[assignment.pk]) in page
    refused = client.post(reverse("concierge:release", args=[assignment.pk]), {"reason": ""}, **HTMX)
    assert "Give a reason." in refused.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE
    client.post(reverse("concierge:release", args=[assignment.pk]), {"reason": "降级为 ME"}, **HTMX)
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ENDED


def test_buttons_follow_the_guards(client_for, store_manager, vip_manager, colleague, member):
    assignment = actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="调岗")
    mine = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()
    assert reverse("concierge:withdraw_handover", args=[assignment.pk]) in mine
    assert reverse("concierge:accept_handover", args=[assignment.pk]) not in mine
    theirs = client_for(colleague).get(reverse("concierge:my_vips")).content.decode()
    assert reverse("concierge:accept_handover", args=[assignment.pk]) in theirs
    assert reverse("concierge:withdraw_handover", args=[assignment.pk]) not in theirs
