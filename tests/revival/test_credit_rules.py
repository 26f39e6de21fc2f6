"""The credit rules at their edges: a closed campaign still credits, a zero bonus, a return that
arrives late, and what a return takes back when the member bought more meanwhile."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from concierge.errors import ActionRefused
from concierge.models import AuditEntry
from tasks.models import IncentiveEntry, RevivalCampaign, RevivalCase, RevivalCredit
from tasks.revival.campaigns import close_campaign, settle_blockers, settle_campaign
from tasks.revival.credit import credit_missed_purchases, credit_purchases, finalise_revival_credits
from tests.factories import MemberFactory, PurchaseFactory
from tests.helpers import at, frozen_clock
from tests.revival import factories as rv

pytestmark = pytest.mark.usefixtures("english")

Kind = IncentiveEntry.Kind
LAST_DAY = dt.date(2026, 11, 10)
ATTEMPT_AT = at(2026, 11, 10, 15, 0)


@pytest.fixture
def campaign(store):
    return rv.campaign(
        store,
        start=dt.date(2026, 11, 1),
        end=LAST_DAY,
        min_amount=Decimal("500"),
        window_days=3,
        return_days=14,
    )


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="张女士", value_class="A")


def buy(member, moment, amount="1000"):
    return PurchaseFactory(member=member, purchased_at=moment, amount=Decimal(amount))


def credit(store, *purchases):
    return credit_purchases(store, [purchase.pk for purchase in purchases])


def state_of(case):
    return RevivalCase.objects.get(pk=case.pk).state


# ---- a closed campaign -----------------------------------------------------------------------------


@pytest.fixture
def closed(store, campaign, member, vip_manager, store_manager):
    """Reached on the last day, the campaign closed that evening; another case never tried."""
    case = rv.case(campaign, member, vip_manager)
    untried = rv.case(campaign, MemberFactory(store=store), vip_manager)
    rv.attempt(case, at=ATTEMPT_AT)
    with frozen_clock(at(2026, 11, 10, 21, 0)):
        close_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager, reason="月底")
    return case, untried


def test_closing_closes_only_the_untried_cases(closed):
    case, untried = closed
    assert (state_of(case), state_of(untried)) == ("contacted", "closed")
    assert AuditEntry.objects.get(action="revival.campaign_closed").data["cases_closed"] == 1


def test_a_closed_campaign_credits_a_purchase_inside_the_window_of_an_earlier_attempt(store, member, closed):
    case, _untried = closed
    assert credit(store, buy(member, at(2026, 11, 11, 10))) == {"credited": 1, "clawed_back": 0}
    assert state_of(case) == "revived"


def test_a_settled_campaign_credits_nothing_and_its_tried_cases_close(
    store, campaign, member, closed, store_manager
):
    case, _untried = closed
    with frozen_clock(at(2026, 11, 11, 9, 0)):
        settle_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager)
    assert state_of(case) == "closed"
    assert credit(store, buy(member, at(2026, 11, 11, 10))) == {"credited": 0, "clawed_back": 0}


def test_settling_is_refused_while_a_credit_is_provisional_and_closes_nothing(
    store, campaign, member, closed, store_manager
):
    case, _untried = closed
    credit(store, buy(member, at(2026, 11, 11, 10)))
    other = rv.case(campaign, MemberFactory(store=store), case.staff, state=RevivalCase.State.CONTACTED)
    with pytest.raises(ActionRefused, match="can still be taken back"):
        settle_campaign(RevivalCampaign.objects.get(pk=campaign.pk), store_manager)
    assert state_of(other) == "contacted"


# ---- a campaign without a target bonus ---------------------------------------------------------------


@pytest.mark.parametrize("bonus", ["0", "0.00"])
def test_no_bonus_entries_when_the_campaign_pays_no_bonus(store, campaign, vip_manager, bonus):
    RevivalCampaign.objects.filter(pk=campaign.pk).update(quota_bonus=Decimal(bonus))
    rv.quota(campaign, vip_manager, share=10, target=1)
    members = [MemberFactory(store=store) for _n in range(3)]
    for member in members:
        rv.attempt(rv.case(campaign, member, vip_manager), at=ATTEMPT_AT)
    for hour, member in enumerate(members, start=10):
        credit(store, buy(member, at(2026, 11, 11, hour)))
    credit(store, buy(members[0], at(2026, 11, 12, 10), "-1000"))
    credit(store, buy(members[0], at(2026, 11, 12, 11), "900"))
    assert not IncentiveEntry.objects.exclude(kind=Kind.REWARD).exists()
    assert settle_blockers(campaign)[1] == IncentiveEntry.objects.filter(state="pending").count() == 3


# ---- a return recorded late --------------------------------------------------------------------------


@pytest.fixture
def credited(store, campaign, member, vip_manager):
    rv.attempt(rv.case(campaign, member, vip_manager), at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), "800"))
    return RevivalCredit.objects.get()


@pytest.mark.parametrize(
    ("dated", "taken_back"),
    [(dt.timedelta(minutes=-1), True), (dt.timedelta(0), True), (dt.timedelta(minutes=1), False)],
)
def test_a_return_dated_inside_the_return_days_takes_back_even_when_it_arrives_later(
    store, member, credited, dated, taken_back
):
    # The nightly import brings a return rung just before the end of the return days, after it.
    with frozen_clock(credited.returns_until + dt.timedelta(hours=14)) as clock:
        finalise_revival_credits(as_of=timezone.localdate())
        returned = buy(member, credited.returns_until + dated, "-800")
        credit(store, returned)
        assert RevivalCredit.objects.get().state == ("clawed_back" if taken_back else "provisional")
        # Missed by the import, the safety net the day after still takes it back.
        clock.advance(days=1)
        finalise_revival_credits(as_of=timezone.localdate())
    assert RevivalCredit.objects.get().state == ("clawed_back" if taken_back else "provisional")


def test_the_safety_net_takes_back_a_late_return_before_the_credit_turns_final(store, member, credited):
    buy(member, credited.returns_until - dt.timedelta(hours=1), "-800")  # written around the import
    with frozen_clock(credited.returns_until + dt.timedelta(days=1, hours=1)) as clock:
        assert finalise_revival_credits(as_of=timezone.localdate()) == {}
        assert credit_missed_purchases(as_of=timezone.localdate()) == {"clawed_back": 1}
        clock.advance(days=2)
        assert finalise_revival_credits(as_of=timezone.localdate()) == {}
    assert RevivalCredit.objects.get().state == "clawed_back"


# ---- what a return takes back ------------------------------------------------------------------------


@pytest.fixture
def credited_600(store, campaign, member, vip_manager):
    rv.attempt(rv.case(campaign, member, vip_manager), at=ATTEMPT_AT)
    credit(store, buy(member, at(2026, 11, 11, 10), "600"))
    return RevivalCredit.objects.get()


def test_returning_a_later_purchase_leaves_the_credit_standing(store, member, credited_600):
    credit(store, buy(member, at(2026, 11, 12, 10), "1000"))
    assert credit(store, buy(member, at(2026, 11, 13, 10), "-1000")) == {"credited": 0, "clawed_back": 0}
    assert RevivalCredit.objects.get().state == "provisional"


def test_a_later_purchase_and_its_return_arriving_together_leave_the_credit_standing(
    store, member, credited_600
):
    bought, returned = buy(member, at(2026, 11, 12, 10), "1000"), buy(member, at(2026, 11, 13, 10), "-1000")
    assert credit(store, bought, returned) == {"credited": 0, "clawed_back": 0}
    assert RevivalCredit.objects.get().state == "provisional"


@pytest.mark.parametrize(("later", "taken_back"), [(None, True), ("499", True), ("500", False)])
def test_returning_the_credited_purchase_takes_it_back_unless_later_purchases_make_up(
    store, member, credited_600, later, taken_back
):
    if later:
        credit(store, buy(member, at(2026, 11, 12, 10), later))
    credit(store, buy(member, at(2026, 11, 13, 10), "-600"))
    assert RevivalCredit.objects.get().state == ("clawed_back" if taken_back else "provisional")
