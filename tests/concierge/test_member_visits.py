"""The member profile's "Visits" card and the next visit as a next step in My VIPs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge import actions
from concierge.models import Appointment
from tests.factories import MemberFactory, TierFactory
from tests.tasks.helpers import make_task, text

pytestmark = pytest.mark.django_db
State = Appointment.State


def book(member, host, days, hour=14, state=State.REQUESTED, **fields):
    starts = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour, 30))
    )
    return Appointment.objects.create(
        store=member.store,
        member=member,
        host=host,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        purpose=Appointment.Purpose.BEAUTY,
        state=state,
        **fields,
    )


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="王丽华")


def profile(client, member):
    return client.get(reverse("concierge:member_detail", args=[member.pk]))


# The profile's card ---------------------------------------------------------------------------------


def test_the_card_shows_coming_and_past_visits_and_the_no_shows(client_for, english, member, vip_manager):
    soon = book(member, vip_manager, 2)
    today = book(member, vip_manager, 0, hour=9, state=State.ARRIVED)
    seen = book(member, vip_manager, -3, state=State.FOLLOWED_UP)
    missed = book(member, vip_manager, -10, state=State.NO_SHOW)
    book(member, vip_manager, -20, state=State.NO_SHOW)
    book(MemberFactory(store=member.store), vip_manager, 1)  # someone else's

    response = profile(client_for(vip_manager), member)
    visits = response.context["visits"]
    assert visits["upcoming"] == [today, soon]
    assert visits["past"][:2] == [seen, missed]
    assert visits["no_shows"] == 2
    page = text(response)
    assert "Visits" in page and "2 no-shows" in page
    assert f"{reverse('concierge:book')}?member={member.pk}" in page
    assert reverse("concierge:visit_detail", args=[soon.pk]) in page
    assert "Beauty service" in page and "Followed up" in page and "No-show" in page


def test_a_member_without_visits_can_be_booked(client_for, english, member, front_desk):
    page = text(profile(client_for(front_desk), member))
    assert "No visits booked yet." in page
    assert "Book a visit" in page
    assert "no-show" not in page


def test_the_past_shows_the_last_five_and_counts_every_no_show(
    client_for, member, store_manager, vip_manager
):
    for days in range(1, 9):
        book(member, vip_manager, -days, state=State.NO_SHOW if days % 2 else State.COMPLETED)
    visits = profile(client_for(store_manager), member).context["visits"]
    assert len(visits["past"]) == 5
    assert visits["past"][0].starts_at > visits["past"][-1].starts_at
    assert visits["no_shows"] == 4


def test_whoever_cannot_see_visits_gets_no_card(client_for, member, complaint_handler, vip_manager):
    book(member, vip_manager, 1)
    response = profile(client_for(complaint_handler), member)
    assert response.status_code == 200
    assert "visits" not in response.context


def test_the_card_costs_the_same_queries_however_many_visits(
    client_for, member, vip_manager, django_assert_max_num_queries
):
    client = client_for(vip_manager)
    book(member, vip_manager, 1)
    with django_assert_max_num_queries(50) as few:
        profile(client, member)
    for days in range(2, 30):
        book(member, vip_manager, days)
        book(member, vip_manager, -days, state=State.NO_SHOW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = profile(client, member)
    assert len(response.context["visits"]["upcoming"]) == 5
    assert response.context["visits"]["no_shows"] == 28


# My VIPs ---------------------------------------------------------------------------------------------


def my_vips(client):
    response = client.get(reverse("concierge:my_vips"))
    return {a.member_id: a.member.next_step for a in response.context["book"]}


@pytest.fixture
def tier():
    return TierFactory(dedicated_manager=True, name="SVIP")


@pytest.fixture
def booked(store, store_manager, vip_manager, tier):
    members = [MemberFactory(store=store, tier=tier) for _ in range(3)]
    for member in members:
        actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    return members


def test_the_next_visit_is_the_next_step(client_for, english, booked, vip_manager):
    first, second, third = booked
    visit = book(first, vip_manager, 2, hour=15)
    book(first, vip_manager, 5)
    book(second, vip_manager, 1, state=State.CANCELLED)
    book(second, vip_manager, -1, state=State.COMPLETED)
    make_task(third, vip_manager, due=3)
    book(third, vip_manager, 6)

    steps = my_vips(client_for(vip_manager))
    assert steps[first.pk].when == timezone.localdate(visit.starts_at)
    assert steps[first.pk].label == "Visit at 15:30: Beauty service"
    assert steps[second.pk] is None
    assert steps[third.pk].label == "New-member call"  # the task comes first


def test_a_visit_on_the_same_day_as_a_task_goes_first(client_for, english, booked, vip_manager):
    member = booked[0]
    make_task(member, vip_manager, due=2)
    book(member, vip_manager, 2)
    assert my_vips(client_for(vip_manager))[member.pk].label.startswith("Visit at")


def test_my_vips_reads_the_visits_in_one_query(
    client_for, booked, vip_manager, store, store_manager, tier, django_assert_max_num_queries
):
    client = client_for(vip_manager)
    book(booked[0], vip_manager, 1)
    with django_assert_max_num_queries(50) as few:
        my_vips(client)
    for hour in range(10):
        member = MemberFactory(store=store, tier=tier)
        actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
        # One host, one visit at a time (PostgreSQL's exclusion constraint holds it).
        book(member, vip_manager, 1, hour=hour)
        book(member, vip_manager, 3, hour=hour)
    with django_assert_max_num_queries(len(few.captured_queries)):
        steps = my_vips(client)
    assert sum(1 for step in steps.values() if step) == 11
