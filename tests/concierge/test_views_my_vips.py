"""My VIPs built around the VIP, and the client book's forms that keep what the user entered."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge import actions
from concierge.models import Assignment
from concierge.roles import Role
from tests.factories import ContactLogFactory, MemberFactory, StaffFactory, TierFactory
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def tier():
    return TierFactory(dedicated_manager=True, name="SVIP")


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def book_of(manager, members, boss):
    return [actions.assign_member(member, manager, actor=boss, direct=True) for member in members]


def rows(content):
    return re.findall(r'<li class="vip-row[^"]*" id="assignment-(\d+)"', content)


def test_each_row_opens_the_member_and_shows_class_spend_and_last_contact(
    client_for, store, store_manager, vip_manager, tier
):
    member = MemberFactory(store=store, tier=tier, name="王丽华", value_class="A", spend_12m=Decimal("84711"))
    ContactLogFactory(member=member, staff=vip_manager, channel="visit", contacted_at=timezone.now())
    book_of(vip_manager, [member], store_manager)

    content = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()

    row = content[content.index('<li class="vip-row"') :]
    row = row[: row.index("</li>")]
    # One link for the whole row, to the member's profile.
    assert row.count("<a ") == 1
    assert f'<a class="vip-open" href="/members/{member.pk}/">' in row
    assert '<span class="badge badge-A"' in row
    assert "¥84,711" in row
    assert "12-month spend" in row
    assert "Last contact" in row and "today" in row and "Visit" in row
    assert "Nothing planned" in row
    # Handing over is there, as a quiet secondary action outside the link.
    assert '<summary class="btn btn-quiet">Hand over</summary>' in row


def test_a_member_never_contacted_says_so(client_for, store, store_manager, vip_manager, tier):
    book_of(vip_manager, [MemberFactory(store=store, tier=tier)], store_manager)
    content = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()
    assert "None yet" in content


def test_the_header_counts_the_rows_shown(client_for, store, store_manager, vip_manager, colleague, tier):
    members = [MemberFactory(store=store, tier=tier) for _ in range(5)]
    book_of(vip_manager, members[:3], store_manager)
    proposed = actions.assign_member(members[3], vip_manager, actor=store_manager)
    offered = actions.assign_member(members[4], colleague, actor=store_manager, direct=True)
    actions.request_handover(offered, actor=colleague, colleague=vip_manager, note="调岗")
    # Another manager's VIP is nobody's business here.
    book_of(colleague, [MemberFactory(store=store, tier=tier)], store_manager)

    content = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()

    assert "3 VIPs in your book" in content
    assert "2 waiting for your answer" in content
    waiting, book = content.split('id="book-title"')
    assert sorted(rows(waiting)) == sorted([str(proposed.pk), str(offered.pk)])
    assert len(rows(book)) == 3
    assert "New VIP for your book" in waiting
    assert reverse("concierge:accept", args=[proposed.pk]) in waiting
    assert reverse("concierge:decline", args=[proposed.pk]) in waiting
    assert "Handover from 刘洋" in waiting
    assert reverse("concierge:accept_handover", args=[offered.pk]) in waiting


def test_the_most_valuable_vip_comes_first(client_for, store, store_manager, vip_manager, tier):
    small = MemberFactory(store=store, tier=tier, name="甲", value_class="B", spend_12m=Decimal("90000"))
    big = MemberFactory(store=store, tier=tier, name="乙", value_class="A", spend_12m=Decimal("50000"))
    bigger = MemberFactory(store=store, tier=tier, name="丙", value_class="A", spend_12m=Decimal("70000"))
    book_of(vip_manager, [small, big, bigger], store_manager)
    content = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()
    assert content.index("丙") < content.index("乙") < content.index("甲")


def test_a_handover_waiting_for_the_colleague_shows_as_such(
    client_for, store, store_manager, vip_manager, colleague, tier
):
    (assignment,) = book_of(vip_manager, [MemberFactory(store=store, tier=tier)], store_manager)
    actions.request_handover(assignment, actor=vip_manager, colleague=colleague, note="调岗")
    content = client_for(vip_manager).get(reverse("concierge:my_vips")).content.decode()
    assert "Waiting for 刘洋 to take over" in content
    assert "1 VIP in your book" in content


def test_my_vips_queries_stay_flat(
    client_for, store, store_manager, vip_manager, colleague, tier, django_assert_max_num_queries
):
    def load():
        client.get(reverse("concierge:my_vips"))

    client = client_for(vip_manager)
    book_of(vip_manager, [MemberFactory(store=store, tier=tier) for _ in range(2)], store_manager)
    with django_assert_max_num_queries(20) as few:
        load()
    members = [MemberFactory(store=store, tier=tier) for _ in range(25)]
    for member in members:
        ContactLogFactory(member=member, staff=vip_manager)
    book_of(vip_manager, members[:20], store_manager)
    for member in members[20:]:
        actions.assign_member(member, vip_manager, actor=store_manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        load()


# ---- the client book's forms ----------------------------------------------------------------------


def checked_managers(content):
    return set(re.findall(r'name="managers" value="(\d+)" checked', content))


def test_the_spread_form_keeps_the_users_choice_after_an_error(
    client_for, store, store_manager, vip_manager, colleague, tier
):
    MemberFactory(store=store, tier=tier, value_class="A")
    client = client_for(store_manager)
    # Both have room, so a fresh form offers both.
    assert checked_managers(client.get(reverse("concierge:client_book")).content.decode()) == {
        str(vip_manager.pk),
        str(colleague.pk),
    }

    # Nobody of class B to spread: refused, and the form still says B and only the colleague.
    refused = client.post(
        reverse("concierge:spread"), {"value_class": "B", "managers": [colleague.pk]}, **HTMX
    )
    content = refused.content.decode()
    assert refused.status_code == 200
    assert "There is no unassigned member of that class." in content
    assert checked_managers(content) == {str(colleague.pk)}
    assert '<option value="B" selected>' in content
    assert not Assignment.objects.exists()

    # Nobody chosen: the field says so and stays empty.
    refused = client.post(reverse("concierge:spread"), {"value_class": "C"}, **HTMX)
    content = refused.content.decode()
    assert "Choose at least one VIP manager." in content
    assert checked_managers(content) == set()
    assert '<option value="C" selected>' in content


def test_the_spread_form_keeps_the_choice_without_htmx_too(
    client_for, store, store_manager, vip_manager, colleague, tier
):
    refused = client_for(store_manager).post(
        reverse("concierge:spread"), {"value_class": "B", "managers": [vip_manager.pk]}
    )
    content = refused.content.decode()
    assert refused.status_code == 200
    assert "<html" in content
    assert checked_managers(content) == {str(vip_manager.pk)}
    # The page has the post's address: switching the language from it goes home, not to the post.
    assert 'name="next" value="/"' in content


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_release_without_a_reason_says_so_in_its_own_field(
    client_for, store, store_manager, vip_manager, tier, htmx
):
    (assignment,) = book_of(vip_manager, [MemberFactory(store=store, tier=tier)], store_manager)
    client = client_for(store_manager)
    page = client.get(reverse("concierge:client_book"), {"show": "assigned"}).content.decode()
    # Styled like every other field (a text input in the field template, which the stylesheet
    # sizes), with no browser pop-up: the form is novalidate, the app answers.
    form = page[page.index(f'action="{reverse("concierge:release", args=[assignment.pk])}"') :]
    form = form[: form.index("</form>")]
    assert "novalidate" in form
    assert '<div class="field">' in form
    assert 'type="text" name="reason"' in form

    response = client.post(
        reverse("concierge:release", args=[assignment.pk]),
        {"reason": " ", "show": "assigned"},
        **(HTMX if htmx else {}),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert ("<html" in content) is not htmx
    failed = content[content.index(f'id="member-{assignment.member_id}"') :]
    failed = failed[: failed.index("</li>")]
    assert '<details class="inline-form" open>' in failed
    assert '<p class="field-error" role="alert">Give a reason.</p>' in failed
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE


def test_a_release_reason_over_200_characters_is_refused(client_for, store, store_manager, vip_manager, tier):
    (assignment,) = book_of(vip_manager, [MemberFactory(store=store, tier=tier)], store_manager)
    response = client_for(store_manager).post(
        reverse("concierge:release", args=[assignment.pk]), {"reason": "长" * 201}, **HTMX
    )
    assert "at most 200 characters" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.ACTIVE


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_moving_a_book_without_a_reason_says_so_and_keeps_the_choice(
    client_for, store, store_manager, vip_manager, colleague, tier, htmx
):
    third = StaffFactory(display_name="孙悦", store=store, roles=[Role.VIP_MANAGER])
    book_of(vip_manager, [MemberFactory(store=store, tier=tier)], store_manager)
    response = client_for(store_manager).post(
        reverse("concierge:move_book", args=[vip_manager.pk]),
        {"to_managers": [third.pk], "reason": ""},
        **(HTMX if htmx else {}),
    )
    content = response.content.decode()
    assert response.status_code == 200
    form = content[content.index(f'action="{reverse("concierge:move_book", args=[vip_manager.pk])}"') :]
    form = form[: form.index("</form>")]
    assert "Give a reason." in form
    assert "novalidate" in form
    assert f'name="to_managers" value="{third.pk}" checked' in form
    assert f'name="to_managers" value="{colleague.pk}" checked' not in form
    assert Assignment.objects.get().manager == vip_manager
