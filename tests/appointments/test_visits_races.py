"""Two ticks, or two tablets, at the same moment on PostgreSQL: each thing happens once."""

import pytest

from concierge.appointments import visits
from concierge.models import Alert, AuditEntry
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import State, at, fresh, make_visit
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_ticks_mark_a_no_show_once(store, member, vip_manager, clock):
    visit = make_visit(store, member, vip_manager, at(2026, 12, 1, 9, 0))
    outcome = race(
        lambda: visits.mark_no_shows(as_of=clock.now.date()),
        lambda: visits.mark_no_shows(as_of=clock.now.date()),
    )
    assert outcome.overlapped
    assert sorted(result["no_shows"] for result in outcome.results) == [0, 1]
    assert fresh(visit).state == State.NO_SHOW
    assert AuditEntry.objects.filter(action="appointment.no_show").count() == 1
    assert Alert.objects.filter(kind="appointment.no_show").count() == 1


def test_the_last_two_items_ticked_at_once_make_the_visit_ready_once(
    store, member, vip_manager, front_desk, clock
):
    visit = make_visit(
        store, member, vip_manager, at(2026, 12, 1, 15, 0), items=[("host", "Profile"), ("catering", "Tea")]
    )
    first, second = visit.preparation.all()
    outcome = race(
        lambda: visits.tick_item(first, actor=vip_manager, done=True),
        lambda: visits.tick_item(second, actor=front_desk, done=True),
    )
    assert outcome.overlapped
    assert outcome.refusals == []
    assert fresh(visit).state == State.PREPARED
    assert AuditEntry.objects.filter(action="appointment.prepared").count() == 1
