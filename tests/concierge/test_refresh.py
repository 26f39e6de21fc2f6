"""refresh_members: 12-month spend, the A/B/C cut with its tie rule, and lifecycle boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from concierge.models import AuditEntry, Member
from concierge.refresh import months_before, refresh_member_figures, refresh_members
from tests.factories import MemberFactory, PurchaseFactory, StoreFactory

AS_OF = dt.date(2026, 3, 15)

pytestmark = pytest.mark.django_db


def at(day, hour=12, minute=0):
    """A local (Asia/Shanghai) moment on a given day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days_ago(days, hour=12):
    return at(AS_OF - dt.timedelta(days=days), hour)


def buy(member, amount, when):
    return PurchaseFactory(member=member, amount=Decimal(str(amount)), purchased_at=when)


def fresh(member):
    member.refresh_from_db()
    return member


def classes(store):
    return dict(Member.objects.filter(store=store).values_list("member_no", "value_class"))


# ---- value classes ---------------------------------------------------------------------------


def test_ten_spenders_cut_into_two_a_three_b_and_five_c(store):
    # Spends 1000, 900, ... 100: A = floor(20% of 10) = 2, B runs to floor(50% of 10) = 5.
    members = []
    for i in range(10):
        member = MemberFactory(store=store, member_no=f"N{i:02d}")
        buy(member, 1000 - 100 * i, days_ago(10))
        members.append(member)
    refresh_members(as_of=AS_OF)
    assert [fresh(m).value_class for m in members] == list("AABBBCCCCC")
    assert fresh(members[0]).spend_12m == Decimal("1000.00")


def test_floors_small_stores_so_a_needs_five_spenders(store):
    # n = 4: floor(0.8) = 0 A members, floor(2) = 2 B members.
    for i in range(4):
        buy(MemberFactory(store=store, member_no=f"N{i}"), 500 - i, days_ago(1))
    refresh_members(as_of=AS_OF)
    assert classes(store) == {"N0": "B", "N1": "B", "N2": "C", "N3": "C"}


def test_equal_spend_is_ranked_by_member_number(store):
    # Five members spend the same: A holds one of them, and it is the lowest member number.
    for no in ["M5", "M3", "M1", "M4", "M2"]:
        buy(MemberFactory(store=store, member_no=no), 800, days_ago(3))
    refresh_members(as_of=AS_OF)
    assert classes(store) == {"M1": "A", "M2": "B", "M3": "C", "M4": "C", "M5": "C"}


def test_members_without_positive_spend_have_no_class(store):
    ranked = MemberFactory(store=store, member_no="A1")
    buy(ranked, 300, days_ago(5))
    returned = MemberFactory(store=store, member_no="A2")
    buy(returned, 500, days_ago(20))
    buy(returned, -500, days_ago(10))
    visitor = MemberFactory(store=store, member_no="A3")
    buy(visitor, 0, days_ago(2))
    never = MemberFactory(store=store, member_no="A4")
    refresh_members(as_of=AS_OF)
    assert fresh(ranked).value_class == "C"
    for member in (returned, visitor, never):
        assert fresh(member).value_class == ""
    assert returned.spend_12m == 0
    assert visitor.purchase_count == 1


def test_returns_reduce_spend_but_are_not_visits(store):
    member = MemberFactory(store=store)
    buy(member, 2000, days_ago(40))
    buy(member, -500, days_ago(5))
    refresh_members(as_of=AS_OF)
    member = fresh(member)
    assert member.spend_12m == Decimal("1500.00")
    assert member.purchase_count == 1
    # The return five days ago is not a visit: the member last came 40 days ago.
    assert member.last_purchase_at == days_ago(40)


def test_window_is_the_twelve_calendar_months_after_the_same_day_last_year(store):
    member = MemberFactory(store=store)
    buy(member, 1, at(dt.date(2025, 3, 15), 23, 59))  # exactly 12 months before: outside
    buy(member, 10, at(dt.date(2025, 3, 16), 0, 1))  # the first day inside
    buy(member, 100, at(AS_OF, 23, 59))  # the last moment of as-of: inside
    buy(member, 1000, at(AS_OF + dt.timedelta(days=1), 0, 0))  # after as-of: not yet
    refresh_members(as_of=AS_OF)
    member = fresh(member)
    assert member.spend_12m == Decimal("110.00")
    assert member.purchase_count == 3
    assert member.last_purchase_at == at(AS_OF, 23, 59)


def test_window_counts_local_days_not_utc_days(store):
    # 00:30 in Shanghai on 16 March 2025 is still 15 March in UTC: it belongs to the window.
    member = MemberFactory(store=store)
    buy(member, 70, at(dt.date(2025, 3, 16), 0, 30))
    refresh_members(as_of=AS_OF)
    assert fresh(member).spend_12m == Decimal("70.00")


def test_months_before_clamps_to_the_end_of_shorter_months():
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 12) == dt.date(2025, 1, 15)


@override_settings(VALUE_CLASS_A_PERCENT=10, VALUE_CLASS_B_CUMULATIVE_PERCENT=30)
def test_percentages_are_settings(store):
    for i in range(10):
        buy(MemberFactory(store=store, member_no=f"N{i}"), 100 - i, days_ago(1))
    refresh_members(as_of=AS_OF)
    assert "".join(classes(store)[f"N{i}"] for i in range(10)) == "ABBCCCCCCC"


def test_each_store_is_ranked_on_its_own(store, other_store):
    for i in range(5):
        buy(MemberFactory(store=store, member_no=f"N{i}"), 10_000 + i, days_ago(1))
        buy(MemberFactory(store=other_store, member_no=f"N{i}"), 10 + i, days_ago(1))
    refresh_members(as_of=AS_OF)
    assert sorted(classes(store).values()) == ["A", "B", "C", "C", "C"]
    assert sorted(classes(other_store).values()) == ["A", "B", "C", "C", "C"]


# ---- lifecycle -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_days_ago", "last_days_ago", "expected"),
    [
        (90, 0, "new"),  # first purchase exactly 90 days ago: still new
        (91, 0, "regular"),
        (300, 90, "regular"),  # 90 days since the last visit: not yet dormant
        (300, 91, "dormant"),
        (300, 180, "dormant"),
        (300, 181, "lost"),
        (91, 91, "dormant"),  # a single visit 91 days ago
    ],
)
def test_lifecycle_boundaries(store, first_days_ago, last_days_ago, expected):
    member = MemberFactory(store=store)
    buy(member, 100, days_ago(first_days_ago, hour=0))
    buy(member, 100, days_ago(last_days_ago, hour=23))
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == expected


def test_day_counts_use_local_dates(store):
    # 23:30 local on the 91st day before is 15:30 UTC the same day: dormant, not regular.
    member = MemberFactory(store=store)
    buy(member, 100, days_ago(400))
    buy(member, 100, at(AS_OF - dt.timedelta(days=91), 23, 30))
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == "dormant"


def test_a_visit_without_spend_keeps_a_member_active(store):
    member = MemberFactory(store=store)
    buy(member, 5000, days_ago(200))
    buy(member, 0, days_ago(10))
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == "regular"


def test_a_return_does_not_wake_a_dormant_member(store):
    member = MemberFactory(store=store)
    buy(member, 5000, days_ago(120))
    buy(member, -1000, days_ago(3))
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == "dormant"


@pytest.mark.parametrize(
    ("join_days_ago", "expected"), [(None, "new"), (90, "new"), (91, "dormant"), (181, "lost")]
)
def test_members_who_never_bought_age_from_their_join_date(store, join_days_ago, expected):
    join = None if join_days_ago is None else AS_OF - dt.timedelta(days=join_days_ago)
    member = MemberFactory(store=store, join_date=join)
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == expected


@override_settings(LIFECYCLE_NEW_DAYS=30, LIFECYCLE_DORMANT_DAYS=60, LIFECYCLE_LOST_DAYS=120)
def test_lifecycle_thresholds_are_settings(store):
    member = MemberFactory(store=store)
    buy(member, 100, days_ago(61))
    refresh_members(as_of=AS_OF)
    assert fresh(member).lifecycle == "dormant"


def test_a_member_moves_on_as_time_passes(store):
    member = MemberFactory(store=store)
    buy(member, 100, at(dt.date(2026, 1, 1)))
    states = []
    for as_of in [dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1)]:
        refresh_members(as_of=as_of)
        states.append(fresh(member).lifecycle)
    # 90 days on 1 April, 180 on 30 June, 181 on 1 July.
    assert states == ["new", "new", "dormant", "lost"]


# ---- the command and partial refreshes -----------------------------------------------------------


def test_refreshing_twice_changes_nothing_and_records_each_run(store):
    for i in range(6):
        buy(MemberFactory(store=store, member_no=f"N{i}"), 100 * (i + 1), days_ago(i * 50))
    refresh_members(as_of=AS_OF)
    before = list(Member.objects.order_by("pk").values())
    refresh_members(as_of=AS_OF)
    assert list(Member.objects.order_by("pk").values()) == before
    entries = AuditEntry.objects.filter(action="members.refreshed", store=store)
    assert entries.count() == 2
    assert entries.first().data["as_of"] == "2026-03-15"
    assert entries.first().data["members"] == 6


def test_command_takes_a_date_and_a_store(store, other_store, capsys):
    here = MemberFactory(store=store)
    buy(here, 100, at(dt.date(2026, 1, 10)))
    there = MemberFactory(store=other_store)
    buy(there, 100, at(dt.date(2026, 1, 10)))
    call_command("refresh_members", "--as-of", "2026-01-20", "--store", store.code)
    assert fresh(here).lifecycle == "new"
    assert fresh(here).spend_12m == 100
    assert fresh(there).spend_12m == 0
    assert "bj01" in capsys.readouterr().out


def test_command_defaults_to_today(store):
    member = MemberFactory(store=store)
    buy(member, 100, timezone.now() - dt.timedelta(days=100))
    call_command("refresh_members", verbosity=0)
    assert fresh(member).lifecycle == "dormant"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--as-of", "15/03/2026"], "--as-of must be a date"), (["--store", "nope"], "No store")],
)
def test_command_refuses_bad_arguments(store, english, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("refresh_members", *args)


def test_partial_refresh_updates_the_members_given_and_reranks_their_store(store):
    leader = MemberFactory(store=store, member_no="N1")
    buy(leader, 1000, days_ago(5))
    others = [MemberFactory(store=store, member_no=f"N{i}") for i in range(2, 6)]
    for member in others:
        buy(member, 500, days_ago(5))
    refresh_members(as_of=AS_OF)
    assert fresh(leader).value_class == "A"
    newcomer = others[-1]
    buy(newcomer, 5000, days_ago(1))
    refresh_member_figures([newcomer.pk], as_of=AS_OF)
    assert fresh(newcomer).spend_12m == Decimal("5500.00")
    assert newcomer.value_class == "A"
    assert fresh(leader).value_class == "B"


def test_partial_refresh_leaves_other_members_alone(store):
    touched, untouched = MemberFactory(store=store), MemberFactory(store=store)
    buy(touched, 100, days_ago(1))
    buy(untouched, 100, days_ago(1))
    refresh_member_figures([touched.pk], as_of=AS_OF)
    assert fresh(touched).purchase_count == 1
    assert fresh(untouched).purchase_count == 0


def test_refresh_of_no_store_is_harmless(db):
    StoreFactory()
    assert refresh_members(as_of=AS_OF, stores=[]) == {}
    refresh_member_figures([])
