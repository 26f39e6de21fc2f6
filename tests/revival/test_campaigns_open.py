"""Revival campaigns: the pool, the even spread, opening, closing, settling and the late joiners."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from concierge.errors import ActionRefused
from concierge.models import Alert, Assignment, AuditEntry, Member, StaffAbsence
from concierge.roles import Role
from tasks.models import (
    IncentiveEntry,
    RevivalCampaign,
    RevivalCase,
    RevivalCredit,
    RevivalQuota,
    RevivalSettings,
)
from tasks.revival import campaigns
from tasks.revival.campaigns import (
    close_campaign,
    draft_campaign,
    join_late,
    open_campaign,
    pool,
    settle_campaign,
    spread,
)
from tests.factories import MemberFactory, PurchaseFactory, StaffFactory
from tests.revival import factories

pytestmark = pytest.mark.usefixtures("english")

START = dt.date(2026, 12, 1)
END = dt.date(2026, 12, 31)


def quiet_since(days, start=START):
    """A last purchase `days` days before the start's local midnight."""
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min)) - dt.timedelta(days=days)


def dormant(store, n=1, *, value_class="", days=120, **fields):
    return [
        MemberFactory(store=store, value_class=value_class, last_purchase_at=quiet_since(days), **fields)
        for _ in range(n)
    ]


def vips(store, n, prefix="v"):
    return [
        StaffFactory(
            store=store, username=f"{prefix}{i}", display_name=f"{prefix}{i}", roles=[Role.VIP_MANAGER]
        )
        for i in range(n)
    ]


def draft(store, store_manager, name="十二月激活", **terms):
    return draft_campaign(store, store_manager, name=name, start=START, end=END, **terms)


def assign(member, manager, state=Assignment.State.ACTIVE):
    return Assignment.objects.create(store=member.store, member=member, manager=manager, state=state)


def shares(campaign, **filters):
    counts = Counter(
        RevivalCase.objects.filter(campaign=campaign, **filters).values_list("staff_id", flat=True)
    )
    return counts


# ---- the spread's arithmetic ----------------------------------------------------------------------


def even_per_weight(given, weights, loads=None):
    """Per unit of weight nobody stands above where anyone else would stand with one member more:
    the spread is as even as whole members allow (with equal weights: max - min <= 1)."""
    loads = loads or {}
    level = {pk: Decimal(given[pk] + loads.get(pk, 0)) for pk in weights}
    for i in weights:
        if given[i] == 0:
            continue
        for j in weights:
            if level[i] / weights[i] > (level[j] + 1) / weights[j]:
                return False
    return True


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 10, 101, 1000])
def test_spread_is_even_per_unit_of_weight(count):
    weights = {1: Decimal("1"), 2: Decimal("1"), 3: Decimal("0.5"), 4: Decimal("0.5"), 5: Decimal("1")}
    given = spread(count, weights, {})
    assert sum(given.values()) == count
    assert even_per_weight(given, weights)
    full = [given[1], given[2], given[5]]
    assert max(full) - min(full) <= 1


def test_spread_fills_up_whoever_holds_fewest_first():
    weights = {1: Decimal("1"), 2: Decimal("1"), 3: Decimal("1")}
    given = spread(6, weights, {1: 5, 2: 0, 3: 1})
    assert given == {1: 0, 2: 4, 3: 2}
    assert spread(4, {1: Decimal("1"), 2: Decimal("0.5")}, {}) == {1: 3, 2: 1}
    assert spread(30, {1: Decimal("1"), 2: Decimal("0.5")}, {}) == {1: 20, 2: 10}


# ---- the pool ---------------------------------------------------------------------------------------


def test_the_pool_is_the_dormant_and_lost_on_the_first_day(store, other_store):
    quiet = dormant(store, days=91)[0]
    lost = dormant(store, days=400)[0]
    recent = dormant(store, days=89)[0]
    never = MemberFactory(store=store)
    far_lost = dormant(store, days=800)[0]
    elsewhere = dormant(other_store)[0]
    assert set(pool(store, START, 24)) == {quiet, lost}
    assert set(pool(store, START, 0)) == {quiet, lost, far_lost}
    assert recent not in pool(store, START, 0) and never not in pool(store, START, 0)
    assert elsewhere not in pool(store, START, 0)


def test_the_pool_leaves_out_paused_held_and_busy_members(store, store_manager):
    free, paused, held, paused_before = dormant(store, 4)
    Member.objects.filter(pk=paused.pk).update(outreach_paused_until=START)
    Member.objects.filter(pk=held.pk).update(outreach_paused_until=Member.OUTREACH_HELD)
    Member.objects.filter(pk=paused_before.pk).update(outreach_paused_until=START - dt.timedelta(days=1))
    busy = dormant(store)[0]
    other = factories.campaign(store, name="十一月激活", start=START - dt.timedelta(days=30), end=END)
    factories.case(other, busy, store_manager)
    done_elsewhere = dormant(store)[0]
    factories.case(other, done_elsewhere, store_manager, state=RevivalCase.State.REVIVED)
    assert set(pool(store, START, 24)) == {free, paused_before, done_elsewhere}


# ---- opening ----------------------------------------------------------------------------------------


def test_opening_spreads_class_a_and_the_rest_evenly_by_weight(store, store_manager):
    full, full2, half = vips(store, 3)
    dormant(store, 7, value_class="A")
    dormant(store, 11, value_class="B")
    dormant(store, 5)
    weights = {full.pk: Decimal("1"), full2.pk: Decimal("1"), half.pk: Decimal("0.5")}
    campaign = open_campaign(draft(store, store_manager), store_manager, weights)

    campaign = RevivalCampaign.objects.get(pk=campaign.pk)
    assert campaign.state == RevivalCampaign.State.OPEN and campaign.pool_size == 23
    total, class_a = shares(campaign), shares(campaign, value_class="A")
    assert sum(total.values()) == 23 and sum(class_a.values()) == 7
    assert even_per_weight({pk: class_a[pk] for pk in weights}, weights)
    assert even_per_weight({pk: total[pk] for pk in weights}, weights)
    assert total == {full.pk: 9, full2.pk: 9, half.pk: 5} or total == {full.pk: 10, full2.pk: 9, half.pk: 4}
    quotas = {q.staff_id: q for q in RevivalQuota.objects.filter(campaign=campaign)}
    for pk, quota in quotas.items():
        assert quota.share == total[pk]
        assert quota.target == -(-quota.share * 20 // 100)
        assert quota.weight == weights[pk]
    case = RevivalCase.objects.filter(campaign=campaign).first()
    assert case.state == RevivalCase.State.OPEN and case.store == store and not case.own_manager
    assert case.dormant_since == timezone.localdate(case.member.last_purchase_at)


def test_opening_with_equal_weights_leaves_at_most_one_between_people(store, store_manager):
    people = vips(store, 4)
    dormant(store, 9, value_class="A")
    dormant(store, 14, value_class="C")
    campaign = open_campaign(draft(store, store_manager), store_manager, {p.pk: 1 for p in people})
    for counts in (shares(campaign), shares(campaign, value_class="A")):
        values = [counts[p.pk] for p in people]
        assert max(values) - min(values) <= 1


def test_a_members_own_vip_manager_keeps_them(store, store_manager):
    mine, colleague = vips(store, 2)
    kept = dormant(store, 3, value_class="A")
    for member in kept:
        assign(member, mine)
    not_chosen = vips(store, 1, prefix="x")[0]
    spread_member = dormant(store)[0]
    assign(spread_member, not_chosen)
    dormant(store, 3)
    campaign = open_campaign(
        draft(store, store_manager), store_manager, {mine.pk: Decimal("1"), colleague.pk: Decimal("1")}
    )
    own = RevivalCase.objects.filter(campaign=campaign, own_manager=True)
    assert {(c.member_id, c.staff_id) for c in own} == {(m.pk, mine.pk) for m in kept}
    # The rest fill up the colleague first: 3 kept by mine, 4 free -> 3 + 1 / 0 + 3... as even as can be.
    assert shares(campaign) == {mine.pk: 3, colleague.pk: 4} or shares(campaign) == {
        mine.pk: 4,
        colleague.pk: 3,
    }
    assert RevivalCase.objects.get(campaign=campaign, member=spread_member).own_manager is False


def test_opening_records_one_audit_entry_and_alerts_each_person(store, store_manager):
    first, second = vips(store, 2)
    dormant(store, 10)
    campaign = open_campaign(draft(store, store_manager), store_manager, {first.pk: 1, second.pk: 1})
    entries = AuditEntry.objects.filter(action="revival.campaign_opened")
    assert entries.count() == 1
    assert entries.get().data["pool"] == 10
    assert not AuditEntry.objects.filter(action__startswith="revival.case").exists()
    alerts = Alert.objects.filter(kind=campaigns.ALERT_KIND)
    assert {a.recipient_id for a in alerts} == {first.pk, second.pk}
    assert all(f"/revival/campaigns/{campaign.pk}/" in a.link for a in alerts)
    assert all("十二月激活" in a.text and "5" in a.text for a in alerts)


def test_the_terms_come_from_the_stores_settings(store, store_manager):
    RevivalSettings.objects.create(store=store, min_amount=Decimal("800"), target_percent=30)
    campaign = draft(store, store_manager)
    assert campaign.min_amount == Decimal("800") and campaign.target_percent == 30
    other = draft(store, store_manager, name="另一个", target_percent=50)
    assert other.target_percent == 50 and other.state == RevivalCampaign.State.DRAFT


def test_staff_on_leave_are_refused_with_their_name(store, store_manager):
    here, away = vips(store, 2)
    StaffAbsence.objects.create(store=store, staff=away, first_day=START, last_day=START)
    dormant(store, 4)
    campaign = draft(store, store_manager)
    with pytest.raises(ActionRefused, match="on leave"):
        open_campaign(campaign, store_manager, {here.pk: 1, away.pk: 1})
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.DRAFT
    assert not RevivalCase.objects.exists()
    open_campaign(campaign, store_manager, {here.pk: 1})
    assert shares(campaign) == {here.pk: 4}


@pytest.mark.parametrize("who", ["inactive", "other_store", "front_desk"])
def test_only_the_stores_active_working_staff_can_be_given_members(
    who, store, other_store, store_manager, front_desk
):
    dormant(store, 2)
    person = {
        "inactive": lambda: StaffFactory(store=store, is_active=False, roles=[Role.VIP_MANAGER]),
        "other_store": lambda: StaffFactory(store=other_store, roles=[Role.VIP_MANAGER]),
        "front_desk": lambda: front_desk,
    }[who]()
    with pytest.raises(ActionRefused, match="only active VIP managers"):
        open_campaign(draft(store, store_manager), store_manager, {person.pk: 1})
    assert not RevivalCase.objects.exists()


def test_refusals_in_plain_words(store, store_manager, vip_manager, other_manager):
    campaign = draft(store, store_manager)
    with pytest.raises(ActionRefused, match="already has a campaign called"):
        draft(store, store_manager)
    with pytest.raises(ActionRefused, match="cannot be before the first"):
        draft_campaign(store, store_manager, name="倒过来", start=END, end=START)
    with pytest.raises(ActionRefused, match="at least one person"):
        open_campaign(campaign, store_manager, {})
    with pytest.raises(ActionRefused, match="Nobody is in the pool"):
        open_campaign(campaign, store_manager, {vip_manager.pk: 1})
    for outsider in (vip_manager, other_manager):
        with pytest.raises(ActionRefused, match="may not run"):
            draft_campaign(store, outsider, name="x", start=START, end=END)
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.DRAFT
    assert not RevivalQuota.objects.exists()


def test_a_campaign_opens_once(store, store_manager, vip_manager):
    dormant(store, 2)
    campaign = open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    with pytest.raises(ActionRefused, match="already open"):
        open_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager, {vip_manager.pk: 1})
    assert RevivalCase.objects.count() == 2


def test_members_in_another_open_campaign_are_not_given_twice(store, store_manager, vip_manager):
    dormant(store, 3)
    open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    dormant(store, 1)
    second = open_campaign(draft(store, store_manager, name="第二个"), store_manager, {vip_manager.pk: 1})
    assert RevivalCampaign.objects.get(pk=second.pk).pool_size == 1


def test_members_still_worked_in_a_closed_campaign_wait_for_its_settling(store, store_manager, vip_manager):
    dormant(store, 2)
    first = open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    tried = RevivalCase.objects.filter(campaign=first).order_by("pk").first()
    factories.attempt(tried, at=timezone.now())
    campaigns.close_campaign(RevivalCampaign.objects.get(pk=first.pk), store_manager, reason="月底")
    # The member reached in the first campaign may still buy inside its window: not given twice.
    second = open_campaign(draft(store, store_manager, name="第二个"), store_manager, {vip_manager.pk: 1})
    assert RevivalCampaign.objects.get(pk=second.pk).pool_size == 1
    assert not RevivalCase.objects.filter(campaign=second, member_id=tried.member_id).exists()


def test_drafts_change_and_go_until_opened(store, store_manager, vip_manager):
    campaign = draft(store, store_manager)
    campaigns.update_draft(campaign, store_manager, name="新名字", window_days=20)
    campaign = RevivalCampaign.objects.get(pk=campaign.pk)
    assert campaign.name == "新名字" and campaign.window_days == 20
    assert AuditEntry.objects.get(action="revival.campaign_changed").data["changed"]["window_days"] == [
        30,
        20,
    ]
    campaigns.delete_draft(campaign, store_manager)
    assert not RevivalCampaign.objects.exists()
    dormant(store, 1)
    opened = open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    with pytest.raises(ActionRefused, match="Only a draft"):
        campaigns.delete_draft(RevivalCampaign.objects.get(pk=opened.pk), store_manager)


# ---- closing and settling ---------------------------------------------------------------------------


def test_closing_closes_the_untried_cases_and_keeps_the_contacted_and_revived(
    store, store_manager, vip_manager
):
    campaign = factories.campaign(store, start=START, end=END)
    active, contacted, revived = dormant(store, 3)
    factories.case(campaign, active, vip_manager)
    factories.case(campaign, contacted, vip_manager, state=RevivalCase.State.CONTACTED)
    factories.case(campaign, revived, vip_manager, state=RevivalCase.State.REVIVED)
    with pytest.raises(ActionRefused):
        settle_campaign(campaign, store_manager)
    close_campaign(campaign, store_manager, reason="月底")
    states = dict(RevivalCase.objects.values_list("member_id", "state"))
    # A purchase inside the window of an attempt made while it was open still credits the contacted.
    assert states == {active.pk: "closed", contacted.pk: "contacted", revived.pk: "revived"}
    assert RevivalCase.objects.get(member=active).closed_reason == "月底"
    assert AuditEntry.objects.get(action="revival.campaign_closed").data["cases_closed"] == 1
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.CLOSED


def test_settling_waits_for_final_credits_and_decided_rewards(store, store_manager, vip_manager):
    campaign = factories.campaign(store, start=START, end=END, state=RevivalCampaign.State.CLOSED)
    member = dormant(store)[0]
    case = factories.case(campaign, member, vip_manager, state=RevivalCase.State.REVIVED)
    made = factories.attempt(case)
    purchase = PurchaseFactory(member=member, amount=Decimal("900"))
    credit = RevivalCredit.objects.create(
        store=store, campaign=campaign, case=case, member=member, staff=vip_manager, attempt=made,
        purchase=purchase, amount=purchase.amount, returns_until=timezone.now(),
    )  # fmt: skip
    entry = IncentiveEntry.objects.create(
        store=store, campaign=campaign, staff=vip_manager, kind="reward", amount=Decimal("50"), credit=credit
    )
    with pytest.raises(ActionRefused, match="1 revivals can still be taken back"):
        settle_campaign(campaign, store_manager)
    RevivalCredit.objects.filter(pk=credit.pk).update(state="final")
    with pytest.raises(ActionRefused, match="1 rewards wait for approval"):
        settle_campaign(campaign, store_manager)
    IncentiveEntry.objects.filter(pk=entry.pk).update(state="approved")
    with pytest.raises(ActionRefused, match="may not run"):
        settle_campaign(campaign, vip_manager)
    settle_campaign(campaign, store_manager)
    assert RevivalCampaign.objects.get(pk=campaign.pk).state == RevivalCampaign.State.SETTLED


# ---- late joiners -----------------------------------------------------------------------------------


def test_members_held_out_join_when_free(store, store_manager):
    first, second = vips(store, 2)
    dormant(store, 4)
    held = dormant(store, 2, outreach_paused_until=Member.OUTREACH_HELD)
    paused = dormant(store, 1, outreach_paused_until=START + dt.timedelta(days=3))[0]
    campaign = open_campaign(draft(store, store_manager), store_manager, {first.pk: 1, second.pk: 1})
    assert RevivalCampaign.objects.get(pk=campaign.pk).pool_size == 4
    Alert.objects.all().delete()

    assert join_late(as_of=START + dt.timedelta(days=1)) == {}
    Member.objects.filter(pk__in=[m.pk for m in held]).update(outreach_paused_until=None)
    assert join_late(as_of=START + dt.timedelta(days=2)) == {"joined": 2}
    assert join_late(as_of=START + dt.timedelta(days=4)) == {"joined": 1}
    assert RevivalCase.objects.filter(campaign=campaign, member=paused).exists()
    assert join_late(as_of=START + dt.timedelta(days=5)) == {}

    counts = shares(campaign)
    assert sum(counts.values()) == 7 and abs(counts[first.pk] - counts[second.pk]) <= 1
    quotas = {q.staff_id: q for q in RevivalQuota.objects.filter(campaign=campaign)}
    assert {pk: q.share for pk, q in quotas.items()} == dict(counts)
    assert all(q.target == -(-q.share * 20 // 100) for q in quotas.values())
    assert RevivalCampaign.objects.get(pk=campaign.pk).pool_size == 7
    assert Alert.objects.filter(kind=campaigns.ALERT_KIND).exists()


def test_members_joining_raise_the_target_and_the_bonus_follows_at_once(store, store_manager, vip_manager):
    dormant(store, 5)
    held = dormant(store, 1, outreach_paused_until=Member.OUTREACH_HELD)[0]
    campaign = open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    quota = RevivalQuota.objects.get(campaign=campaign)
    assert (quota.share, quota.target) == (5, 1)
    # One revival: at her target, her bonus is owed.
    case = RevivalCase.objects.filter(campaign=campaign).first()
    RevivalCase.objects.filter(pk=case.pk).update(state=RevivalCase.State.REVIVED)
    purchase = PurchaseFactory(member=case.member, amount=Decimal("900"))
    RevivalCredit.objects.create(
        store=store, campaign=campaign, case=case, member=case.member, staff=vip_manager,
        attempt=factories.attempt(case), purchase=purchase, amount=purchase.amount,
        returns_until=timezone.now() + dt.timedelta(days=14),
    )  # fmt: skip
    bonus = IncentiveEntry.objects.create(
        store=store, campaign=campaign, staff=vip_manager, kind="bonus", amount=campaign.quota_bonus
    )

    Member.objects.filter(pk=held.pk).update(outreach_paused_until=None)
    assert join_late(as_of=START + dt.timedelta(days=2)) == {"joined": 1}
    quota.refresh_from_db()
    assert (quota.share, quota.target) == (6, 2)
    assert IncentiveEntry.objects.get(pk=bonus.pk).state == IncentiveEntry.State.REVERSED


def test_late_joiners_skip_closed_and_future_campaigns(store, store_manager, vip_manager):
    dormant(store, 1)
    late = dormant(store, 1, outreach_paused_until=START)[0]
    campaign = open_campaign(draft(store, store_manager), store_manager, {vip_manager.pk: 1})
    assert join_late(as_of=START - dt.timedelta(days=1)) == {}
    close_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager)
    assert join_late(as_of=START + dt.timedelta(days=2)) == {}
    assert not RevivalCase.objects.filter(member=late).exists()


def test_the_preview_gives_what_opening_gives(store, store_manager):
    first, second, half = vips(store, 3)
    kept = dormant(store, 2, value_class="A")
    for member in kept:
        assign(member, second)
    dormant(store, 5, value_class="A")
    dormant(store, 8, value_class="C")
    weights = {first.pk: Decimal("1"), second.pk: Decimal("1"), half.pk: Decimal("0.5")}
    previewed = campaigns.preview(store, START, weights)
    campaign = open_campaign(draft(store, store_manager), store_manager, weights)
    assert previewed["pool"] == 15 and previewed["own"] == {first.pk: 0, second.pk: 2, half.pk: 0}
    assert previewed["shares"] == dict(shares(campaign))
    assert not RevivalCase.objects.filter(campaign=campaign, own_manager=False, member__in=kept).exists()


def test_a_member_who_left_the_pool_meanwhile_is_not_counted_in_a_share(store, store_manager, monkeypatch):
    first, second = vips(store, 2)
    dormant(store, 5)
    counted = campaigns._counts

    def one_more(members):
        # As if a sixth member was dormant when counted and bought something just before the insert.
        class_a, total = counted(members)
        return class_a, total + 1

    monkeypatch.setattr(campaigns, "_counts", one_more)
    campaign = open_campaign(draft(store, store_manager), store_manager, {first.pk: 1, second.pk: 1})
    quotas = dict(RevivalQuota.objects.filter(campaign=campaign).values_list("staff_id", "share"))
    assert quotas == dict(shares(campaign)) and sum(quotas.values()) == 5
    assert RevivalCampaign.objects.get(pk=campaign.pk).pool_size == 5


def test_a_class_a_member_who_joined_the_pool_meanwhile_is_still_given_to_someone(
    store, store_manager, monkeypatch
):
    first, second = vips(store, 2)
    dormant(store, 4)
    counted = campaigns._counts

    def no_class_a(members):
        # As if the class A member was re-ranked into class A just after the count.
        _class_a, total = counted(members)
        return 0, total

    first_member = Member.objects.filter(store=store).order_by("pk").first()
    Member.objects.filter(pk=first_member.pk).update(value_class="A")
    monkeypatch.setattr(campaigns, "_counts", no_class_a)
    campaign = open_campaign(draft(store, store_manager), store_manager, {first.pk: 1, second.pk: 1})
    cases = RevivalCase.objects.filter(campaign=campaign)
    assert cases.count() == 4 and not cases.filter(staff__isnull=True).exists()
    assert cases.get(value_class="A").staff_id in {first.pk, second.pk}
