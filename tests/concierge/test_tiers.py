"""Tier programs: qualification by day, month or period, no mid-period drop, renewal and rollover.

The program is 王府井's: the period runs 1 August to 31 July; ME for a 500 day (renew at 1,000),
WE for 6,000 in a day, 12,000 in a month or 10,000 in the period (renew at 10,000), SVIP for
30,000 / 60,000 / 60,000 (renew at 60,000).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concierge.models import Member
from concierge.refresh import period_start, refresh_member_figures, refresh_members
from tests.factories import MemberFactory, PurchaseFactory, TierFactory, TierProgramFactory

pytestmark = pytest.mark.django_db


def at(day, hour=12, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def buy(member, amount, day, hour=12, minute=0):
    PurchaseFactory(member=member, amount=Decimal(str(amount)), purchased_at=at(day, hour, minute))


@pytest.fixture
def program(store):
    program = TierProgramFactory(name="ME / WE / SVIP", period_start_month=8, period_start_day=1)
    TierFactory(program=program, rank=1, name="ME", min_day_points=500, min_period_points=None,
                renewal_points=1000)  # fmt: skip
    TierFactory(program=program, rank=2, name="WE", min_day_points=6000, min_month_points=12000,
                min_period_points=10000, renewal_points=10000, dedicated_manager=False)  # fmt: skip
    TierFactory(program=program, rank=3, name="SVIP", min_day_points=30000, min_month_points=60000,
                min_period_points=60000, renewal_points=60000, dedicated_manager=True)  # fmt: skip
    store.tier_program = program
    store.save()
    return program


@pytest.fixture
def member(store, program):
    return MemberFactory(store=store)


def tier_of(member, as_of):
    refresh_members(as_of=as_of)
    member = Member.objects.select_related("tier").get(pk=member.pk)
    return member.tier.name if member.tier else None


def test_period_start_is_the_last_program_anniversary(program):
    assert period_start(program, dt.date(2026, 7, 31)) == dt.date(2025, 8, 1)
    assert period_start(program, dt.date(2026, 8, 1)) == dt.date(2026, 8, 1)
    assert period_start(program, dt.date(2027, 1, 5)) == dt.date(2026, 8, 1)


# ---- qualification ---------------------------------------------------------------------------


def test_no_purchases_no_tier(member):
    assert tier_of(member, dt.date(2026, 9, 1)) is None


def test_a_500_day_makes_an_me_member_but_499_does_not(member, store):
    buy(member, 300, dt.date(2026, 9, 1), 10)
    buy(member, 199, dt.date(2026, 9, 1), 18)
    assert tier_of(member, dt.date(2026, 9, 1)) is None
    buy(member, 1, dt.date(2026, 9, 1), 20)
    assert tier_of(member, dt.date(2026, 9, 1)) == "ME"


def test_a_day_is_a_local_day(member):
    # 23:00 on 1 Sept and 01:00 on 2 Sept are different days in Shanghai (both 1 Sept in UTC).
    buy(member, 300, dt.date(2026, 9, 1), 23)
    buy(member, 300, dt.date(2026, 9, 2), 1)
    assert tier_of(member, dt.date(2026, 9, 5)) is None


def test_cents_add_up_exactly(member):
    for _ in range(3):
        PurchaseFactory(member=member, amount=Decimal("0.10"), purchased_at=at(dt.date(2026, 9, 1)))
    buy(member, Decimal("499.70"), dt.date(2026, 9, 1), 15)
    assert tier_of(member, dt.date(2026, 9, 1)) == "ME"


def test_we_by_a_6000_day(member):
    buy(member, 6000, dt.date(2026, 9, 10))
    assert tier_of(member, dt.date(2026, 9, 10)) == "WE"


def test_we_by_12000_in_one_local_calendar_month_not_across_two(member, program):
    # Without WE's period rule, which 12,000 in a month would also meet.
    program.tiers.filter(name="WE").update(min_period_points=None)
    for day in (1, 10, 20):
        buy(member, 3000, dt.date(2026, 9, day))
    buy(member, 3000, dt.date(2026, 10, 1), 0, 30)  # still 30 September in UTC
    # 9,000 in September and 3,000 in October: ME (a 3,000 day), not WE.
    assert tier_of(member, dt.date(2026, 10, 2)) == "ME"
    buy(member, 3000, dt.date(2026, 9, 30), 22)
    assert tier_of(member, dt.date(2026, 10, 2)) == "WE"


def test_we_by_10000_over_the_period(member):
    for month in (8, 10, 12):
        buy(member, 3000, dt.date(2026, month, 5))
    assert tier_of(member, dt.date(2027, 1, 1)) == "ME"
    buy(member, 1000, dt.date(2027, 2, 5))
    assert tier_of(member, dt.date(2027, 2, 5)) == "WE"


def test_svip_by_a_30000_day(member):
    buy(member, 30000, dt.date(2026, 11, 11))
    assert tier_of(member, dt.date(2026, 11, 11)) == "SVIP"


def test_returns_count_against_qualification(member):
    buy(member, 6000, dt.date(2026, 9, 1), 10)
    buy(member, -600, dt.date(2026, 9, 1), 16)
    assert tier_of(member, dt.date(2026, 9, 1)) == "ME"


def test_points_follow_the_program_ratio(member, program):
    program.points_per_yuan = Decimal("2")
    program.save()
    buy(member, 3000, dt.date(2026, 9, 1))
    assert tier_of(member, dt.date(2026, 9, 1)) == "WE"


def test_stores_without_a_program_give_no_tier(other_store):
    member = MemberFactory(store=other_store)
    buy(member, 50_000, dt.date(2026, 9, 1))
    assert tier_of(member, dt.date(2026, 9, 1)) is None


def test_a_purchase_import_upgrades_at_once(member):
    refresh_members(as_of=dt.date(2026, 9, 1))
    buy(member, 6000, dt.date(2026, 9, 2))
    refresh_member_figures([member.pk], as_of=dt.date(2026, 9, 2))
    member.refresh_from_db()
    assert member.tier.name == "WE"
    assert member.tier_period_start == dt.date(2026, 8, 1)


# ---- no mid-period drop, renewal, rollover ---------------------------------------------------------


def test_a_tier_holds_for_the_rest_of_the_period_even_after_returns(member):
    buy(member, 30000, dt.date(2026, 9, 1))
    assert tier_of(member, dt.date(2026, 9, 1)) == "SVIP"
    buy(member, -30000, dt.date(2026, 9, 5))
    assert tier_of(member, dt.date(2026, 9, 5)) == "SVIP"
    assert tier_of(member, dt.date(2027, 7, 31)) == "SVIP"


def test_the_tier_rises_within_the_period(member):
    buy(member, 600, dt.date(2026, 9, 1))
    assert tier_of(member, dt.date(2026, 9, 1)) == "ME"
    buy(member, 6000, dt.date(2027, 3, 1))
    assert tier_of(member, dt.date(2027, 3, 1)) == "WE"


def test_renewal_met_keeps_the_tier_into_the_next_period(member):
    buy(member, 30000, dt.date(2025, 9, 1))
    buy(member, 30000, dt.date(2026, 5, 1))  # 60,000 over the 2025-26 period
    assert tier_of(member, dt.date(2026, 7, 31)) == "SVIP"
    assert tier_of(member, dt.date(2026, 8, 1)) == "SVIP"
    member.refresh_from_db()
    assert member.tier_period_start == dt.date(2026, 8, 1)


def test_renewal_missed_falls_to_the_best_tier_whose_renewal_was_met(member):
    buy(member, 30000, dt.date(2025, 9, 1))  # SVIP by a single day, but only 30,000 in the period
    assert tier_of(member, dt.date(2026, 7, 31)) == "SVIP"
    # At rollover SVIP's 60,000 was missed; WE's 10,000 was met.
    assert tier_of(member, dt.date(2026, 8, 1)) == "WE"


def test_renewal_missed_on_every_tier_means_no_tier(member):
    buy(member, 600, dt.date(2025, 9, 1))  # ME by a 600 day, but under ME's 1,000 to renew
    assert tier_of(member, dt.date(2026, 7, 31)) == "ME"
    assert tier_of(member, dt.date(2026, 8, 1)) is None


def test_rollover_keeps_what_the_new_period_already_qualifies(member):
    buy(member, 30000, dt.date(2025, 9, 1))
    assert tier_of(member, dt.date(2026, 7, 31)) == "SVIP"
    buy(member, 30000, dt.date(2026, 8, 1))  # a 30,000 day on the first day of the new period
    assert tier_of(member, dt.date(2026, 8, 1)) == "SVIP"


def test_the_period_boundary_is_local_midnight(member):
    # 23:59 on 31 July belongs to the old period, 00:00 on 1 August to the new one.
    buy(member, 600, dt.date(2025, 8, 1))
    buy(member, 400, dt.date(2026, 7, 31), 23, 59)
    assert tier_of(member, dt.date(2026, 8, 1)) == "ME"  # 1,000 in 2025-26: renewed
    other = MemberFactory(store=member.store)
    buy(other, 600, dt.date(2025, 8, 1))
    buy(other, 400, dt.date(2026, 8, 1), 0, 0)
    assert tier_of(other, dt.date(2026, 8, 1)) is None  # 600 in 2025-26, and 400 is no ME day
    assert Member.objects.get(pk=other.pk).tier_period_start == dt.date(2026, 8, 1)


def test_a_first_refresh_mid_period_reads_the_previous_period(member):
    # Never refreshed before: the 2025-26 purchases earned SVIP and renewed it, so it holds now.
    buy(member, 70000, dt.date(2026, 1, 1))
    assert tier_of(member, dt.date(2026, 10, 1)) == "SVIP"


def test_a_tier_from_two_periods_ago_does_not_carry_over(member, program):
    svip = program.tiers.get(name="SVIP")
    Member.objects.filter(pk=member.pk).update(tier=svip, tier_period_start=dt.date(2024, 8, 1))
    buy(member, 1200, dt.date(2025, 12, 1))  # 2025-26: ME by the day and renewed by the total
    assert tier_of(member, dt.date(2026, 9, 1)) == "ME"


def test_a_tier_granted_by_hand_holds_for_the_current_period(member, program):
    we = program.tiers.get(name="WE")
    Member.objects.filter(pk=member.pk).update(tier=we, tier_period_start=None)
    assert tier_of(member, dt.date(2026, 9, 1)) == "WE"
    member.refresh_from_db()
    assert member.tier_period_start == dt.date(2026, 8, 1)


def test_a_member_of_the_previous_period_keeps_it_through_repeated_refreshes(member):
    buy(member, 6000, dt.date(2025, 9, 1))
    buy(member, 4000, dt.date(2026, 3, 1))
    for day in [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 8, 2), dt.date(2027, 7, 31)]:
        assert tier_of(member, day) == "WE"
    # The 2026-27 period brought nothing: WE lapses at the next rollover, and ME's 1,000 was missed.
    assert tier_of(member, dt.date(2027, 8, 1)) is None
