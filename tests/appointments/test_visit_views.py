"""The visit's page: what it shows, the steps each role is offered, each step's post, the .ics."""

import datetime as dt

import pytest
from django.urls import reverse

from concierge.appointments import visits
from concierge.models import AuditEntry
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.factories import PurchaseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, visit):
    return reverse(f"concierge:{name}", args=[visit.pk])


@pytest.fixture
def booked(store, member, vip_manager, backup_host, room, clock):
    return make_visit(
        store,
        member,
        vip_manager,
        at(2026, 12, 1, 15, 0),
        backup_host=backup_host,
        room=room,
        car_plate="京A12345",
        drinks="Green tea",
        booked_by=vip_manager,
        items=[("front_desk", "Lounge ready"), ("catering", "Green tea")],
    )


@pytest.fixture
def arrived(store, member, vip_manager, clock):
    return make_visit(
        store,
        member,
        vip_manager,
        at(2026, 12, 1, 9, 45),
        state=State.ARRIVED,
        arrived_at=at(2026, 12, 1, 9, 50),
    )


def test_the_page_shows_the_visit(client_for, booked, vip_manager, member, english):
    response = client_for(vip_manager).get(url("visit_detail", booked))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "张美玲",
        "Ms 张",
        "王丽",
        "孙悦",
        "贵宾室一",
        "京A12345",
        "Green tea",
        "Lounge ready",
        "Catering",
    ):
        assert text in page
    assert reverse("concierge:member_detail", args=[member.pk]) in page
    assert url("visit_ics", booked) in page
    assert url("visit_confirm", booked) in page
    assert url("visit_edit", booked) in page
    assert url("visit_cancel", booked) in page
    assert url("visit_check_in", booked) in page
    assert "reception.css" in page


@pytest.mark.parametrize(
    ("who", "status"), [("front_desk", 200), ("store_manager", 200), ("complaint_handler", 403)]
)
def test_who_sees_the_page(client_for, request, booked, who, status):
    assert client_for(request.getfixturevalue(who)).get(url("visit_detail", booked)).status_code == status


def test_another_stores_manager_gets_404_everywhere(client_for, arrived, other_manager):
    client = client_for(other_manager)
    assert client.get(url("visit_detail", arrived)).status_code == 404
    assert client.get(url("visit_ics", arrived)).status_code == 404
    for name in ("visit_start", "visit_farewell", "visit_tick", "visit_item", "visit_undo_no_show"):
        assert client.post(url(name, arrived), {"reason": "x"}).status_code == 404
    assert fresh(arrived).state == State.ARRIVED


def test_the_host_is_offered_the_service_and_the_desk_is_not(
    client_for, arrived, vip_manager, front_desk, english
):
    host_page = client_for(vip_manager).get(url("visit_detail", arrived)).content.decode()
    assert url("visit_start", arrived) in host_page
    assert url("visit_farewell", arrived) in host_page
    assert url("visit_acknowledge", arrived) in host_page
    desk_page = client_for(front_desk).get(url("visit_detail", arrived)).content.decode()
    assert url("visit_start", arrived) not in desk_page
    assert url("visit_farewell", arrived) not in desk_page


def test_a_refusal_is_shown_in_the_page(client_for, arrived, front_desk, english):
    response = client_for(front_desk).post(url("visit_start", arrived), **HTMX)
    assert response.status_code == 200
    assert "Only the visit&#x27;s host" in response.content.decode()
    assert fresh(arrived).state == State.ARRIVED


def test_start_serve_and_see_off_through_the_page(client_for, arrived, vip_manager, english):
    client = client_for(vip_manager)
    response = client.post(url("visit_start", arrived), **HTMX)
    assert response.status_code == 200
    assert "Service started." in response.content.decode()
    assert fresh(arrived).state == State.IN_SERVICE
    response = client.post(url("visit_service", arrived), {"notes": "", "feedback": ""}, **HTMX)
    assert "Write the notes" in response.content.decode()
    client.post(url("visit_service", arrived), {"notes": "Coat fitted", "feedback": "Happy"}, **HTMX)
    assert fresh(arrived).feedback == "Happy"
    response = client.post(url("visit_farewell", arrived), {"gift_given": "on", "gift_note": ""}, **HTMX)
    assert "Say which gift" in response.content.decode()
    assert fresh(arrived).state == State.IN_SERVICE
    response = client.post(url("visit_farewell", arrived), {"gift_given": "on", "gift_note": "Scarf"})
    assert response.status_code == 302
    assert fresh(arrived).state == State.COMPLETED
    client.post(url("visit_follow_up", arrived), {"note": "Called"}, **HTMX)
    assert fresh(arrived).state == State.FOLLOWED_UP


def test_tick_and_add_an_item_through_the_page(client_for, booked, front_desk, english):
    client = client_for(front_desk)
    item = booked.preparation.first()
    response = client.post(url("visit_tick", booked), {"item": item.pk, "done": "1"}, **HTMX)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert fresh(item).done_by == front_desk
    response = client.post(url("visit_item", booked), {"department": "catering", "text": ""}, **HTMX)
    assert "Say what is to be prepared." in response.content.decode()
    client.post(url("visit_item", booked), {"department": "catering", "text": "A cake"}, **HTMX)
    assert booked.preparation.filter(text="A cake").exists()


def test_an_item_of_another_visit_is_not_ticked(client_for, booked, store, member, front_desk, english):
    other = make_visit(store, member, front_desk, at(2026, 12, 2, 15, 0), items=[("host", "x")])
    item = other.preparation.first()
    response = client_for(front_desk).post(url("visit_tick", booked), {"item": item.pk, "done": "1"}, **HTMX)
    assert "removed meanwhile" in response.content.decode()
    assert fresh(item).done_at is None


def test_undo_a_no_show_through_the_page(client_for, store, member, vip_manager, front_desk, clock, english):
    missed = make_visit(store, member, vip_manager, at(2026, 12, 1, 9, 0), state=State.NO_SHOW)
    client = client_for(front_desk)
    page = client.get(url("visit_detail", missed)).content.decode()
    assert url("visit_undo_no_show", missed) in page
    response = client.post(url("visit_undo_no_show", missed), {"reason": ""}, **HTMX)
    assert "Say why the no-show is undone." in response.content.decode()
    client.post(url("visit_undo_no_show", missed), {"reason": "Came late"}, **HTMX)
    assert fresh(missed).state == State.REQUESTED


def test_the_purchases_and_their_total(client_for, arrived, member, vip_manager, clock):
    PurchaseFactory(member=member, purchased_at=at(2026, 12, 1, 9, 55), amount=1200, appointment=arrived)
    PurchaseFactory(member=member, purchased_at=at(2026, 12, 1, 9, 58), amount=300, appointment=arrived)
    page = client_for(vip_manager).get(url("visit_detail", arrived)).content.decode()
    assert "1,500" in page or "1500" in page


def test_the_calendar_file(client_for, booked, front_desk):
    response = client_for(front_desk).get(url("visit_ics", booked))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="visit-{booked.pk}-20261201-1500.ics"'
    assert b"BEGIN:VEVENT\r\n" in response.content


def test_the_query_count_does_not_grow_with_the_visit(
    client_for, arrived, member, vip_manager, front_desk, django_assert_max_num_queries
):
    client = client_for(vip_manager)
    client.get(url("visit_detail", arrived))
    with django_assert_max_num_queries(30) as small:
        client.get(url("visit_detail", arrived))
    for n in range(8):
        visits.add_item(arrived, actor=front_desk, department="catering", text=f"Item {n}")
        PurchaseFactory(member=member, purchased_at=at(2026, 12, 1, 9, 55), appointment=arrived)
    for item in arrived.preparation.all():
        visits.tick_item(item, actor=front_desk, done=True)
    AuditEntry.objects.update(at=at(2026, 12, 1, 9, 56) - dt.timedelta(seconds=1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("visit_detail", arrived))
    assert response.content.decode().count("checklist-item") >= 8
