"""Service, farewell and follow-up on a visit, per role and store; the history in sentences."""

import pytest

from concierge.appointments import visits
from concierge.appointments.timeline import timeline
from concierge.errors import ActionRefused
from concierge.models import AuditEntry
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(store, member, vip_manager, backup_host, clock):
    return make_visit(
        store,
        member,
        vip_manager,
        at(2026, 12, 1, 9, 30),
        state=State.ARRIVED,
        backup_host=backup_host,
        arrived_at=at(2026, 12, 1, 9, 35),
    )


@pytest.mark.parametrize("who", ["vip_manager", "backup_host", "store_manager"])
def test_the_host_the_backup_and_the_manager_may_start_the_service(request, arrived, who):
    actor = request.getfixturevalue(who)
    visits.start_service(arrived, actor=actor)
    visit = fresh(arrived)
    assert visit.state == State.IN_SERVICE
    assert visit.service_started_at is not None
    entry = AuditEntry.objects.get(action="appointment.service_started")
    assert (entry.actor, entry.from_state, entry.to_state) == (actor, "arrived", "in_service")


@pytest.mark.parametrize("who", ["front_desk", "complaint_handler", "other_manager"])
def test_others_may_not_start_the_service(request, arrived, who):
    with pytest.raises(ActionRefused):
        visits.start_service(arrived, actor=request.getfixturevalue(who))
    assert fresh(arrived).state == State.ARRIVED
    assert not AuditEntry.objects.exists()


def test_a_visit_not_arrived_cannot_start(store, member, vip_manager, clock, english):
    visit = make_visit(store, member, vip_manager, at(2026, 12, 1, 11, 0))
    with pytest.raises(ActionRefused, match="Already"):
        visits.start_service(visit, actor=vip_manager)


def test_service_notes_after_start_only_and_by_who_serves(arrived, vip_manager, front_desk):
    with pytest.raises(ActionRefused):
        visits.record_service(arrived, actor=vip_manager, notes="n", feedback="f")
    visits.start_service(arrived, actor=vip_manager)
    with pytest.raises(ActionRefused):
        visits.record_service(arrived, actor=front_desk, notes="n", feedback="f")
    visits.record_service(
        arrived, actor=vip_manager, notes="Tried the navy coat", feedback="Loves the lounge"
    )
    visit = fresh(arrived)
    assert (visit.service_notes, visit.feedback) == ("Tried the navy coat", "Loves the lounge")


def test_see_off_with_a_gift_links_the_purchases_already_in(arrived, member, vip_manager, clock, english):
    visits.start_service(arrived, actor=vip_manager)
    during = PurchaseFactory(member=member, purchased_at=at(2026, 12, 1, 9, 50))
    before = PurchaseFactory(member=member, purchased_at=at(2026, 12, 1, 9, 34))
    visits.see_off(arrived, actor=vip_manager, gift_given=True, gift_note="A silk scarf")
    visit = fresh(arrived)
    assert visit.state == State.COMPLETED
    assert (visit.gift_given, visit.gift_note) == (True, "A silk scarf")
    assert fresh(during).appointment == visit
    assert fresh(before).appointment is None
    entry = AuditEntry.objects.get(action="appointment.seen_off")
    assert entry.data == {"gift_given": True, "gift": "A silk scarf", "purchases": 1}


def test_see_off_from_arrival_counts_the_service_from_arrival(arrived, backup_host):
    visits.see_off(arrived, actor=backup_host, gift_given=False, gift_note="ignored")
    visit = fresh(arrived)
    assert visit.service_started_at == visit.arrived_at
    assert visit.gift_note == ""


@pytest.mark.parametrize("who", ["front_desk", "other_manager"])
def test_others_may_not_see_off(request, arrived, who):
    with pytest.raises(ActionRefused):
        visits.see_off(arrived, actor=request.getfixturevalue(who), gift_given=False)


def test_follow_up_after_the_farewell(arrived, vip_manager, front_desk, store_manager):
    with pytest.raises(ActionRefused):
        visits.follow_up_appointment(arrived, actor=vip_manager)
    visits.see_off(arrived, actor=vip_manager, gift_given=False)
    with pytest.raises(ActionRefused):
        visits.follow_up_appointment(arrived, actor=front_desk)
    visits.follow_up_appointment(arrived, actor=store_manager, note="Thanked her")
    assert fresh(arrived).state == State.FOLLOWED_UP


def test_the_history_in_sentences(arrived, vip_manager, front_desk, english):
    visits.start_service(arrived, actor=vip_manager)
    visits.record_service(arrived, actor=vip_manager, notes="n", feedback="Loves the lounge")
    visits.see_off(arrived, actor=vip_manager, gift_given=True, gift_note="A silk scarf")
    visits.follow_up_appointment(arrived, actor=vip_manager, note="Thanked her")
    AuditEntry.record(
        "appointment.some_new_code", arrived, actor=front_desk, from_state="a", to_state="completed"
    )
    steps = timeline(arrived)
    assert [(s.who, s.text, s.note) for s in steps] == [
        ("王丽", "Started the service.", ""),
        ("王丽", "Wrote the service notes.", "Loves the lounge"),
        ("王丽", "Saw the member off, with a gift.", "A silk scarf"),
        ("王丽", "Followed up after the visit.", "Thanked her"),
        ("李娜", "Now “Seen off”.", ""),
    ]
    assert all("appointment." not in s.text for s in steps)
