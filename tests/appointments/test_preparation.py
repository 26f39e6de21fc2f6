"""The checklist: ticking, adding, the visit ready when the last item is done; the unready warning."""

import datetime as dt

import pytest

from concierge.appointments import visits
from concierge.errors import ActionRefused
from concierge.models import Alert, AuditEntry, DepartmentContact, ReceptionSettings
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(store, member, vip_manager, clock):
    return make_visit(
        store,
        member,
        vip_manager,
        at(2026, 12, 1, 15, 0),
        state=State.CONFIRMED,
        confirmed_at=at(2026, 11, 30, 12, 0),
        items=[("host", "Read the profile"), ("catering", "Drinks: green tea")],
    )


def test_the_last_item_done_makes_the_visit_ready_and_tells_the_host(
    visit, front_desk, vip_manager, django_capture_on_commit_callbacks, english
):
    first, second = visit.preparation.all()
    visits.tick_item(first, actor=front_desk, done=True)
    assert fresh(visit).state == State.CONFIRMED
    assert not Alert.objects.filter(kind="appointment.prepared").exists()
    with django_capture_on_commit_callbacks(execute=True):
        visits.tick_item(second, actor=front_desk, done=True)
    ready = fresh(visit)
    assert ready.state == State.PREPARED
    assert ready.prepared_at is not None
    told = Alert.objects.get(kind="appointment.prepared")
    assert told.recipient == vip_manager
    assert "ready" in told.text
    assert fresh(second).done_by == front_desk
    codes = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert codes == ["appointment.item_done", "appointment.item_done", "appointment.prepared"]


def test_an_item_opened_again_makes_a_ready_visit_not_ready(visit, front_desk):
    first, second = visit.preparation.all()
    visits.tick_item(first, actor=front_desk, done=True)
    visits.tick_item(second, actor=front_desk, done=True)
    visits.tick_item(second, actor=front_desk, done=False)
    back = fresh(visit)
    assert back.state == State.CONFIRMED  # it was confirmed before it was ready
    assert back.prepared_at is None
    assert fresh(second).done_at is None


def test_ticking_twice_changes_nothing(visit, front_desk):
    first = visit.preparation.first()
    visits.tick_item(first, actor=front_desk, done=True)
    visits.tick_item(first, actor=front_desk, done=True)
    assert AuditEntry.objects.filter(action="appointment.item_done").count() == 1


def test_an_added_item_is_told_to_its_department_and_unreadies_the_visit(
    visit, store, front_desk, vip_manager, django_capture_on_commit_callbacks
):
    for item in visit.preparation.all():
        visits.tick_item(item, actor=front_desk, done=True)
    caterer = StaffFactory(username="chef", store=store)
    DepartmentContact.objects.create(store=store, department="catering", staff=caterer)
    with django_capture_on_commit_callbacks(execute=True):
        item = visits.add_item(visit, actor=vip_manager, department="catering", text="  A birthday cake ")
    assert item.text == "A birthday cake"
    assert item.position == 2
    assert fresh(visit).state == State.CONFIRMED
    assert list(Alert.objects.filter(kind="appointment.prepare").values_list("recipient", flat=True)) == [
        caterer.pk
    ]


@pytest.mark.parametrize("who", ["complaint_handler", "other_manager"])
def test_only_the_stores_reception_staff_work_on_the_checklist(request, visit, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(ActionRefused):
        visits.tick_item(visit.preparation.first(), actor=actor, done=True)
    with pytest.raises(ActionRefused):
        visits.add_item(visit, actor=actor, department="host", text="x")
    assert visit.preparation.count() == 2
    assert fresh(visit.preparation.first()).done_at is None


def test_the_checklist_of_a_cancelled_visit_is_closed(store, member, vip_manager, clock):
    gone = make_visit(
        store, member, vip_manager, at(2026, 12, 1, 15), state=State.CANCELLED, items=[("host", "x")]
    )
    with pytest.raises(ActionRefused):
        visits.tick_item(gone.preparation.first(), actor=vip_manager, done=True)


# The unready warning --------------------------------------------------------------------------------


def test_the_unready_warning_goes_once_to_the_host_and_the_open_departments(
    visit, store, front_desk, vip_manager, clock, django_capture_on_commit_callbacks
):
    visits.tick_item(visit.preparation.get(department="host"), actor=vip_manager, done=True)
    clock.set(2026, 12, 1, 13, 59)  # 61 minutes before
    assert visits.warn_unready_preparation(as_of=clock.now.date()) == {"unready_warnings": 0}
    clock.set(2026, 12, 1, 14, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert visits.warn_unready_preparation(as_of=clock.now.date()) == {"unready_warnings": 1}
    warned = fresh(visit)
    assert warned.prep_warned_at == clock.now
    recipients = set(Alert.objects.filter(kind="appointment.unready").values_list("recipient", flat=True))
    assert recipients == {vip_manager.pk, front_desk.pk}  # catering falls to the front desk
    clock.advance(minutes=10)
    assert visits.warn_unready_preparation(as_of=clock.now.date()) == {"unready_warnings": 0}
    assert Alert.objects.filter(kind="appointment.unready").count() == 2
    entry = AuditEntry.objects.get(action="appointment.prep_warned")
    assert entry.actor is None
    assert entry.data == {"departments": ["catering"]}


def test_no_warning_when_everything_is_ready_or_by_the_stores_own_minutes(visit, store, front_desk, clock):
    ReceptionSettings.objects.create(store=store, prep_warning_minutes=30)
    clock.set(2026, 12, 1, 14, 0)
    assert visits.warn_unready_preparation(as_of=clock.now.date()) == {"unready_warnings": 0}
    clock.set(2026, 12, 1, 14, 30)
    for item in visit.preparation.all():
        visits.tick_item(item, actor=front_desk, done=True)
    assert visits.warn_unready_preparation(as_of=clock.now.date()) == {"unready_warnings": 0}
    assert fresh(visit).prep_warned_at is None


def test_the_idle_warning_tick_is_one_query(visit, clock, django_assert_num_queries):
    clock.now = visit.starts_at - dt.timedelta(hours=3)
    with django_assert_num_queries(1):
        visits.warn_unready_preparation(as_of=clock.now.date())
