"""Revivals credited from purchases: the window, the amount, the attempt that counts, self-rung
purchases, one credit per member, claw-backs by returns, the target bonus, and the jobs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from concierge.models import Alert, AuditEntry
from concierge.roles import Role
from tasks.models import IncentiveEntry, RevivalCampaign, RevivalCase, RevivalCredit
from tasks.revival.credit import (
    FINAL_AFTER,
    credit_missed_purchases,
    credit_purchases,
    finalise_revival_credits,
)
from tests.factories import MemberFactory, PurchaseFactory, StaffFactory
from tests.helpers import at, frozen_clock
from tests.revival import factories as rv

pytestmark = pytest.mark.usefixtures("english")

Kind = IncentiveEntry.Kind
Entry = IncentiveEntry.State

# A fixed week in the past: the attempt on the 10th at 20:00, local time.
DAY = dt.date(2026, 11, 10)
ATTEMPT_AT = at(2026, 11, 10, 20, 0)


@pytest.fixture
def campaign(store):
    return rv.campaign(
        store,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        min_amount=Decimal("500"),
        window_days=3,
        return_days=14,
    )


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="张女士", value_class="A")


@pytest.fixture
def case(campaign, member, vip_manager):
    return rv.case(campaign, member, vip_manager)


def buy(member, moment, amount="1000", staff=None, receipt=None):
    fields = {"member": member, "purchased_at": moment, "amount": Decimal(amount), "staff": staff}
    if receipt:
        fields["receipt_ref"] = receipt
    return PurchaseFactory(**fields)


def credit(store, *purchases):
    return credit_purchases(store, [purchase.pk for purchase in purchases])


def case_state(case):
    return RevivalCase.objects.get(pk=case.pk).state


# ---- the window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "counts"),
    [
        (at(2026, 11, 10, 20, 30), True),  # the attempt's own day, after it
        (at(2026, 11, 10, 20, 0), True),  # the very moment of the attempt
        (at(2026, 11, 10, 19, 59), False),  # the same day, before the attempt
        (at(2026, 11, 9, 12, 0), False),  # the day before
        (at(2026, 11, 13, 23, 59), True),  # the N-th day after: in
        (at(2026, 11, 14, 0, 1), False),  # the N+1-th day: out
    ],
)
def test_the_window_of_an_attempt(store, case, member, moment, counts):
    rv.attempt(case, at=ATTEMPT_AT)
    assert credit(store, buy(member, moment)) == {"credited": int(counts), "clawed_back": 0}
    assert RevivalCredit.objects.count() == int(counts)
    assert case_state(case) == ("revived" if counts else "contacted")


@pytest.mark.parametrize(("amount", "counts"), [("500.00", True), ("499.99", False), ("12000", True)])
def test_a_single_purchase_of_at_least_the_minimum_credits(store, case, member, amount, counts):
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), amount))
    assert RevivalCredit.objects.count() == int(counts)


def test_two_small_purchases_do_not_add_up(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), "300"), buy(member, at(2026, 11, 11, 11), "300"))
    assert not RevivalCredit.objects.exists()


def test_an_attempt_that_did_not_reach_the_member_does_not_count(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT, reached=False)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert not RevivalCredit.objects.exists()


def test_the_latest_reached_attempt_before_the_purchase_wins(store, campaign, case, member, vip_manager):
    colleague = StaffFactory(store=store, display_name="刘洋", roles=[Role.VIP_MANAGER])
    third = StaffFactory(store=store, display_name="孙悦", roles=[Role.VIP_MANAGER])
    rv.attempt(case, vip_manager, at=ATTEMPT_AT)
    counted = rv.attempt(case, colleague, at=ATTEMPT_AT + dt.timedelta(days=1))
    rv.attempt(case, third, at=ATTEMPT_AT + dt.timedelta(days=1, hours=2), reached=False)
    rv.attempt(case, vip_manager, at=ATTEMPT_AT + dt.timedelta(days=2))  # after the purchase
    purchase = buy(member, at(2026, 11, 11, 23))
    credit(store, purchase)
    made = RevivalCredit.objects.get()
    assert (made.staff, made.attempt, made.purchase, made.amount) == (
        colleague,
        counted,
        purchase,
        Decimal("1000"),
    )


def test_the_window_runs_from_the_latest_reached_attempt(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT - dt.timedelta(days=20))
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert not RevivalCredit.objects.exists()


@pytest.mark.parametrize("exclude", [True, False])
def test_a_purchase_rung_by_the_credited_person_counts_only_without_the_exclusion(
    store, member, vip_manager, exclude
):
    campaign = rv.campaign(store, start=DAY, end=DAY, window_days=3, exclude_self_rung=exclude)
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), staff=vip_manager))
    assert RevivalCredit.objects.count() == (0 if exclude else 1)


def test_a_purchase_rung_by_someone_else_counts_with_the_exclusion(store, case, member, store_manager):
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), staff=store_manager))
    assert RevivalCredit.objects.count() == 1


# ---- which cases and campaigns ------------------------------------------------------------------


def test_one_credit_per_member_and_campaign(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    first, second = buy(member, at(2026, 11, 11, 10)), buy(member, at(2026, 11, 11, 12))
    credit(store, second, first)
    assert RevivalCredit.objects.get().purchase == first  # the earlier one, whatever the order given
    credit(store, buy(member, at(2026, 11, 12, 10)))
    credit(store, first, second)  # sent again
    assert RevivalCredit.objects.count() == 1
    assert IncentiveEntry.objects.filter(kind=Kind.REWARD).count() == 1


@pytest.mark.parametrize(
    ("state", "counts"),
    [
        (RevivalCampaign.State.CLOSED, True),
        (RevivalCampaign.State.SETTLED, False),
        (RevivalCampaign.State.DRAFT, False),
    ],
)
def test_closed_campaigns_still_credit_settled_and_drafts_do_not(store, member, vip_manager, state, counts):
    campaign = rv.campaign(store, start=DAY, end=DAY, window_days=3, state=state)
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 12, 10)))
    assert RevivalCredit.objects.count() == int(counts)


def test_a_closed_campaign_does_not_count_attempts_made_after_it_closed(store, member, vip_manager):
    campaign = rv.campaign(store, start=DAY, end=DAY, window_days=3, state=RevivalCampaign.State.CLOSED)
    RevivalCampaign.objects.filter(pk=campaign.pk).update(closed_at=ATTEMPT_AT - dt.timedelta(hours=1))
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 12, 10)))
    assert not RevivalCredit.objects.exists()


@pytest.mark.parametrize("state", [RevivalCase.State.LOST, RevivalCase.State.CLOSED])
def test_a_case_no_longer_worked_is_not_credited(store, campaign, member, vip_manager, state):
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=ATTEMPT_AT)
    RevivalCase.objects.filter(pk=case.pk).update(state=state)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert not RevivalCredit.objects.exists()


def test_another_stores_purchase_ids_are_ignored(store, other_store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    purchase = buy(member, at(2026, 11, 11, 10))
    assert credit_purchases(other_store, [purchase.pk]) == {"credited": 0, "clawed_back": 0}
    assert not RevivalCredit.objects.exists()


# ---- what a credit does -----------------------------------------------------------------------------


def test_a_credit_revives_the_case_records_the_reward_and_tells_the_store(
    store, campaign, case, member, vip_manager, store_manager
):
    rv.attempt(case, at=ATTEMPT_AT)
    purchase = buy(member, at(2026, 11, 11, 10), "2380")
    credit(store, purchase)
    made = RevivalCredit.objects.get()
    assert made.state == "provisional"
    assert made.returns_until == purchase.purchased_at + dt.timedelta(days=14)
    assert case_state(case) == "revived"
    reward = IncentiveEntry.objects.get()
    assert (reward.kind, reward.state, reward.amount, reward.staff, reward.credit) == (
        Kind.REWARD,
        Entry.PENDING,
        campaign.reward_a,
        vip_manager,
        made,
    )
    alerts = {row.recipient: row.text for row in Alert.objects.all()}
    assert alerts == {
        store_manager: "王丽 revived 张女士 (class A): ¥2,380",
        vip_manager: "王丽 revived 张女士 (class A): ¥2,380",
    }
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "revival.credited",
        "revival.case_revived",
        "revival.reward_recorded",
    }


def test_the_reward_follows_the_class_the_case_was_opened_with(store, campaign, member, vip_manager):
    case = rv.case(campaign, member, vip_manager, value_class="")
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert IncentiveEntry.objects.get().amount == campaign.reward_other


def selects(run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        run()
    return [query["sql"] for query in seen.captured_queries if query["sql"].startswith("SELECT")]


def test_the_candidate_search_costs_the_same_for_one_member_or_many(store, campaign, vip_manager):
    def batch(count):
        purchases = []
        for _n in range(count):
            member = MemberFactory(store=store, value_class="B")
            case = rv.case(campaign, member, vip_manager)
            rv.attempt(case, at=ATTEMPT_AT)
            purchases.append(buy(member, at(2026, 11, 11, 10)))
        return purchases

    # Members without a case: one query, nothing locked.
    idle = [buy(MemberFactory(store=store), at(2026, 11, 11, 10)) for _n in range(5)]
    assert len(selects(lambda: credit(store, *idle))) == 1
    one, many = batch(1), batch(12)
    assert len(selects(lambda: credit(store, *many))) == len(selects(lambda: credit(store, *one)))
    assert RevivalCredit.objects.count() == 13


# ---- claw-backs ------------------------------------------------------------------------------------


@pytest.fixture
def credited(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    purchase = buy(member, at(2026, 11, 11, 10), "800")
    credit(store, purchase)
    return RevivalCredit.objects.get()


def test_a_return_that_takes_the_net_below_the_minimum_claws_back(store, case, member, credited, vip_manager):
    Alert.objects.all().delete()
    assert credit(store, buy(member, at(2026, 11, 15, 10), "-301")) == {"credited": 0, "clawed_back": 1}
    credit_ = RevivalCredit.objects.get()
    assert credit_.state == "clawed_back" and "¥499" in credit_.claw_back_reason
    assert case_state(case) == "contacted"
    reward = IncentiveEntry.objects.get()
    assert reward.state == Entry.REVERSED
    assert Alert.objects.filter(recipient=vip_manager, text__contains="taken back").exists()
    # Once: sent again, nothing more happens.
    assert credit(store, *member.purchases.all()) == {"credited": 0, "clawed_back": 0}


def test_a_return_that_leaves_the_net_at_the_minimum_keeps_the_credit(store, member, credited):
    credit(store, buy(member, at(2026, 11, 15, 10), "-300"))
    assert RevivalCredit.objects.get().state == "provisional"


def test_a_return_after_the_return_days_keeps_the_credit(store, member, credited):
    credit(store, buy(member, credited.returns_until + dt.timedelta(minutes=1), "-800"))
    assert RevivalCredit.objects.get().state == "provisional"


def test_an_approved_reward_is_reversed_too(store, member, credited, store_manager):
    from tasks.revival.ledger import approve_entries

    approve_entries(store, store_manager, [IncentiveEntry.objects.get().pk])
    credit(store, buy(member, at(2026, 11, 15, 10), "-800"))
    assert IncentiveEntry.objects.get().state == Entry.REVERSED


def test_a_paid_reward_is_answered_by_a_claw_back_entry(store, member, credited, store_manager):
    from tasks.revival.ledger import approve_entries, mark_paid

    reward = IncentiveEntry.objects.get()
    approve_entries(store, store_manager, [reward.pk])
    mark_paid(store, store_manager, [reward.pk], timezone.localdate())
    credit(store, buy(member, at(2026, 11, 15, 10), "-800"))
    reward = IncentiveEntry.objects.get(pk=reward.pk)
    assert reward.state == Entry.PAID
    claw = IncentiveEntry.objects.get(kind=Kind.CLAW_BACK)
    assert (claw.amount, claw.state, claw.corrects, claw.staff) == (
        -reward.amount,
        Entry.PENDING,
        reward,
        reward.staff,
    )


def test_after_a_claw_back_a_later_purchase_credits_again(store, case, member, credited):
    credit(store, buy(member, at(2026, 11, 12, 10), "-800"))
    later = buy(member, at(2026, 11, 13, 10), "600")
    credit(store, later)
    assert RevivalCredit.objects.get(state="provisional").purchase == later
    assert case_state(case) == "revived"


def test_a_purchase_already_returned_when_it_arrives_is_not_credited(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    bought = buy(member, at(2026, 11, 11, 10), "800")
    returned = buy(member, at(2026, 11, 11, 15), "-800")
    assert credit(store, bought, returned) == {"credited": 0, "clawed_back": 0}
    assert case_state(case) == "contacted"


# ---- the target bonus ---------------------------------------------------------------------------------


def test_the_bonus_on_reaching_the_target_and_its_reversal(store, campaign, vip_manager):
    rv.quota(campaign, vip_manager, share=10, target=2)
    members = [MemberFactory(store=store, value_class="B") for _n in range(3)]
    for member in members:
        rv.attempt(rv.case(campaign, member, vip_manager), at=ATTEMPT_AT)
    credit(store, buy(members[0], at(2026, 11, 11, 10)))
    assert not IncentiveEntry.objects.filter(kind=Kind.BONUS).exists()
    credit(store, buy(members[1], at(2026, 11, 11, 11)))
    bonus = IncentiveEntry.objects.get(kind=Kind.BONUS)
    assert (bonus.amount, bonus.state, bonus.staff) == (campaign.quota_bonus, Entry.PENDING, vip_manager)
    credit(store, buy(members[2], at(2026, 11, 11, 12)))
    assert IncentiveEntry.objects.filter(kind=Kind.BONUS).count() == 1  # once

    # Two returns: 3 -> 2 still at the target, then 2 -> 1 below it.
    credit(store, buy(members[2], at(2026, 11, 12, 10), "-1000"))
    assert IncentiveEntry.objects.get(kind=Kind.BONUS).state == Entry.PENDING
    credit(store, buy(members[1], at(2026, 11, 12, 10), "-1000"))
    assert IncentiveEntry.objects.get(kind=Kind.BONUS).state == Entry.REVERSED


def test_a_paid_bonus_lost_is_clawed_back_and_earned_again_is_paid_again(
    store, campaign, vip_manager, store_manager
):
    from tasks.revival.ledger import approve_entries, mark_paid

    rv.quota(campaign, vip_manager, share=10, target=1)
    first, second = (MemberFactory(store=store) for _n in range(2))
    for member in (first, second):
        rv.attempt(rv.case(campaign, member, vip_manager), at=ATTEMPT_AT)
    credit(store, buy(first, at(2026, 11, 11, 10)))
    bonus = IncentiveEntry.objects.get(kind=Kind.BONUS)
    approve_entries(store, store_manager, [bonus.pk])
    mark_paid(store, store_manager, [bonus.pk], timezone.localdate())
    credit(store, buy(first, at(2026, 11, 12, 10), "-1000"))
    claw = IncentiveEntry.objects.get(kind=Kind.CLAW_BACK, corrects=bonus)
    assert claw.amount == -campaign.quota_bonus
    # Earned again while the claw-back is unpaid: the claw-back is reversed, not a second bonus.
    credit(store, buy(second, at(2026, 11, 12, 11)))
    assert IncentiveEntry.objects.get(pk=claw.pk).state == Entry.REVERSED
    assert IncentiveEntry.objects.filter(kind=Kind.BONUS).count() == 1


def test_a_case_given_to_someone_else_moves_both_bonuses_at_once(store, campaign, vip_manager, store_manager):
    from tasks.revival.cases import reassign_case

    RevivalCampaign.objects.filter(pk=campaign.pk).update(target_percent=50)
    colleague = StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])
    # 王丽: 2 members, target 1, one revived (her bonus is owed). 刘洋: 3 members, target 2, one revived.
    rv.quota(campaign, vip_manager, share=2, target=1)
    rv.quota(campaign, colleague, share=3, target=2)
    hers = [rv.case(campaign, MemberFactory(store=store), vip_manager) for _n in range(2)]
    his = [rv.case(campaign, MemberFactory(store=store), colleague) for _n in range(3)]
    for case in (hers[0], his[0]):
        rv.attempt(case, at=ATTEMPT_AT)
        credit(store, buy(case.member, at(2026, 11, 11, 10)))
    [bonus] = IncentiveEntry.objects.filter(kind=Kind.BONUS)
    assert bonus.staff == vip_manager

    # One of his untried members goes to her: her target becomes 2 (she has 1), his 1 (he has 1).
    reassign_case(his[2], store_manager, vip_manager)

    assert IncentiveEntry.objects.get(pk=bonus.pk).state == Entry.REVERSED
    his_bonus = IncentiveEntry.objects.get(kind=Kind.BONUS, staff=colleague)
    assert (his_bonus.amount, his_bonus.state) == (campaign.quota_bonus, Entry.PENDING)
    reversed_for = AuditEntry.objects.get(action="revival.entry_reversed", object_id=str(bonus.pk))
    with translation.override(store.default_language):
        reason = gettext("Below the revival target after a case was given to them")
    assert reversed_for.data["reason"] == reason


def test_no_bonus_without_a_target(store, campaign, case, member, vip_manager):
    rv.quota(campaign, vip_manager, share=10, target=0)
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert not IncentiveEntry.objects.filter(kind=Kind.BONUS).exists()


# ---- the jobs ----------------------------------------------------------------------------------------


def test_provisional_credits_become_final_once_a_late_return_can_no_longer_come(store, member, credited):
    # The return days are over, but a return dated inside them may still arrive (import, safety net).
    with frozen_clock(credited.returns_until + FINAL_AFTER - dt.timedelta(seconds=1)):
        assert finalise_revival_credits(as_of=timezone.localdate()) == {}
    assert RevivalCredit.objects.get().state == "provisional"
    with frozen_clock(credited.returns_until + FINAL_AFTER):
        assert finalise_revival_credits(as_of=timezone.localdate()) == {"revival_credits_final": 1}
        assert finalise_revival_credits(as_of=timezone.localdate()) == {}
    assert RevivalCredit.objects.get().state == "final"
    assert AuditEntry.objects.filter(action="revival.credit_final").count() == 1
    # A final credit is not taken back by a late return.
    credit(store, buy(member, at(2026, 11, 15, 10), "-800"))
    assert RevivalCredit.objects.get().state == "final"


def test_the_daily_safety_net_credits_what_was_missed_once(store, case, member):
    rv.attempt(case, at=ATTEMPT_AT)
    missed = buy(member, at(2026, 11, 11, 10))
    with frozen_clock(at(2026, 11, 12, 0, 5)):
        assert credit_missed_purchases(as_of=dt.date(2026, 11, 12)) == {"credited": 1}
        assert credit_missed_purchases(as_of=dt.date(2026, 11, 12)) == {}
    assert RevivalCredit.objects.get().purchase == missed


def test_the_daily_safety_net_claws_back_a_missed_return(store, member, credited):
    buy(member, at(2026, 11, 13, 10), "-800")
    assert credit_missed_purchases(as_of=dt.date(2026, 11, 14)) == {"clawed_back": 1}
    assert RevivalCredit.objects.get().state == "clawed_back"


def test_the_dashboards_are_told_of_a_credit_and_a_claw_back(store, case, member, vip_manager, monkeypatch):
    told = []
    monkeypatch.setattr(
        "tasks.revival.credit.revival_changed",
        lambda store_id, staff_ids=(): told.append((store_id, staff_ids)),
    )
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    credit(store, buy(member, at(2026, 11, 12, 10), "-1000"))
    credit(store, buy(member, at(2026, 11, 12, 11), "-10"))  # nothing changes: nobody is told
    assert told == [(store.pk, [vip_manager.pk]), (store.pk, [vip_manager.pk])]


def test_one_purchase_revives_in_one_campaign_only(store, case, member, vip_manager):
    older = rv.campaign(
        store, name="十月激活", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), state="closed"
    )
    old_case = rv.case(older, member, vip_manager)
    rv.attempt(old_case, at=ATTEMPT_AT - dt.timedelta(hours=1))
    rv.attempt(case, at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10)))
    assert RevivalCredit.objects.count() == 1
    credit(store, buy(member, at(2026, 11, 11, 12)))
    # A second purchase revives the member in the other campaign: each campaign credits once.
    assert set(RevivalCredit.objects.values_list("campaign", flat=True)) == {older.pk, case.campaign_id}
    assert len(set(RevivalCredit.objects.values_list("purchase", flat=True))) == 2
