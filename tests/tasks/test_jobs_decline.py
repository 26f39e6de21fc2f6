"""Follow-up calls after a drop in visits or spend, for class A and B members."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tasks.models import CareTask
from tests.factories import MemberFactory, PurchaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
AS_OF = dt.date(2026, 5, 20)
Kind = CareTask.Kind


def tick(as_of=AS_OF):
    call_command("tick", "--as-of", as_of.isoformat(), "--force", verbosity=0)


def bought(member, days_ago, amount="0"):
    """A purchase `days_ago` days before AS_OF, at noon; amount 0 is a visit without spend."""
    moment = dt.datetime.combine(AS_OF - dt.timedelta(days=days_ago), dt.time(12))
    PurchaseFactory(member=member, amount=Decimal(amount), purchased_at=timezone.make_aware(moment))


def member(store, value_class="B", **fields):
    fields.setdefault("lifecycle", "regular")
    return MemberFactory(store=store, value_class=value_class, birthday=None, **fields)


def decline(someone):
    return list(CareTask.objects.filter(member=someone, kind=Kind.DECLINE_CALL))


def visits(someone, earlier, recent):
    """`earlier` visits spread over the 270 days before the last 90, `recent` in the last 90."""
    for n in range(earlier):
        bought(someone, 100 + n * 10)
    for n in range(recent):
        bought(someone, n * 10)


@pytest.mark.parametrize(
    ("earlier", "recent", "made"),
    [
        (6, 1, True),  # 2 per 90 days before, 1 now: half
        (5, 1, False),  # 1.7 before: 1 is more than half
        (6, 2, False),
        (3, 0, True),
        (2, 0, False),  # fewer than 3 visits before: too few to call it a pattern
    ],
)
def test_fewer_visits(store, earlier, recent, made):
    someone = member(store)
    visits(someone, earlier, recent)
    tick()
    assert len(decline(someone)) == (1 if made else 0)


def test_the_reason_gives_the_visits(store):
    someone = member(store)
    visits(someone, 6, 1)
    tick()
    [task] = decline(someone)
    assert "fewer visits: 1 in the last 90 days, against 2.0 per 90 days before" in task.reason
    assert "spend" not in task.reason
    assert (task.period, task.due_date) == ("2026-Q2", AS_OF)


def test_less_spend_needs_a_habit_of_three_visits_before(store):
    someone = member(store, value_class="A")
    bought(someone, 100, "3000")
    bought(someone, 200, "3000")  # two large purchases: no pattern to decline from
    bought(someone, 10, "100")
    tick()
    assert decline(someone) == []


@pytest.mark.parametrize(("recent", "made"), [("500", True), ("510", False)])
def test_less_spend(store, recent, made):
    someone = member(store, value_class="A")
    for days_ago in (100, 200, 300):
        bought(someone, days_ago, "1000")  # 1,000 per 90 days on average before
    bought(someone, 10, recent)
    tick()
    tasks = decline(someone)
    assert len(tasks) == (1 if made else 0)
    if made:
        assert "less spend: ¥500 in the last 90 days, against ¥1,000 per 90 days before" in tasks[0].reason
        assert "visits" not in tasks[0].reason


def test_returns_count_against_spend_but_are_not_visits(store):
    someone = member(store)
    for days_ago in (100, 200, 300):
        bought(someone, days_ago, "1000")
    bought(someone, 20, "900")
    bought(someone, 10, "-400")  # a return: 500 net
    tick()
    [task] = decline(someone)
    assert "¥500" in task.reason


def test_the_last_90_days_include_as_of_and_end_at_day_89(store):
    someone = member(store)
    visits(someone, 6, 0)
    bought(someone, 89)  # recent: 1 visit against 2 before: a decline
    bought(someone, 0)  # recent: 2 visits: none
    tick()
    assert decline(someone) == []
    other = member(store)
    visits(other, 6, 0)
    bought(other, 90)  # earlier: 7 visits before
    bought(other, 0)  # recent: 1
    tick()
    assert len(decline(other)) == 1


@pytest.mark.parametrize(("days_ago", "made"), [(359, True), (360, False)])
def test_the_earlier_window_is_the_270_days_before(store, days_ago, made):
    someone = member(store)
    for n in range(5):
        bought(someone, 100 + n * 10)
    bought(someone, days_ago)  # the sixth earlier visit, if it counts
    bought(someone, 5)
    tick()
    assert len(decline(someone)) == (1 if made else 0)


def test_not_for_class_c_or_unclassed_members(store):
    for value_class in ("C", ""):
        someone = member(store, value_class=value_class)
        visits(someone, 6, 0)
        tick()
        assert decline(someone) == []


def test_dormant_members_are_left_to_the_dormancy_cadence(store):
    for lifecycle in ("dormant", "lost"):
        someone = member(store, lifecycle=lifecycle)
        visits(someone, 6, 0)
        tick()
        assert decline(someone) == []


def test_held_back_while_outreach_is_paused(store):
    someone = member(store, outreach_paused_until=AS_OF + dt.timedelta(days=10))
    visits(someone, 6, 1)
    tick()
    assert decline(someone) == []
    tick(AS_OF + dt.timedelta(days=11))
    assert len(decline(someone)) == 1


def test_once_a_quarter(store):
    someone = member(store)
    visits(someone, 9, 0)
    tick()
    tick(AS_OF + dt.timedelta(days=1))
    assert [task.period for task in decline(someone)] == ["2026-Q2"]
    tick(dt.date(2026, 7, 1))
    assert sorted(task.period for task in decline(someone)) == ["2026-Q2", "2026-Q3"]
