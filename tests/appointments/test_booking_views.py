"""The booking pages: book, check a time, edit, confirm, cancel, and the visits of a day."""

import datetime as dt

import pytest
from django.urls import reverse

from concierge.models import Appointment, AuditEntry
from tests.appointments.conftest import at
from tests.factories import AppointmentFactory, MemberFactory
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]

BOOK = "/visits/new/"


def posted(member, host, /, **overrides):
    data = {
        "member": member.pk,
        "channel": "phone",
        "date": "2026-12-02",
        "time": "15:00",
        "minutes": "60",
        "purpose": "shopping",
        "host": host.pk,
        "party_size": "2",
        "drinks": "龙井",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def visit_of(member, host, starts=None, **fields):
    starts = starts or at(2026, 12, 2, 15, 0)
    return AppointmentFactory(
        member=member, host=host, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **fields
    )


# ---- booking --------------------------------------------------------------------------------------


def test_book_page_preselects_the_member_and_their_vip_manager(
    client_for, front_desk, member, vip_manager, lounge
):
    response = client_for(front_desk).get(BOOK, {"member": member.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["member"] == member.pk and form.initial["host"] == vip_manager.pk
    assert form.fields["minutes"].initial == 60
    assert "VIP lounge 1 (4 seats)" in response.content.decode()


def test_book_page_searches_members_by_phone_tail(client_for, front_desk, member, vip_manager):
    response = client_for(front_desk).get(BOOK, {"q": "1234"}, **HTMX)
    text = response.content.decode()
    assert "张美玲" in text and "VIP manager 王丽" in text and f'data-host="{vip_manager.pk}"' in text
    assert "<html" not in text


def test_the_no_show_risk_is_shown(client_for, front_desk, member, vip_manager):
    for day in (3, 10):
        made = visit_of(member, vip_manager, at(2026, 11, day, 15, 0))
        Appointment.objects.filter(pk=made.pk).update(state=Appointment.State.NO_SHOW)
    text = client_for(front_desk).get(BOOK, {"member": member.pk}).content.decode()
    assert "张美玲 missed 2 visits this year" in text


def test_booking_redirects_to_the_visit(client_for, front_desk, member, vip_manager):
    response = client_for(front_desk).post(BOOK, posted(member, vip_manager))
    visit = Appointment.objects.get()
    assert response.status_code == 302 and response.url == f"/visits/{visit.pk}/"
    assert (visit.starts_at, visit.party_size, visit.drinks) == (at(2026, 12, 2, 15, 0), 2, "龙井")


def test_a_refusal_is_shown_in_the_page_with_the_input_kept(client_for, front_desk, member, vip_manager):
    visit_of(MemberFactory(store=member.store), vip_manager)
    response = client_for(front_desk).post(BOOK, posted(member, vip_manager, time="15:30", drinks="普洱"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "王丽 already has a visit 15:00–16:00." in text
    assert 'value="普洱"' in text and 'value="15:30"' in text
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"member": None}, "member", "Find the member"),
        ({"time": "15:07"}, "time", "five-minute mark"),
        ({"date": "2026-11-01"}, "date", "today or a later day"),
        ({"host": "999999"}, "host", "Choose one of the hosts"),
        ({"channel": "walk_in"}, "channel", "Select a valid choice"),
    ],
)
def test_field_errors(client_for, front_desk, member, vip_manager, overrides, field, error):
    response = client_for(front_desk).post(BOOK, posted(member, vip_manager, **overrides), **HTMX)
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    assert not Appointment.objects.exists()


def test_backup_same_as_host_and_party_over_seats(client_for, front_desk, member, vip_manager, suite):
    data = posted(member, vip_manager, backup_host=vip_manager.pk, room=suite.pk, party_size="3")
    errors = client_for(front_desk).post(BOOK, data).context["form"].errors
    assert "backup_host" in errors and "party_size" in errors


def test_another_stores_member_or_host_is_not_a_choice(client_for, other_manager, member, vip_manager):
    response = client_for(other_manager).post(BOOK, posted(member, vip_manager))
    errors = response.context["form"].errors
    assert "member" in errors and "host" in errors
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "store_manager"])
def test_reception_roles_book(client_for, persona, request, member, vip_manager):
    response = client_for(request.getfixturevalue(persona)).post(BOOK, posted(member, vip_manager))
    assert response.status_code == 302
    assert Appointment.objects.count() == 1


def test_complaint_handler_may_not_book(client_for, complaint_handler, member, vip_manager):
    assert client_for(complaint_handler).get(BOOK).status_code == 403
    assert client_for(complaint_handler).post(BOOK, posted(member, vip_manager)).status_code == 403


def test_check_lists_free_hosts_and_rooms(client_for, front_desk, member, vip_manager, vip2, lounge, suite):
    visit_of(member, vip2, room=lounge)
    response = client_for(front_desk).get(
        "/visits/new/check/",
        {"date": "2026-12-02", "time": "15:30", "minutes": "60", "party_size": "2"},
        **HTMX,
    )
    text = response.content.decode()
    assert "王丽" in text and "刘洋" not in text
    assert "Fitting suite" in text and "VIP lounge 1" not in text


def test_check_says_when_the_store_is_closed(client_for, front_desk):
    response = client_for(front_desk).get(
        "/visits/new/check/", {"date": "2026-12-02", "time": "21:30", "minutes": "60"}
    )
    assert "opening hours on 2026-12-02 (10:00–22:00)" in response.content.decode()


# ---- one visit ------------------------------------------------------------------------------------


def test_edit_moves_the_visit_and_keeps_history(client_for, front_desk, member, vip_manager):
    visit = visit_of(member, vip_manager)
    client = client_for(front_desk)
    page = client.get(f"/visits/{visit.pk}/edit/")
    assert page.status_code == 200 and page.context["form"].initial["time"] == dt.time(15, 0)
    response = client.post(
        f"/visits/{visit.pk}/edit/", posted(member, vip_manager, time="17:00", drinks="咖啡")
    )
    assert response.status_code == 302
    visit = Appointment.objects.get(pk=visit.pk)
    assert (
        visit.starts_at == at(2026, 12, 2, 17, 0) and visit.drinks == "咖啡" and visit.reschedule_count == 1
    )
    assert AuditEntry.objects.filter(action="appointment.rescheduled").exists()
    assert AuditEntry.objects.filter(action="appointment.needs_changed").exists()


def test_edit_refusal_shows_the_reason(client_for, front_desk, member, vip_manager):
    visit = visit_of(member, vip_manager)
    visit_of(MemberFactory(store=member.store), vip_manager, at(2026, 12, 2, 17, 0))
    response = client_for(front_desk).post(
        f"/visits/{visit.pk}/edit/", posted(member, vip_manager, time="16:30")
    )
    assert response.status_code == 200
    assert "王丽 already has a visit 17:00–18:00." in response.content.decode()


def test_confirm_and_cancel(client_for, vip_manager, member):
    visit = visit_of(member, vip_manager)
    client = client_for(vip_manager)
    assert client.post(f"/visits/{visit.pk}/confirm/").status_code == 302
    assert Appointment.objects.get(pk=visit.pk).state == Appointment.State.CONFIRMED
    assert client.get(f"/visits/{visit.pk}/cancel/").status_code == 200
    response = client.post(f"/visits/{visit.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    assert client.post(f"/visits/{visit.pk}/cancel/", {"reason": "出差"}).status_code == 302
    visit = Appointment.objects.get(pk=visit.pk)
    assert visit.state == Appointment.State.CANCELLED and visit.cancel_reason == "出差"


def test_confirm_twice_is_told_not_an_error(client_for, front_desk, member, vip_manager):
    visit = visit_of(member, vip_manager)
    client = client_for(front_desk)
    client.post(f"/visits/{visit.pk}/confirm/")
    response = client.post(f"/visits/{visit.pk}/confirm/", follow=True)
    assert response.status_code in (200, 404)  # the visit's page is another part's
    assert AuditEntry.objects.filter(action="appointment.confirmed").count() == 1


def test_a_visit_that_began_cannot_be_edited(client_for, front_desk, member, vip_manager):
    visit = visit_of(member, vip_manager)
    Appointment.objects.filter(pk=visit.pk).update(state=Appointment.State.ARRIVED)
    response = client_for(front_desk).post(
        f"/visits/{visit.pk}/edit/", posted(member, vip_manager, time="17:00")
    )
    assert response.status_code == 200 and "has not begun" in response.content.decode()


@pytest.mark.parametrize("page", ["edit/", "cancel/"])
def test_the_other_store_gets_404(client_for, other_manager, member, vip_manager, page):
    visit = visit_of(member, vip_manager)
    client = client_for(other_manager)
    assert client.get(f"/visits/{visit.pk}/{page}").status_code == 404
    assert client.post(f"/visits/{visit.pk}/{page}", {"reason": "x"}).status_code == 404
    assert client.post(f"/visits/{visit.pk}/confirm/").status_code == 404
    assert Appointment.objects.get(pk=visit.pk).state == Appointment.State.REQUESTED


# ---- the list -------------------------------------------------------------------------------------


def test_a_vip_manager_sees_their_own_visits(client_for, store, vip_manager, vip2, member, clock):
    clock.set(2026, 12, 2, 9, 0)
    mine = visit_of(member, vip_manager)
    backing = visit_of(member, vip2, at(2026, 12, 2, 17, 0), backup_host=vip_manager)
    other = visit_of(member, vip2, at(2026, 12, 2, 19, 0))
    visits = client_for(vip_manager).get("/visits/").context["visits"]
    assert visits == [mine, backing]
    assert other not in visits


def test_the_front_desk_sees_the_store_by_day(
    client_for, front_desk, vip_manager, vip2, member, clock, other_manager
):
    clock.set(2026, 12, 2, 9, 0)
    first = visit_of(member, vip_manager)
    second = visit_of(member, vip2, at(2026, 12, 2, 17, 0))
    tomorrow = visit_of(member, vip2, at(2026, 12, 3, 17, 0))
    response = client_for(front_desk).get("/visits/")
    assert response.context["visits"] == [first, second]
    assert response.context["upcoming"] == [tomorrow]
    assert client_for(front_desk).get("/visits/", {"day": "2026-12-03"}).context["visits"] == [tomorrow]
    assert client_for(other_manager).get("/visits/").context["visits"] == []


def test_the_list_query_count_stays_flat(
    client_for, store_manager, vip_manager, vip2, member, clock, django_assert_max_num_queries
):
    clock.set(2026, 12, 2, 9, 0)
    for hour in range(10, 20):
        visit_of(
            MemberFactory(store=member.store), vip_manager if hour % 2 else vip2, at(2026, 12, 2, hour, 0)
        )
    client = client_for(store_manager)
    client.get("/visits/")
    with django_assert_max_num_queries(12):
        response = client.get("/visits/")
    assert len(response.context["visits"]) == 10


def test_the_list_refuses_a_bad_day(client_for, front_desk):
    assert client_for(front_desk).get("/visits/", {"day": "0001-01-01"}).status_code == 400


def test_the_profile_links_to_booking(client_for, front_desk, complaint_handler, member):
    link = f"{reverse('concierge:book')}?member={member.pk}"
    assert link in client_for(front_desk).get(f"/members/{member.pk}/").content.decode()
    assert link not in client_for(complaint_handler).get(f"/members/{member.pk}/").content.decode()
