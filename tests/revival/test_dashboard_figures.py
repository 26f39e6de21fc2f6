"""The revival dashboard's figures on a hand-made campaign, exactly; and their cost, flat in size."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concierge.roles import Role
from tasks.models import IncentiveEntry, RevivalAttempt, RevivalCase, RevivalCredit
from tasks.revival.figures import campaign_figures
from tests.factories import MemberFactory, PurchaseFactory, StaffFactory
from tests.helpers import at
from tests.revival import factories as rf

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 10)
TODAY = dt.date(2026, 12, 4)


def credit(case, attempt, *, state=RevivalCredit.State.PROVISIONAL, when=None):
    purchase = PurchaseFactory(member=case.member, amount=Decimal("800"), purchased_at=when)
    made = RevivalCredit.objects.create(
        store=case.store,
        campaign=case.campaign,
        case=case,
        member=case.member,
        staff=attempt.staff,
        attempt=attempt,
        purchase=purchase,
        amount=purchase.amount,
        credited_at=when,
        returns_until=when + dt.timedelta(days=14),
    )
    # The protected state goes in directly: the credit actions are not what is tested here.
    RevivalCredit.objects.filter(pk=made.pk).update(state=state)
    return made


def entry(campaign, staff, kind, amount, state):
    made = IncentiveEntry.objects.create(
        store=campaign.store, campaign=campaign, staff=staff, kind=kind, amount=Decimal(amount)
    )
    IncentiveEntry.objects.filter(pk=made.pk).update(state=state)
    return made


@pytest.fixture
def people(store, vip_manager):
    second = StaffFactory(username="vip2", display_name="孙倩", store=store, roles=[Role.VIP_MANAGER])
    return vip_manager, second


@pytest.fixture
def campaign(store, people):
    """Two people: 王丽 holds four members (target 2), 孙倩 three (target 1).

    王丽: m1 reached (quality, free trial) and revived; m2 reached twice (service, then moved with
    a taxi) and revived; m3 tried but not reached; m4 not tried yet.
    孙倩: m5 reached (quality, free trial), revived and taken back by a return; m6 reached
    (quality, nothing offered yet); m7 lost for good without an attempt.
    """
    wang, sun = people
    made = rf.campaign(store, start=START, end=END)
    rf.quota(made, wang, share=4, target=2)
    rf.quota(made, sun, share=3, target=1)
    m = [MemberFactory(store=store, value_class="A") for _ in range(7)]
    c1, c2, c3, _c4 = (rf.case(made, member, wang) for member in m[:4])
    c5, c6 = (rf.case(made, member, sun) for member in m[4:6])
    rf.case(made, m[6], sun, state=RevivalCase.State.LOST)

    a1 = rf.attempt(c1, at=at(2026, 12, 1, 11), reason="quality", remedy="free_trial")
    credit(c1, a1, state=RevivalCredit.State.FINAL, when=at(2026, 12, 2, 15))
    rf.attempt(c2, at=at(2026, 12, 1, 12), reason="service", remedy="")
    a2 = rf.attempt(c2.__class__.objects.get(pk=c2.pk), at=at(2026, 12, 2, 12), reason="moved", remedy="taxi")
    # Late in the evening: still the 4th in the store's calendar, the 4th's in UTC too.
    credit(c2, a2, when=at(2026, 12, 4, 23, 30))
    rf.attempt(c3, at=at(2026, 12, 2, 10), reached=False)
    a5 = rf.attempt(c5, at=at(2026, 12, 1, 10), reason="quality", remedy="free_trial")
    credit(c5, a5, state=RevivalCredit.State.CLAWED_BACK, when=at(2026, 12, 2, 10))
    rf.attempt(c6, at=at(2026, 12, 3, 10), reason="quality", remedy="none")

    Kind, State = IncentiveEntry.Kind, IncentiveEntry.State
    entry(made, wang, Kind.REWARD, "200", State.APPROVED)
    entry(made, wang, Kind.REWARD, "120", State.PENDING)
    entry(made, wang, Kind.BONUS, "500", State.REVERSED)
    entry(made, sun, Kind.REWARD, "80", State.PAID)
    entry(made, sun, Kind.CLAW_BACK, "-80", State.PENDING)
    entry(made, sun, Kind.CORRECTION, "30", State.APPROVED)
    return made


def test_the_leaderboard_per_person(campaign, people):
    wang, sun = people
    figures = campaign_figures(campaign, TODAY)
    rows = figures["rows"]
    assert [row["staff"] for row in rows] == [wang, sun]
    first, second = rows
    assert {key: first[key] for key in ("rank", "members", "target", "contacted", "reached", "waiting")} == {
        "rank": 1,
        "members": 4,
        "target": 2,
        "contacted": 3,
        "reached": 2,
        "waiting": 1,
    }
    assert first["revived"] == 2
    assert first["conversion"] == 50.0
    assert first["target_reached"] is True
    assert first["earned"] == Decimal("320")
    assert {key: second[key] for key in ("rank", "members", "target", "contacted", "reached", "waiting")} == {
        "rank": 2,
        "members": 3,
        "target": 1,
        "contacted": 2,
        "reached": 2,
        # m7 was closed as lost for good: nobody is waiting to try them.
        "waiting": 0,
    }
    # The credit taken back by a return no longer counts.
    assert second["revived"] == 0
    assert second["conversion"] == 0.0
    assert second["target_reached"] is False
    assert second["to_go"] == 1
    assert second["earned"] == Decimal("30")


def test_the_totals(campaign):
    totals = campaign_figures(campaign, TODAY)["totals"]
    assert totals["members"] == 7
    assert totals["target"] == 3
    assert totals["contacted"] == 5
    assert totals["reached"] == 4
    assert totals["waiting"] == 1
    assert totals["revived"] == 2
    assert totals["earned"] == Decimal("350")
    assert totals["conversion"] == pytest.approx(200 / 7)


def test_why_they_stopped_coming_counts_each_case_once_by_its_latest_reason(campaign):
    reasons = campaign_figures(campaign, TODAY)["reasons"]
    assert [(row["code"], row["cases"], row["revived"]) for row in reasons] == [
        ("quality", 3, 1),
        ("moved", 1, 1),
    ]
    assert reasons[0]["rate"] == pytest.approx(100 / 3)


def test_what_works_best_rate_first_and_nothing_offered_last(campaign):
    remedies = campaign_figures(campaign, TODAY)["remedies"]
    assert [(row["code"], row["cases"], row["revived"], row["rate"]) for row in remedies] == [
        ("taxi", 1, 1, 100.0),
        ("free_trial", 2, 1, 50.0),
        ("none", 1, 0, 0.0),
    ]


def test_daily_progress_adds_up_standing_credits_in_the_store_calendar(campaign):
    progress = campaign_figures(campaign, TODAY)["progress"]
    assert progress["length"] == 10
    assert progress["elapsed"] == 4
    assert [row["revived"] for row in progress["days"]] == [0, 1, 1, 2, *[None] * 6]
    assert [row["added"] for row in progress["days"][:4]] == [0, 1, 0, 1]
    # The straight line: a tenth of the target a day, the whole of it on the last day.
    assert progress["days"][0]["target"] == pytest.approx(0.3)
    assert progress["days"][-1]["target"] == pytest.approx(3)
    assert progress["due_by_now"] == pytest.approx(1.2)
    assert progress["revived"] == 2


def test_a_credit_after_the_last_day_counts_on_the_last_day(campaign, people):
    case = RevivalCase.objects.get(campaign=campaign, state=RevivalCase.State.OPEN)
    late = rf.attempt(case, at=at(2026, 12, 9, 10), reason="busy", remedy="gift")
    credit(case, late, when=at(2026, 12, 12, 10))
    progress = campaign_figures(campaign, dt.date(2026, 12, 20))["progress"]
    assert [row["revived"] for row in progress["days"]][-2:] == [2, 3]


def test_someone_without_a_quota_who_holds_a_case_gets_a_row(campaign, store, store_manager):
    rf.case(campaign, MemberFactory(store=store), store_manager)
    rows = campaign_figures(campaign, TODAY)["rows"]
    extra = next(row for row in rows if row["staff"] == store_manager)
    assert (extra["has_quota"], extra["members"], extra["target"], extra["waiting"]) == (False, 1, 0, 1)


def test_an_empty_campaign(store, people):
    figures = campaign_figures(rf.campaign(store, start=START, end=END), TODAY)
    assert figures["rows"] == []
    assert figures["reasons"] == figures["remedies"] == []
    assert figures["totals"]["conversion"] is None
    assert figures["progress"]["revived"] == 0


def test_the_migration_fills_in_what_the_attempts_told_as_record_attempt_keeps_it(campaign, store):
    """tasks/migrations/0014 on the cases and attempts made before it: the same figures."""
    backfill = importlib.import_module("tasks.migrations.0014_revival_attempt_figures_on_the_case").backfill
    before = campaign_figures(campaign, TODAY)
    other = rf.campaign(store, name="other", start=START, end=END)
    RevivalCase.objects.filter(campaign=campaign).update(reached=False, last_reason="")
    RevivalAttempt.objects.filter(case__campaign=campaign).update(campaign=other)
    assert campaign_figures(campaign, TODAY)["reasons"] == []
    backfill(django_apps, None)
    after = campaign_figures(campaign, TODAY)
    assert {key: after[key] for key in ("rows", "totals", "reasons", "remedies")} == {
        key: before[key] for key in ("rows", "totals", "reasons", "remedies")
    }
    assert not RevivalAttempt.objects.filter(campaign=other).exists()


def _grow(campaign, staff, cases):
    """`cases` more cases, each with two attempts, a third of them revived."""
    store = campaign.store
    for n in range(cases):
        case = rf.case(campaign, MemberFactory(store=store), staff[n % len(staff)])
        rf.attempt(case, at=at(2026, 12, 1, 9), reached=False, remedy="none")
        made = rf.attempt(
            RevivalCase.objects.get(pk=case.pk),
            at=at(2026, 12, 2, 9),
            reason=("quality", "moved", "busy")[n % 3],
            remedy=("taxi", "gift")[n % 2],
        )
        if n % 3 == 0:
            credit(case, made, when=at(2026, 12, 3, 9 + n % 10))


def _queries(campaign):
    with CaptureQueriesContext(connection) as captured:
        campaign_figures(campaign, TODAY)
    return len(captured.captured_queries)


def test_the_figures_cost_the_same_few_queries_at_5_and_at_50_cases(store, people):
    small = rf.campaign(store, name="small", start=START, end=END)
    big = rf.campaign(store, name="big", start=START, end=END)
    for made in (small, big):
        for person in people:
            rf.quota(made, person, share=10, target=2)
    _grow(small, people, 5)
    _grow(big, people, 50)
    assert campaign_figures(big, TODAY)["totals"]["revived"] == 17
    assert _queries(small) == _queries(big) == 5
