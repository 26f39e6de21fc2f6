"""Care-task generation by `tick`: the cadence rules on hand-made dates, idempotence, auto-cancel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from concierge import actions
from concierge.models import AuditEntry
from concierge.refresh import refresh_members
from tasks.models import CareTask
from tests.factories import MemberFactory, PurchaseFactory, TierFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 5, 20)
Kind = CareTask.Kind


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def bought(member, day, amount="500", hour=12):
    PurchaseFactory(member=member, amount=Decimal(amount), purchased_at=at(day, hour))


def tick(as_of=AS_OF):
    refresh_members(as_of=as_of)
    call_command("tick", "--as-of", as_of.isoformat(), "--force", verbosity=0)


def kinds(member):
    return sorted(CareTask.objects.filter(member=member).values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("days_ago", "expected"), [(6, []), (7, [Kind.NEW_MEMBER_CALL]), (14, [Kind.NEW_MEMBER_CALL]), (15, [])]
)
def test_new_member_call_seven_days_after_the_first_purchase(store, days_ago, expected):
    member = MemberFactory(store=store, birthday=None)
    bought(member, AS_OF - dt.timedelta(days=days_ago))
    tick()
    assert kinds(member) == expected


def test_the_call_is_due_on_the_seventh_day_and_says_why(store):
    member = MemberFactory(store=store, birthday=None)
    bought(member, AS_OF - dt.timedelta(days=9))
    tick()
    task = CareTask.objects.get(member=member)
    assert task.due_date == AS_OF - dt.timedelta(days=2)
    assert "2026-05-11" in task.reason


@pytest.mark.parametrize(
    ("days_since", "expected"),
    [
        (90, []),
        (91, [Kind.DORMANT_REVIEW]),
        (180, []),  # reviewed earlier, out of the catch-up window, not yet lost
        (181, [Kind.DORMANT_CALL]),
    ],
)
def test_dormancy_boundaries(store, days_since, expected):
    member = MemberFactory(store=store, birthday=None)
    bought(member, AS_OF - dt.timedelta(days=400))
    bought(member, AS_OF - dt.timedelta(days=days_since), hour=23)
    tick()
    assert kinds(member) == expected


def test_birthday_greeting_three_days_ahead_once_a_year(store):
    member = MemberFactory(store=store, birthday=dt.date(1985, 5, 23))
    tick(AS_OF - dt.timedelta(days=1))
    assert kinds(member) == []
    tick()
    tick(AS_OF + dt.timedelta(days=1))
    task = CareTask.objects.get(member=member)
    assert task.kind == Kind.BIRTHDAY_GREETING
    assert task.due_date == dt.date(2026, 5, 23)
    assert task.period == "2026"


def test_leap_day_birthdays_are_greeted_on_the_28th(store):
    member = MemberFactory(store=store, birthday=dt.date(1992, 2, 29))
    tick(dt.date(2027, 2, 26))
    assert CareTask.objects.get(member=member).due_date == dt.date(2027, 2, 28)


def test_lunar_birthdays_are_not_read_as_solar_dates(store):
    member = MemberFactory(store=store, birthday=dt.date(1985, 5, 23), birthday_is_lunar=True)
    tick()
    assert kinds(member) == []


def test_tick_twice_makes_nothing_twice(store):
    member = MemberFactory(store=store, birthday=dt.date(1985, 5, 21))
    bought(member, AS_OF - dt.timedelta(days=8))
    tick()
    tick()
    assert kinds(member) == [Kind.BIRTHDAY_GREETING, Kind.NEW_MEMBER_CALL]


def test_tasks_go_to_the_members_vip_manager_else_the_pool(store, vip_manager, store_manager):
    tier = TierFactory(dedicated_manager=True)
    looked_after = MemberFactory(store=store, tier=tier, birthday=None)
    pooled = MemberFactory(store=store, birthday=None)
    actions.assign_member(looked_after, vip_manager, actor=store_manager, direct=True)
    for member in (looked_after, pooled):
        bought(member, AS_OF - dt.timedelta(days=7))
    tick()
    assert CareTask.objects.get(member=looked_after).assignee == vip_manager
    assert CareTask.objects.get(member=pooled).assignee is None


def test_a_dormant_member_who_buys_again_needs_no_review(store):
    member = MemberFactory(store=store, birthday=None)
    bought(member, AS_OF - dt.timedelta(days=400))
    bought(member, AS_OF - dt.timedelta(days=95))
    tick()
    task = CareTask.objects.get(member=member)
    assert task.state == CareTask.State.OPEN
    bought(member, AS_OF)
    tick()
    task = CareTask.objects.get(pk=task.pk)
    assert task.state == CareTask.State.CANCELLED
    assert AuditEntry.objects.filter(action="care_task.cancelled", object_id=str(task.pk)).exists()


def test_tick_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("tick", "--as-of", "20/05/2026")


def test_outreach_pause_holds_back_the_win_back_call_but_not_care(store):
    member = MemberFactory(
        store=store,
        birthday=dt.date(1980, 5, 22),
        outreach_paused_until=AS_OF + dt.timedelta(days=30),
        outreach_pause_reason="投诉处理中",
    )
    bought(member, AS_OF - dt.timedelta(days=400))
    bought(member, AS_OF - dt.timedelta(days=181))
    tick()
    assert kinds(member) == [Kind.BIRTHDAY_GREETING]


def test_the_weekly_cap_counts_outreach_but_not_birthdays(store, settings):
    settings.CARE_OUTREACH_PER_WEEK = 1
    member = MemberFactory(store=store, birthday=dt.date(1980, 5, 22))
    bought(member, AS_OF - dt.timedelta(days=7))
    CareTask.objects.create(
        store=store,
        member=member,
        kind=Kind.DORMANT_CALL,
        period="earlier",
        due_date=AS_OF - dt.timedelta(days=3),
        reason="an earlier call this week",
    )
    tick()
    # The new-member call would be a second contact within 7 days; the birthday greeting is exempt.
    assert kinds(member) == [Kind.BIRTHDAY_GREETING, Kind.DORMANT_CALL]
    settings.CARE_OUTREACH_PER_WEEK = 2
    tick()
    assert kinds(member) == [Kind.BIRTHDAY_GREETING, Kind.DORMANT_CALL, Kind.NEW_MEMBER_CALL]
