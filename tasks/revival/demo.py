# ruff: noqa: RUF001 (the demo text is Chinese, with its full-width punctuation)
"""The revival part of the demo store (`manage.py seed_demo`): a campaign two thirds of the way
through, worked unevenly, so the leaderboard, the review and the ledger have something to show.

Everything goes through the revival actions (opening, attempts, credits from purchases, approval,
payment), then the moments are moved back to the days they stand for: an action records "now".
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from concierge.models import ContactLog, Purchase, Staff
from concierge.refresh import refresh_member_figures
from tasks.models import IncentiveEntry, RevivalAttempt, RevivalCampaign, RevivalCase, RevivalCredit
from tasks.revival import campaigns, cases, credit, ledger

SEED = 20261201
NAME = "冬季沉睡会员激活"
# Days since the campaign began, and days it still runs: most of the way through.
DAYS_IN, DAYS_LEFT = 24, 7
# Per VIP manager: weight, share of their cases tried, and of those reached, how many came back.
PEOPLE = {
    "vip1": (Decimal("1"), 0.85, 0.45),
    "vip2": (Decimal("1"), 0.6, 0.4),
    "vip3": (Decimal("0.5"), 0.5, 0.35),
}
REASONS = ["quality", "service", "moved", "elsewhere", "travelling", "busy", "other"]
REMEDIES = {
    "quality": "free_trial",
    "service": "change_staff",
    "moved": "taxi",
    "elsewhere": "gift",
    "travelling": "use_remaining",
    "busy": "home_visit",
    "other": "gift",
}
NOTES = {
    "quality": "上次的羊绒衫起球，不太满意",
    "service": "上次结账等太久，有点不高兴",
    "moved": "搬到通州了，来一趟不方便",
    "elsewhere": "最近在国贸那边买得多",
    "travelling": "一直在外地出差，月底回京",
    "busy": "孩子升学，最近实在抽不出时间",
    "other": "家里有事，过阵子再说",
}
ITEMS = ["MaxMara 大衣", "雅诗兰黛 护肤套装", "Coach 手袋", "周大福 金饰", "Ecco 皮鞋", "羊绒围巾"]


def _moment(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed_demo(store, today):
    staff = {person.username: person for person in Staff.objects.filter(store=store)}
    manager = staff.get("manager")
    people = {username: staff[username] for username in PEOPLE if username in staff}
    if manager is None or not people:
        return
    rng = random.Random(SEED)
    start, end = today - dt.timedelta(days=DAYS_IN), today + dt.timedelta(days=DAYS_LEFT)
    campaign = campaigns.draft_campaign(store, manager, name=NAME, start=start, end=end)
    campaigns.open_campaign(
        campaign, manager, {person.pk: PEOPLE[username][0] for username, person in people.items()}
    )
    opened = _moment(start, 9)
    RevivalCampaign.objects.filter(pk=campaign.pk).update(opened_at=opened, created_at=opened)
    RevivalCase.objects.filter(campaign=campaign).update(created_at=opened)

    now = timezone.now()
    purchases = []
    for username, person in people.items():
        _weight, tried, came_back = PEOPLE[username]
        mine = list(RevivalCase.objects.filter(campaign=campaign, staff=person).order_by("value_class", "pk"))
        for number, case in enumerate(mine[: round(len(mine) * tried)]):
            # Each person's first call, on the campaign's second day, won the member back two days
            # later: a revival final whatever the hour the demo is loaded, to approve and pay.
            early = number == 0
            day = start + dt.timedelta(days=1 if early else rng.randrange(DAYS_IN - 2))
            reached = early or rng.random() < 0.7
            reason = rng.choice(REASONS) if reached else ""
            attempt = cases.record_attempt(
                case,
                person,
                channel="phone" if number % 4 else "message",
                reached=reached,
                reason=reason,
                remedy=REMEDIES.get(reason, ""),
                note=NOTES.get(reason, "电话没人接，改天再打"),
                next_step="周末邀请到店试穿" if reached else "下周再打一次",
                next_step_on=today,
            )
            at = min(_moment(day, 10 + number % 8, 5 * (number % 12)), now - dt.timedelta(hours=2))
            # A week after the call: for the earliest calls that day has passed, as on a real floor.
            _backdate(attempt, at, min(day + dt.timedelta(days=7), end))
            if reached and (early or rng.random() < came_back):
                later = 2 if early else rng.randrange(1, 9)
                bought = min(at + dt.timedelta(days=later, hours=3), now - dt.timedelta(hours=1))
                amount = Decimal(rng.randrange(6, 60) * 100)
                purchases.append(
                    Purchase(
                        store=store,
                        member_id=case.member_id,
                        receipt_ref=f"RV{SEED}-{case.pk}",
                        purchased_at=bought,
                        amount=amount,
                        items=rng.choice(ITEMS),
                    )
                )
    Purchase.objects.bulk_create(purchases)
    _credit(store, [purchase.receipt_ref for purchase in purchases])
    # One revival taken back: the member returned most of what they bought within the return days.
    returned = max(purchases, key=lambda purchase: purchase.amount, default=None)
    if returned is not None:
        Purchase.objects.create(
            store=store,
            member_id=returned.member_id,
            receipt_ref=f"RV{SEED}-R",
            purchased_at=min(returned.purchased_at + dt.timedelta(days=2), now - dt.timedelta(minutes=30)),
            amount=-(returned.amount - 100),
            items=returned.items,
        )
        _credit(store, [f"RV{SEED}-R"])
    _backdate_credits(campaign)
    credit.finalise_credits(
        list(RevivalCredit.objects.filter(campaign=campaign).values_list("pk", flat=True))
    )

    # The store manager approved the rewards of revivals that are final, and paid the older half.
    final = IncentiveEntry.objects.filter(
        campaign=campaign, kind=IncentiveEntry.Kind.REWARD, credit__state=RevivalCredit.State.FINAL
    ).order_by("credit__purchase__purchased_at", "pk")
    approved = ledger.approve_entries(store, manager, list(final.values_list("pk", flat=True)))
    paid = [entry.pk for entry in approved[: len(approved) // 2]]
    if paid:
        ledger.mark_paid(store, manager, paid, today - dt.timedelta(days=1))


def _credit(store, receipts):
    """As a till's purchases are recorded: the members' figures, then the revivals they earn."""
    new = Purchase.objects.filter(store=store, receipt_ref__in=receipts)
    with transaction.atomic():
        refresh_member_figures(sorted(set(new.values_list("member_id", flat=True))), rerank=False)
        credit.credit_purchases(store, list(new.values_list("pk", flat=True)))


def _backdate(attempt, at, next_step_on):
    RevivalAttempt.objects.filter(pk=attempt.pk).update(at=at, next_step_on=next_step_on)
    RevivalCase.objects.filter(pk=attempt.case_id).update(last_attempt_at=at, next_step_on=next_step_on)
    ContactLog.objects.filter(member_id=attempt.case.member_id, staff_id=attempt.staff_id).filter(
        contacted_at__gte=timezone.now() - dt.timedelta(minutes=10)
    ).update(contacted_at=at)


def _backdate_credits(campaign):
    """Credits and their rewards as of the purchase that earned them, the return days from then."""
    for row in RevivalCredit.objects.filter(campaign=campaign).select_related("purchase"):
        bought = row.purchase.purchased_at
        RevivalCredit.objects.filter(pk=row.pk).update(
            credited_at=bought, returns_until=bought + dt.timedelta(days=campaign.return_days)
        )
        IncentiveEntry.objects.filter(credit_id=row.pk).update(created_at=bought)
