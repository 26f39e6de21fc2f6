"""My day's "Visits today": the visits the day's owner hosts or backs up, by time."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import Appointment, Room
from tests.factories import MemberFactory
from tests.tasks.helpers import text

pytestmark = pytest.mark.django_db
State = Appointment.State


def book(store, host, hour, *, day=0, state=State.REQUESTED, backup=None, name=None, **fields):
    starts = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=day), dt.time(hour, 0))
    )
    member = MemberFactory(store=store, **({"name": name} if name else {}))
    return Appointment.objects.create(
        store=store,
        member=member,
        host=host,
        backup_host=backup,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
        purpose=Appointment.Purpose.FITTING,
        state=state,
        **fields,
    )


def strip(response):
    visits = response.context["visits"]
    return [(visit.member.name, visit.state) for visit in visits]


def test_the_host_sees_todays_visits_by_time_with_the_arrived_one_marked(
    client_for, english, store, vip_manager, colleague
):
    room = Room.objects.create(store=store, name="Lounge 2")
    book(store, vip_manager, 15, name="三点", room=room)
    arrived = book(store, vip_manager, 10, name="十点", state=State.ARRIVED)
    book(store, colleague, 12, name="十二点", backup=vip_manager)
    book(store, vip_manager, 11, name="取消", state=State.CANCELLED)
    book(store, colleague, 13, name="别人的")
    book(store, vip_manager, 9, day=1, name="明天")

    response = client_for(vip_manager).get(reverse("tasks:my_day"))
    assert strip(response) == [("十点", "arrived"), ("十二点", "requested"), ("三点", "requested")]
    page = text(response)
    assert "Visits today" in page
    assert reverse("concierge:visit_detail", args=[arrived.pk]) in page
    assert "is-arrived" in page and "Arrived: waiting for you" in page
    assert "Lounge 2" in page and "Fitting or alteration" in page
    assert page.count("is-arrived") == 1
    assert "backup" in page


def test_no_visits_no_strip(client_for, english, vip_manager):
    response = client_for(vip_manager).get(reverse("tasks:my_day"))
    assert response.context["visits"] == []
    assert "Visits today" not in text(response)


def test_the_store_manager_opening_a_colleagues_day_sees_their_visits(
    client_for, store, store_manager, vip_manager
):
    book(store, vip_manager, 10, name="十点")
    response = client_for(store_manager).get(reverse("tasks:staff_tasks", args=[vip_manager.pk]))
    assert strip(response) == [("十点", "requested")]


def test_another_stores_visits_never_show(client_for, store, other_store, vip_manager, other_manager):
    book(other_store, other_manager, 10, name="上海")
    assert client_for(vip_manager).get(reverse("tasks:my_day")).context["visits"] == []


def test_the_strip_costs_one_query_however_many_visits(
    client_for, store, vip_manager, django_assert_max_num_queries
):
    client = client_for(vip_manager)
    book(store, vip_manager, 9)
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("tasks:my_day"))
    for hour in range(10, 20):
        book(store, vip_manager, hour)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tasks:my_day"))
    assert len(response.context["visits"]) == 11
