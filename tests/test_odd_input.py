"""The odd inputs that once gave an error page, each answered in the page now, with nothing written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import Alert, Assignment, AuditEntry
from concierge.roles import Role
from tasks.models import CareTask, Holiday
from tests.factories import MemberFactory, StaffFactory, TierFactory
from tests.helpers import HTMX
from tests.tasks.helpers import fresh, make_task, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOO_BIG = str(2**63)


@pytest.fixture
def member(store):
    return MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), name="王丽华")


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


@pytest.fixture
def superuser(db):
    from concierge.models import Staff

    return Staff.objects.create_superuser("root", password="pw-root-123")


# ---- "show more" past the end, and offsets no link sends ----------------------------------------------


def test_show_more_after_the_tasks_were_finished_shows_the_end(client_for, vip_manager, member):
    make_task(member, vip_manager)
    response = client_for(vip_manager).get(reverse("tasks:my_day"), {"offset": 25}, **HTMX)
    assert response.status_code == 200
    assert 'id="task-' not in response.content.decode()


def test_show_more_past_the_end_of_an_empty_day(client_for, vip_manager):
    response = client_for(vip_manager).get(reverse("tasks:my_day"), {"offset": 1}, **HTMX)
    assert response.status_code == 200


def test_a_colleagues_day_past_the_end_shows_the_end(client_for, store_manager, vip_manager, member):
    make_task(member, vip_manager)
    url = reverse("tasks:staff_tasks", args=[vip_manager.pk])
    response = client_for(store_manager).get(url, {"offset": 50}, **HTMX)
    assert response.status_code == 200
    assert 'id="task-' not in response.content.decode()


@pytest.mark.parametrize("offset", ["99999999999999999999", "-5", "abc", "1" * 5000])
def test_an_offset_no_link_sends_is_a_bad_request(client_for, store_manager, vip_manager, offset):
    client = client_for(store_manager)
    assert client.get(reverse("tasks:my_day"), {"offset": offset}).status_code == 400
    url = reverse("tasks:staff_tasks", args=[vip_manager.pk])
    assert client.get(url, {"offset": offset}).status_code == 400


def test_a_profile_with_a_huge_offset_is_a_bad_request(client_for, vip_manager, member):
    url = reverse("concierge:member_detail", args=[member.pk])
    assert client_for(vip_manager).get(url, {"contacts_from": TOO_BIG}, **HTMX).status_code == 400


# ---- dates too far ahead ---------------------------------------------------------------------------


def test_pausing_outreach_until_9999_is_refused_in_the_form(client_for, vip_manager, member):
    url = reverse("tasks:pause_outreach", args=[member.pk])
    response = client_for(vip_manager).post(url, {"until": "9999-12-31", "reason": "asked"}, **HTMX)
    member.refresh_from_db()
    assert response.status_code == 200
    assert "Choose a date within 5 years." in text(response)
    assert member.outreach_paused_until is None


def test_snoozing_past_five_years_is_refused(client_for, vip_manager, member):
    task = make_task(member, vip_manager)
    far = (timezone.localdate() + dt.timedelta(days=365 * 6)).isoformat()
    response = client_for(vip_manager).post(reverse("tasks:snooze", args=[task.pk]), {"until": far}, **HTMX)
    assert "Choose a date within 5 years." in text(response)
    assert fresh(task).state == CareTask.State.OPEN


def test_a_holiday_in_year_9999_is_refused(client_for, store_manager):
    response = client_for(store_manager).post(
        reverse("tasks:holidays"), {"name": "会员日", "date": "9999-12-31"}, **HTMX
    )
    assert "Choose a date within 5 years." in text(response)
    assert not Holiday.objects.filter(name="会员日").exists()


# ---- NUL bytes -------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_decline_reason_is_refused_with_a_message(client_for, vip_manager, member):
    assignment = Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:decline", args=[assignment.pk])
    response = client_for(vip_manager).post(url, {"reason": "busy\x00"}, follow=True)
    assert response.status_code == 200
    assert "Null characters are not allowed." in text(response)
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.PROPOSED
    assert not AuditEntry.objects.filter(action__startswith="assignment.").exists()


def test_a_decline_reason_over_200_characters_is_refused_not_cut(client_for, vip_manager, member):
    assignment = Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:decline", args=[assignment.pk])
    client_for(vip_manager).post(url, {"reason": "x" * 201})
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.PROPOSED


def test_a_nul_byte_in_the_draft_check_is_not_found(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=CareTask.Kind.BIRTHDAY_GREETING, period="2026")
    client = client_for(vip_manager)
    url = reverse("tasks:check_draft")
    assert client.post(url, {"task": task.pk, "message": "生日快乐"}).status_code == 200
    assert client.post(url, {"task": task.pk, "message": "a\x00"}).status_code == 404
    assert client.post(url, {"task": TOO_BIG, "message": "hi"}).status_code == 404


# ---- ids past 64 bits in multi-selects --------------------------------------------------------------


def test_spread_across_an_id_past_64_bits_is_a_field_error(client_for, store_manager, vip_manager, member):
    response = client_for(store_manager).post(
        reverse("concierge:spread"), {"value_class": "*", "managers": [vip_manager.pk, TOO_BIG]}, follow=True
    )
    assert f"{TOO_BIG}” is not a valid value." in text(response)
    assert not Assignment.objects.exists()


def test_move_book_to_an_id_past_64_bits_is_a_field_error(
    client_for, store_manager, vip_manager, colleague, member
):
    # A book to move: the form is drawn on the managers who have one.
    Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:move_book", args=[vip_manager.pk])
    response = client_for(store_manager).post(url, {"to_managers": [TOO_BIG], "reason": "leave"})
    assert response.status_code == 200
    assert "is not a valid value." in text(response)


def test_hand_out_an_id_past_64_bits_is_a_field_error(client_for, store_manager, vip_manager, member):
    task = make_task(member, None)
    response = client_for(store_manager).post(
        reverse("tasks:hand_out"), {"tasks": [task.pk, TOO_BIG], "to_users": [vip_manager.pk]}, **HTMX
    )
    assert response.status_code == 200
    assert "is not a valid value." in text(response)
    assert fresh(task).assignee is None


def test_move_tasks_to_an_id_past_64_bits_is_a_field_error(client_for, store_manager, vip_manager, member):
    task = make_task(member, vip_manager)
    url = reverse("tasks:move_tasks", args=[vip_manager.pk])
    response = client_for(store_manager).post(
        url, {"to_users": [str(-(2**63) - 1)], "reason": "leave"}, **HTMX
    )
    assert response.status_code == 200
    assert fresh(task).assignee == vip_manager


# ---- where a post goes back to --------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "x\x00"])
def test_next_never_leaves_the_site(client_for, store_manager, vip_manager, member, target):
    assignment = Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:release", args=[assignment.pk])
    # Refused (the member was never accepted): a plain post goes back with the refusal as a message.
    response = client_for(store_manager).post(url, {"reason": "leave", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("concierge:client_book")


def test_next_on_this_site_is_followed(client_for, store_manager, vip_manager, member):
    assignment = Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:release", args=[assignment.pk])
    response = client_for(store_manager).post(url, {"reason": "leave", "next": "/clientbook/?show=assigned"})
    assert response["Location"] == "/clientbook/?show=assigned"


def test_an_alert_opens_only_a_link_on_this_site(client_for, vip_manager):
    alert = Alert.objects.create(recipient=vip_manager, kind="x", text="t", link="//evil.example/")
    response = client_for(vip_manager).post(reverse("concierge:alert_read", args=[alert.pk]), {"open": "1"})
    assert response["Location"] == reverse("concierge:alerts")
    alert.refresh_from_db()
    assert alert.read_at is not None


def test_a_client_book_filter_no_link_sends_is_a_bad_request(client_for, store_manager):
    assert (
        client_for(store_manager).get(reverse("concierge:client_book"), {"show": "x\x00"}).status_code == 400
    )


# ---- a superuser belongs to no store --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("tasks:holidays", [], {"name": "会员日", "date": "2030-01-01"}),
        ("tasks:edit_template", ["birthday", "en"], {"body": "Happy birthday {member}! {store} {staff}"}),
        ("tasks:edit_words", ["promotion", "en"], {"promotion-en-words": "sale"}),
    ],
)
def test_the_care_setup_refuses_a_user_of_no_store(client_for, superuser, url_name, args, data):
    response = client_for(superuser).post(reverse(url_name, args=args), data)
    assert response.status_code == 403
    assert not Holiday.objects.exists()


def test_a_refused_completion_keeps_the_edited_message(client_for, vip_manager, member):
    task = make_task(member, vip_manager, kind=CareTask.Kind.BIRTHDAY_GREETING, period="2026")
    url = reverse("tasks:complete", args=[task.pk])
    response = client_for(vip_manager).post(url, {"outcome": "", "message": "我改过的祝福"}, **HTMX)
    assert response.status_code == 200
    assert "我改过的祝福" in text(response)
    assert fresh(task).state == CareTask.State.OPEN


def test_a_store_managers_refused_handover_form_comes_back_on_my_vips(
    client_for, store_manager, vip_manager, member
):
    assignment = Assignment.objects.create(store=member.store, member=member, manager=vip_manager)
    url = reverse("concierge:request_handover", args=[assignment.pk])
    response = client_for(store_manager).post(url, {"colleague": "", "note": ""})
    assert response.status_code == 200
    assert "Check the handover form." in text(response)
    assert Assignment.objects.get(pk=assignment.pk).state == Assignment.State.PROPOSED


@pytest.mark.parametrize("value", ["", "2", "1\x00", TOO_BIG])
def test_an_account_switch_no_button_sends_is_refused_with_a_message(
    client_for, store_manager, vip_manager, value
):
    url = reverse("concierge:setup_staff_active", args=[vip_manager.pk])
    response = client_for(store_manager).post(url, {"active": value}, follow=True)
    vip_manager.refresh_from_db()
    assert "Choose to deactivate or to reactivate." in text(response)
    assert vip_manager.is_active


@pytest.mark.parametrize(("back", "page"), [("list", "concierge:setup_staff"), ("x\x00", None), ("", None)])
def test_unlocking_goes_back_to_the_list_only_when_tapped_there(
    client_for, store_manager, vip_manager, back, page
):
    url = reverse("concierge:setup_staff_unlock", args=[vip_manager.pk])
    response = client_for(store_manager).post(url, {"back": back})
    expected = reverse(page) if page else reverse("concierge:setup_staff_detail", args=[vip_manager.pk])
    assert response["Location"] == expected


def test_a_user_name_longer_than_any_account_is_refused_by_the_login_form(client):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "x" * 300, "password": "pw"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in text(response)
    assert not AccessAttempt.objects.exists()
