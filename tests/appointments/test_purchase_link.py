"""Purchases by the member during a visit's window [arrival, farewell + grace] are linked to it."""

import datetime as dt

import pytest

from concierge.appointments import visits
from concierge.models import Purchase, ReceptionSettings
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.factories import MemberFactory, PurchaseFactory, StoreFactory

pytestmark = pytest.mark.django_db

ARRIVED = at(2026, 12, 1, 14, 0)
SEEN_OFF = at(2026, 12, 1, 15, 0)
GRACE_END = SEEN_OFF + dt.timedelta(minutes=30)


@pytest.fixture
def done_visit(store, member, vip_manager, clock):
    clock.set(2026, 12, 1, 18, 0)
    return make_visit(
        store, member, vip_manager, ARRIVED, state=State.COMPLETED, arrived_at=ARRIVED, completed_at=SEEN_OFF
    )


def tick(clock):
    return visits.link_visit_purchases(as_of=clock.now.date())


def linked(purchase):
    return fresh(purchase).appointment_id


@pytest.mark.parametrize(
    ("moment", "counts"),
    [
        (ARRIVED - dt.timedelta(seconds=1), False),
        (ARRIVED, True),
        (SEEN_OFF, True),
        (GRACE_END, True),
        (GRACE_END + dt.timedelta(seconds=1), False),
    ],
)
def test_the_windows_edges(done_visit, member, clock, moment, counts):
    purchase = PurchaseFactory(member=member, purchased_at=moment)
    assert tick(clock) == {"purchases_linked": int(counts)}
    assert linked(purchase) == (done_visit.pk if counts else None)
    assert tick(clock) == {"purchases_linked": 0}  # idempotent


def test_the_stores_own_grace(done_visit, store, member, clock):
    ReceptionSettings.objects.create(store=store, purchase_grace_minutes=0)
    on_the_dot = PurchaseFactory(member=member, purchased_at=SEEN_OFF)
    after = PurchaseFactory(member=member, purchased_at=SEEN_OFF + dt.timedelta(seconds=1))
    tick(clock)
    assert (linked(on_the_dot), linked(after)) == (done_visit.pk, None)


def test_another_members_or_stores_purchases_never_link(done_visit, store, member, clock):
    other_member = PurchaseFactory(member=MemberFactory(store=store), purchased_at=SEEN_OFF)
    elsewhere = StoreFactory(code="gz01")
    other_store = PurchaseFactory(member=member, store=elsewhere, purchased_at=SEEN_OFF)
    assert tick(clock) == {"purchases_linked": 0}
    assert linked(other_member) is linked(other_store) is None


def test_a_visit_still_in_the_store_counts_up_to_now(store, member, vip_manager, clock):
    clock.set(2026, 12, 1, 14, 30)
    visit = make_visit(store, member, vip_manager, ARRIVED, state=State.IN_SERVICE, arrived_at=ARRIVED)
    now = PurchaseFactory(member=member, purchased_at=clock.now)
    later = PurchaseFactory(member=member, purchased_at=clock.now + dt.timedelta(minutes=1))
    tick(clock)
    assert (linked(now), linked(later)) == (visit.pk, None)


def test_two_overlapping_visits_the_earliest_wins(store, member, vip_manager, store_manager, clock):
    clock.set(2026, 12, 1, 18, 0)
    first = make_visit(
        store, member, vip_manager, ARRIVED, state=State.COMPLETED, arrived_at=ARRIVED, completed_at=SEEN_OFF
    )
    second = make_visit(
        store,
        member,
        store_manager,
        ARRIVED + dt.timedelta(minutes=30),
        state=State.COMPLETED,
        arrived_at=ARRIVED + dt.timedelta(minutes=30),
        completed_at=SEEN_OFF + dt.timedelta(minutes=30),
    )
    both = PurchaseFactory(member=member, purchased_at=SEEN_OFF)
    only_second = PurchaseFactory(member=member, purchased_at=SEEN_OFF + dt.timedelta(minutes=45))
    tick(clock)
    assert (linked(both), linked(only_second)) == (first.pk, second.pk)


def test_a_linked_purchase_stays_where_it_is(done_visit, member, clock):
    purchase = PurchaseFactory(member=member, purchased_at=SEEN_OFF)
    Purchase.objects.filter(pk=purchase.pk).update(appointment=None)
    tick(clock)
    assert linked(purchase) == done_visit.pk


def test_old_purchases_are_left_to_the_farewell(done_visit, member, clock):
    clock.now = SEEN_OFF + dt.timedelta(days=3)
    purchase = PurchaseFactory(member=member, purchased_at=SEEN_OFF)
    assert tick(clock) == {"purchases_linked": 0}
    assert linked(purchase) is None


def test_the_idle_tick_is_one_query(done_visit, member, clock, django_assert_num_queries):
    PurchaseFactory(member=member, purchased_at=ARRIVED - dt.timedelta(hours=1))
    with django_assert_num_queries(1):
        assert tick(clock) == {"purchases_linked": 0}
