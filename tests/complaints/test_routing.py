"""Routing: rules pick the team, the least-loaded available handler in it gets the complaint."""

import datetime as dt

import pytest

from complaints import actions, routing
from complaints.models import Category, Complaint, RoutingRule, Team, TeamMembership
from concierge.errors import ActionRefused
from concierge.models import Alert, StaffAbsence
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory

State = Complaint.State


def record(store, actor, category, counter="", member=None):
    return actions.record_complaint(
        actor=actor,
        store=store,
        member=member or MemberFactory(store=store),
        category=category,
        channel=Complaint.Channel.COUNTER,
        severity="medium",
        description="Rude at the till.",
        counter=counter,
    )


@pytest.fixture
def service(store):
    return Category.objects.get(store=store, code="service_attitude")


@pytest.fixture
def teams(store):
    default = Team.objects.get(store=store, is_default=True)
    beauty = Team.objects.create(store=store, name="Beauty floor")
    after_sales = Team.objects.create(store=store, name="After-sales")
    return default, beauty, after_sales


def handlers_in(team, count, store):
    people = [StaffFactory(store=store, roles=[Role.COMPLAINT_HANDLER]) for _ in range(count)]
    TeamMembership.objects.bulk_create(TeamMembership(team=team, staff=person) for person in people)
    return people


def test_the_most_specific_rule_wins(store, quality, service, teams):
    default, beauty, after_sales = teams
    RoutingRule.objects.create(store=store, counter="Lancôme", team=beauty, position=0)
    RoutingRule.objects.create(store=store, category=quality, team=after_sales, position=5)
    both = Team.objects.create(store=store, name="Lancôme quality")
    RoutingRule.objects.create(store=store, category=quality, counter="lancôme", team=both, position=9)
    assert routing.team_for(store.pk, quality.pk, " LANCÔME ") == both
    assert routing.team_for(store.pk, quality.pk, "Dior") == after_sales
    assert routing.team_for(store.pk, service.pk, "Lancôme") == beauty
    assert routing.team_for(store.pk, service.pk, "Dior") == default


def test_ties_in_a_rank_go_to_the_lowest_position(store, quality, teams):
    _default, beauty, after_sales = teams
    RoutingRule.objects.create(store=store, category=quality, team=beauty, position=7)
    RoutingRule.objects.create(store=store, category=quality, team=after_sales, position=3)
    assert routing.team_for(store.pk, quality.pk, "") == after_sales


def test_least_loaded_then_longest_waiting(clock, store, quality, store_manager, teams):
    default, _beauty, _after = teams
    first, second, third = handlers_in(default, 3, store)
    picked = [record(store, store_manager, quality).handler for _ in range(3)]
    # Nobody had one: in id order. Then everyone has one: whoever got theirs longest ago.
    assert picked == [first, second, third]
    clock.advance(minutes=1)
    assert record(store, store_manager, quality).handler == first
    # second's complaint closes: second now has the fewest.
    done = Complaint.objects.filter(handler=second).get()
    actions.cancel(done, actor=second, reason="Withdrawn.")
    assert record(store, store_manager, quality).handler == second


def test_a_tie_goes_to_whoever_was_assigned_longest_ago_not_the_lowest_id(
    clock, store, quality, store_manager, teams
):
    default, _beauty, _after = teams
    first, second = handlers_in(default, 2, store)
    today = clock.now.date()
    away = StaffAbsence.objects.create(store=store, staff=first, first_day=today, last_day=today)
    assert record(store, store_manager, quality).handler == second
    away.delete()
    clock.advance(minutes=5)
    assert record(store, store_manager, quality).handler == first
    clock.advance(minutes=5)
    # One open each: second got theirs first, so second is next although first has the lower id.
    assert first.pk < second.pk
    assert record(store, store_manager, quality).handler == second


def test_staff_who_are_off_or_gone_are_skipped(clock, store, quality, store_manager, teams):
    default, _beauty, _after = teams
    away, gone, here = handlers_in(default, 3, store)
    today = clock.now.date()
    StaffAbsence.objects.create(
        store=store, staff=away, first_day=today, last_day=today + dt.timedelta(days=2)
    )
    gone.is_active = False
    gone.save()
    assert {record(store, store_manager, quality).handler for _ in range(3)} == {here}


def test_a_team_nobody_was_put_in_goes_to_every_handler(
    clock, store, quality, store_manager, complaint_handler
):
    handler = record(store, store_manager, quality).handler
    assert handler == complaint_handler


def test_nobody_available_leaves_it_unassigned_and_says_so(clock, store, quality, store_manager, teams):
    default, _beauty, _after = teams
    lead = StaffFactory(store=store, roles=[Role.COMPLAINT_HANDLER])
    default.lead = lead
    default.save()
    (away,) = handlers_in(default, 1, store)
    StaffAbsence.objects.create(
        store=store, staff=away, first_day=clock.now.date(), last_day=clock.now.date()
    )
    complaint = record(store, store_manager, quality)
    assert complaint.state == State.NEW and complaint.handler is None and complaint.team == default
    assert set(Alert.objects.filter(kind="complaint.unassigned").values_list("recipient", flat=True)) == {
        lead.pk,
        store_manager.pk,
    }


def test_a_handler_reroutes_with_a_reason(clock, store, quality, store_manager, teams):
    default, beauty, _after = teams
    (mine,) = handlers_in(default, 1, store)
    (theirs,) = handlers_in(beauty, 1, store)
    complaint = record(store, store_manager, quality)
    assert complaint.handler == mine
    with pytest.raises(ActionRefused):
        actions.reroute(complaint, actor=mine, team=beauty, reason=" ")
    complaint = actions.reroute(complaint, actor=mine, team=beauty, reason="It is a cosmetics counter.")
    assert complaint.team == beauty and complaint.handler == theirs and complaint.state == State.ROUTED
    assert Alert.objects.filter(recipient=theirs, kind="complaint.routed").exists()
    with pytest.raises(ActionRefused):
        actions.reroute(complaint, actor=mine, team=default, reason="Back")  # no longer theirs to move


def test_rerouting_to_another_stores_team_is_refused(
    clock, store, other_store, quality, store_manager, complaint_handler
):
    complaint = record(store, store_manager, quality)
    elsewhere = Team.objects.get(store=other_store, is_default=True)
    with pytest.raises(ActionRefused):
        actions.reroute(complaint, actor=complaint_handler, team=elsewhere, reason="x")


def test_a_complaint_a_reroute_left_without_a_handler_can_be_taken(
    clock, store, quality, store_manager, teams
):
    default, beauty, _after = teams
    (mine,) = handlers_in(default, 1, store)
    complaint = record(store, store_manager, quality)
    complaint = actions.record_contact(complaint, actor=mine, channel="phone", note="Called.")
    complaint = actions.reroute(complaint, actor=mine, team=beauty, reason="Cosmetics.")
    assert complaint.state == State.IN_PROGRESS and complaint.handler is None
    (theirs,) = handlers_in(beauty, 1, store)
    complaint = actions.take(complaint, actor=theirs)
    assert complaint.handler == theirs and complaint.state == State.IN_PROGRESS
    with pytest.raises(ActionRefused):
        actions.take(complaint, actor=mine)
