"""Revivals credited from purchases, and taken back by returns.

A purchase credits a revival when its member has an active case (open or contacted) in one of the
store's campaigns that is open or closed (a closed campaign still credits a purchase inside the
window of an attempt made while it was open: closing keeps the contacted cases contacted, settling
closes them), the purchase alone is at least the campaign's
minimum, and a reached attempt on the case came at or before it, at most `window_days` local days
earlier (the N-th day after the attempt counts, the N+1-th does not). The credit goes to whoever
made the latest such attempt; with `exclude_self_rung`, a purchase rung up by that same person
does not count. One standing credit per member and campaign.

A return (a negative purchase) within `return_days` of the credited purchase that takes the net
below the minimum takes the credit back (the net: the credited purchase plus the member's
purchases and returns after it up to returns_until, so returning a later purchase does not count
against it; see `_net`): the case is contacted again, the reward is reversed (or,
once paid, answered by a claw-back entry), and the target bonus likewise if the person drops
below their target. What counts is the return's date, not when it is recorded: a credit stays
provisional until FINAL_AFTER past its returns_until (the nightly import and the daily safety net
bring late returns in by then), and becomes final after that; a final credit is never taken back.

`credit_purchases` is called in the transaction that records the purchases (the till's API and the
CSV import, through the `purchases_recorded` hook of concierge/extensions.py) and by a daily job
that catches what was missed. It is idempotent: a purchase that already credited (even one taken
back since) never credits again, and a credit is taken back once.

Lock order: the members, then the staff credited or losing a credit (their target bonus is counted
under that lock), then ledger entries, cases and credits (by model name, as the kernel requires).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from concierge import rawsql
from concierge.dates import local_midnight
from concierge.i18n import Message
from concierge.jobs import job
from concierge.models import Purchase, Staff, Store
from concierge.roles import Role
from concierge.templatetags.concierge_tags import money
from concierge.workflow import action, alert, audit, lock, lock_members, lock_staff, transition
from tasks.models import (
    IncentiveEntry,
    RevivalAttempt,
    RevivalCampaign,
    RevivalCase,
    RevivalCredit,
    RevivalQuota,
)
from tasks.revival.live import revival_changed

Campaign = RevivalCampaign.State
Credit = RevivalCredit.State
Entry = IncentiveEntry.State
Kind = IncentiveEntry.Kind

# Up to this many members are looked at first (twice in one statement: under SQLite's 999 parameters).
MAY_CREDIT_MEMBERS = 400
CASE_TABLE = RevivalCase._meta.db_table
CAMPAIGN_TABLE = RevivalCampaign._meta.db_table
CREDIT_TABLE = RevivalCredit._meta.db_table

# Campaigns whose cases a purchase may still revive.
CREDITING = (Campaign.OPEN, Campaign.CLOSED)
STANDING = (Credit.PROVISIONAL, Credit.FINAL)
UNPAID = (Entry.PENDING, Entry.APPROVED)
# The daily safety net looks this far back for purchases the till or the import did not credit.
SAFETY_NET_DAYS = 2
# A return dated up to returns_until may be recorded later: by the nightly import, at the latest by
# the safety net. A credit stays provisional that much longer, so "final" means no return can come.
FINAL_AFTER = dt.timedelta(days=SAFETY_NET_DAYS)
# How many due credits the per-tick job finalises per run; the rest wait a minute.
FINALISE_BATCH = 500


def _candidates(store, purchase_ids):
    """The purchases that may credit or take back a revival: those of members with an active case
    in a crediting campaign, or with a provisional credit. One query."""
    active_case = RevivalCase.objects.filter(
        member_id=OuterRef("member_id"),
        state__in=RevivalCase.ACTIVE_STATES,
        campaign__state__in=CREDITING,
        store=store,
    )
    provisional = RevivalCredit.objects.filter(
        member_id=OuterRef("member_id"), state=Credit.PROVISIONAL, store=store
    )
    return list(
        Purchase.objects.filter(store=store, pk__in=purchase_ids)
        .filter(Q(Exists(active_case)) | Q(Exists(provisional)))
        .values("pk", "member_id", "purchased_at", "amount", "staff_id")
        .order_by("purchased_at", "pk")
    )


def _may_credit(store, member_ids):
    """Whether any of these members has an active case in a crediting campaign of the store, or a
    provisional credit: else none of their purchases can credit or take back anything. One
    statement on the members' indexes, written out: a till's purchase asks it every time, and
    building _candidates' query cost more than the rest of the purchase (docs/benchmarks.md)."""
    member_ids = sorted(set(member_ids))
    if not member_ids:
        return False
    if len(member_ids) > MAY_CREDIT_MEMBERS:
        return True  # the full search then costs little a purchase, and no statement grows too long
    among, members = rawsql.any_of("member_id", member_ids)
    sql = f"""
        SELECT 1 FROM {CASE_TABLE} c
        WHERE c.{among} AND c.state IN (%s, %s) AND c.store_id = %s
            AND c.campaign_id IN (
                SELECT k.id FROM {CAMPAIGN_TABLE} k WHERE k.store_id = %s AND k.state IN (%s, %s)
            )
        UNION ALL
        SELECT 1 FROM {CREDIT_TABLE} r
        WHERE r.{among} AND r.state = %s AND r.store_id = %s
        LIMIT 1
    """
    params = [
        *members,
        *RevivalCase.ACTIVE_STATES,
        store.pk,
        store.pk,
        *CREDITING,
        *members,
        Credit.PROVISIONAL,
        store.pk,
    ]
    with rawsql.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _local_date(moment):
    return timezone.localtime(moment).date()


def _counts(purchase, attempt, campaign):
    """Whether the attempt's window covers the purchase, for this campaign's terms."""
    if attempt.at > purchase["purchased_at"]:
        return False
    if campaign.closed_at is not None and attempt.at > campaign.closed_at:
        return False
    return (_local_date(purchase["purchased_at"]) - _local_date(attempt.at)).days <= campaign.window_days


def _net(credit_amount, credit_at, returns_until, moves):
    """What stands of a credited purchase: its amount plus the member's purchases and returns after
    it, up to returns_until included (`moves`: (moment, amount) pairs, returns negative).

    A return counts against the credit only for what it exceeds of the purchases the member made
    after the credited one inside the return days: returning a later purchase leaves the credit
    standing, returning the credited purchase itself takes it back unless later purchases make up
    for it.
    """
    later = sum(
        (amount for at, amount in moves if credit_at < at <= returns_until),
        Decimal("0"),
    )
    return credit_amount + later


def credit_purchases(store, purchase_ids, *, members=None):
    """Credit the revivals these purchases earn and take back those their returns undo.

    `purchase_ids`: ids of the store's purchases (or a queryset of their pks, or a function that
    returns either), new purchases and returns alike, in any number. `members`: the ids of their
    members, when the caller knows them: members with nothing to credit or take back (most of
    them) then cost one cheap statement and no savepoint. Side effects, in the caller's
    transaction: RevivalCredit rows (provisional) with the case revived and a pending reward entry,
    a target bonus when the person reaches their target; credits taken back with the case contacted
    again and their reward reversed or answered by a claw-back entry; audit entries; alerts to the
    store managers and the person credited; the dashboards told. Returns {"credited": n,
    "clawed_back": n}.
    """
    if members is not None and not _may_credit(store, members):
        return {"credited": 0, "clawed_back": 0}
    return _credit_purchases(store, purchase_ids)


@action
def _credit_purchases(store, purchase_ids):
    purchases = _candidates(store, purchase_ids() if callable(purchase_ids) else purchase_ids)
    if not purchases:
        return {"credited": 0, "clawed_back": 0}
    member_ids = sorted({row["member_id"] for row in purchases})
    members = lock_members(member_ids, related=())

    # What stands now, read under the members' locks: every change of a credit locks its member.
    credits = list(
        RevivalCredit.objects.filter(store=store, member_id__in=member_ids)
        .exclude(campaign__state=Campaign.SETTLED)
        .select_related("campaign", "purchase")
    )
    cases = list(
        RevivalCase.objects.filter(
            store=store,
            member_id__in=member_ids,
            state__in=RevivalCase.ACTIVE_STATES,
            campaign__state__in=CREDITING,
        ).select_related("campaign")
    )
    attempts = defaultdict(list)
    if cases:
        for attempt in RevivalAttempt.objects.filter(
            case__in=[case.pk for case in cases], reached=True
        ).order_by("at", "pk"):
            attempts[attempt.case_id].append(attempt)
    since = min(
        [row["purchased_at"] for row in purchases]
        + [credit.purchase.purchased_at for credit in credits if credit.state == Credit.PROVISIONAL]
    )
    # Every purchase and return since: a return undoes a credit only net of the purchases after it.
    moves = defaultdict(list)
    for member_id, at, amount in Purchase.objects.filter(
        store=store, member_id__in=member_ids, purchased_at__gt=since
    ).values_list("member_id", "purchased_at", "amount"):
        moves[member_id].append((at, amount))

    standing = {(c.campaign_id, c.member_id) for c in credits if c.state in STANDING}
    # A purchase revives once: in one campaign, and never again once taken back.
    used = {c.purchase_id for c in credits}
    by_member = defaultdict(list)
    for row in purchases:
        by_member[row["member_id"]].append(row)

    # New credits: (case, purchase row, attempt).
    new = []
    for case in sorted(cases, key=lambda c: c.pk):
        campaign = case.campaign
        if (campaign.pk, case.member_id) in standing:
            continue
        tried = attempts.get(case.pk, [])
        for row in by_member[case.member_id]:
            if row["amount"] < campaign.min_amount or row["pk"] in used:
                continue
            before = [attempt for attempt in tried if attempt.at <= row["purchased_at"]]
            if not before or not _counts(row, before[-1], campaign):
                continue
            latest = before[-1]
            if campaign.exclude_self_rung and row["staff_id"] == latest.staff_id:
                continue
            returns_until = row["purchased_at"] + dt.timedelta(days=campaign.return_days)
            if _net(row["amount"], row["purchased_at"], returns_until, moves[case.member_id]) < (
                campaign.min_amount
            ):
                continue  # already returned: crediting it would only be taken back at once
            new.append((case, row, latest))
            standing.add((campaign.pk, case.member_id))
            used.add(row["pk"])
            break

    # Credits a return takes back.
    undone = [
        credit
        for credit in credits
        if credit.state == Credit.PROVISIONAL
        and _net(credit.amount, credit.purchase.purchased_at, credit.returns_until, moves[credit.member_id])
        < credit.campaign.min_amount
    ]
    if not new and not undone:
        return {"credited": 0, "clawed_back": 0}

    # Standing credits per (campaign, person) change: count them under the person's lock.
    people = {(case.campaign_id, attempt.staff_id) for case, _row, attempt in new}
    people |= {(credit.campaign_id, credit.staff_id) for credit in undone}
    staff = lock_staff({staff_id for _campaign, staff_id in people})
    counts = _standing_counts(people)
    for case, _row, attempt in new:
        counts[(case.campaign_id, attempt.staff_id)] += 1
    for credit in undone:
        counts[(credit.campaign_id, credit.staff_id)] -= 1

    campaigns = {case.campaign_id: case.campaign for case, _r, _a in new}
    campaigns.update({credit.campaign_id: credit.campaign for credit in undone})
    targets = {
        (campaign_id, staff_id): target
        for campaign_id, staff_id, target in RevivalQuota.objects.filter(
            campaign_id__in={c for c, _s in people}, staff_id__in={s for _c, s in people}
        ).values_list("campaign_id", "staff_id", "target")
    }
    entries = lock(
        IncentiveEntry.objects.filter(
            Q(credit__in=[credit.pk for credit in undone])
            | Q(
                bonus_entries(),
                campaign_id__in={c for c, _s in people},
                staff_id__in={s for _c, s in people},
            )
        ),
        related=("staff", "store"),
    )
    locked_cases = {
        case.pk: case
        for case in lock(
            RevivalCase.objects.filter(
                pk__in=[case.pk for case, _r, _a in new] + [credit.case_id for credit in undone]
            ),
            related=("campaign",),
        )
    }
    locked_credits = {
        credit.pk: credit
        for credit in lock(
            RevivalCredit.objects.filter(pk__in=[credit.pk for credit in undone]),
            related=("campaign", "purchase"),
        )
    }

    managers = _store_managers(store.pk)
    touched = set()
    credited = clawed = 0
    for case, row, attempt in new:
        case = locked_cases[case.pk]
        if case.state not in RevivalCase.ACTIVE_STATES:
            counts[(case.campaign_id, attempt.staff_id)] -= 1
            continue
        person = staff[attempt.staff_id]
        case.member = members[case.member_id]
        credit = _credit(store, case, row, attempt, person)
        credited += 1
        touched.add((case.campaign_id, attempt.staff_id))
        _alert_credit(managers, person, credit, members[case.member_id], case, credited=True)
    by_credit = defaultdict(list)
    for entry in entries:
        if entry.credit_id is not None:
            by_credit[entry.credit_id].append(entry)
    for credit in undone:
        credit = locked_credits.get(credit.pk)
        if credit is None or credit.state != Credit.PROVISIONAL:
            if credit is not None:
                counts[(credit.campaign_id, credit.staff_id)] += 1
            continue
        case = locked_cases[credit.case_id]
        case.member = credit.member = members[credit.member_id]
        credit.store = case.store = store
        _claw_back(store, credit, case, by_credit[credit.pk], moves[credit.member_id])
        clawed += 1
        touched.add((credit.campaign_id, credit.staff_id))
        _alert_credit(
            managers, staff[credit.staff_id], credit, members[credit.member_id], case, credited=False
        )

    bonuses = defaultdict(list)
    for entry in entries:
        if entry.credit_id is None:
            bonuses[(entry.campaign_id, entry.staff_id)].append(entry)
    for pair in sorted(touched):
        target = targets.get(pair, 0)
        # A campaign may pay no target bonus (0 is allowed): then no bonus entries at all.
        if target > 0 and campaigns[pair[0]].quota_bonus > 0:
            _settle_bonus(store, campaigns[pair[0]], staff[pair[1]], counts[pair] >= target, bonuses[pair])

    if touched:
        revival_changed(store.pk, [staff_id for _campaign, staff_id in touched])
    return {"credited": credited, "clawed_back": clawed}


def _standing_counts(people):
    counts = defaultdict(int)
    if not people:
        return counts
    rows = (
        RevivalCredit.objects.filter(
            state__in=STANDING,
            campaign_id__in={c for c, _s in people},
            staff_id__in={s for _c, s in people},
        )
        .values_list("campaign_id", "staff_id")
        .order_by()
    )
    for pair in rows:
        counts[pair] += 1
    return counts


def _store_managers(store_id):
    return list(
        Staff.objects.filter(
            store_id=store_id, is_active=True, groups__name=Role.STORE_MANAGER.value
        ).distinct()
    )


def _credit(store, case, row, attempt, person):
    campaign = case.campaign
    case.store = store
    credit = RevivalCredit.objects.create(
        store=store,
        campaign=campaign,
        case=case,
        member=case.member,
        staff=person,
        attempt=attempt,
        purchase_id=row["pk"],
        amount=row["amount"],
        returns_until=row["purchased_at"] + dt.timedelta(days=campaign.return_days),
    )
    audit(
        "revival.credited",
        credit,
        None,
        campaign=campaign.pk,
        case=case.pk,
        purchase=row["pk"],
        attempt=attempt.pk,
        amount=str(row["amount"]),
    )
    before = transition(case, "revive", None)
    audit("revival.case_revived", case, None, before=before, credit=credit.pk)
    reward = IncentiveEntry.objects.create(
        store=store,
        campaign=campaign,
        staff=person,
        kind=Kind.REWARD,
        amount=campaign.reward_for(case.value_class),
        credit=credit,
    )
    audit("revival.reward_recorded", reward, None, amount=str(reward.amount), credit=credit.pk)
    return credit


def _store_text(store, message):
    from django.utils import translation

    with translation.override(store.default_language):
        return str(message)[:200]


def _claw_back(store, credit, case, rewards, moves):
    net = _net(credit.amount, credit.purchase.purchased_at, credit.returns_until, moves)
    reason = _store_text(
        store,
        Message(
            gettext_noop("Returns took the purchase of %(amount)s down to %(net)s, below %(minimum)s."),
            amount=money(credit.amount),
            net=money(net),
            minimum=money(credit.campaign.min_amount),
        ),
    )
    before = transition(credit, "claw_back", None, reason)
    audit("revival.clawed_back", credit, None, before=before, reason=reason, net=str(net))
    if case.state == RevivalCase.State.REVIVED:
        before = transition(case, "claw_back", None)
        audit("revival.case_clawed_back", case, None, before=before, credit=credit.pk)
    for entry in rewards:
        if entry.kind != Kind.REWARD or entry.state == Entry.REVERSED:
            continue
        _take_back(store, entry, reason, credit=credit, already=rewards)


def _take_back(store, entry, reason, *, credit=None, already=()):
    """Undo an entry: reversed while unpaid, else answered by a claw-back entry (once)."""
    if entry.state in UNPAID:
        before = transition(entry, "reverse", None)
        audit("revival.entry_reversed", entry, None, before=before, reason=reason)
        return
    if any(
        other.kind == Kind.CLAW_BACK and other.corrects_id == entry.pk and other.state != Entry.REVERSED
        for other in already
    ):
        return
    claw = IncentiveEntry.objects.create(
        store=store,
        campaign_id=entry.campaign_id,
        staff_id=entry.staff_id,
        kind=Kind.CLAW_BACK,
        amount=-entry.amount,
        credit=credit,
        corrects=entry,
        reason=reason,
    )
    audit("revival.claw_back_recorded", claw, None, amount=str(claw.amount), corrects=entry.pk)


def bonus_entries():
    """Target bonus entries and the entries answering them (claw-backs, corrections)."""
    return Q(kind=Kind.BONUS) | Q(corrects__kind=Kind.BONUS)


def lock_bonus_entries(campaign_id, staff_ids):
    """{staff id: their target bonus entries in the campaign and those answering them}, locked: for
    settle_bonuses_after_a_move, taken before any case (the lock order sorts IncentiveEntry first)."""
    entries = defaultdict(list)
    for entry in lock(
        IncentiveEntry.objects.filter(bonus_entries(), campaign_id=campaign_id, staff_id__in=staff_ids),
        related=("staff", "store"),
    ):
        entries[entry.staff_id].append(entry)
    return entries


def settle_bonuses_after_a_move(store, campaign, people, entries):
    """The target bonus of each of `people` (locked Staff) brought in line with their target at once,
    when cases given to them or taken from them changed their targets (not at their next credit).

    `entries`: lock_bonus_entries for them. The caller holds the people's staff locks.
    """
    if campaign.quota_bonus <= 0:
        return
    people = {person.pk: person for person in people}
    counts = _standing_counts({(campaign.pk, staff_id) for staff_id in people})
    targets = dict(
        RevivalQuota.objects.filter(campaign=campaign, staff_id__in=people).values_list("staff_id", "target")
    )
    lost = Message(gettext_noop("Below the revival target after a case was given to them"))
    for staff_id in sorted(people):
        target = targets.get(staff_id, 0)
        if target > 0:
            earned = counts[(campaign.pk, staff_id)] >= target
            _settle_bonus(store, campaign, people[staff_id], earned, entries[staff_id], lost=lost)


def _settle_bonus(store, campaign, person, earned, entries, lost=None):
    """Bring the person's target bonus in line with whether they are at their target.

    Only for a campaign that pays a bonus (above 0).
    `entries`: the standing bonus (if any) and the entries that answer it, locked. Earned again
    after a paid bonus was clawed back, the unpaid claw-back is reversed, else a correction pays it
    again; lost, the unpaid bonus (or its unpaid correction) is reversed, else a claw-back answers it.
    """
    bonus = next((e for e in entries if e.kind == Kind.BONUS and e.state != Entry.REVERSED), None)
    if bonus is None:
        if earned:
            bonus = IncentiveEntry.objects.create(
                store=store,
                campaign=campaign,
                staff=person,
                kind=Kind.BONUS,
                amount=campaign.quota_bonus,
                reason=_store_text(store, Message(gettext_noop("Revival target reached"))),
            )
            audit("revival.bonus_recorded", bonus, None, amount=str(bonus.amount))
        return
    answers = [e for e in entries if e.corrects_id == bonus.pk and e.state != Entry.REVERSED]
    net = bonus.amount + sum((e.amount for e in answers), Decimal("0"))
    # The net is the bonus or nothing: below the bonus it has been taken back and is owed again.
    if earned and net < bonus.amount:
        unpaid = [e for e in answers if e.amount < 0 and e.state in UNPAID]
        if unpaid:
            before = transition(unpaid[0], "reverse", None)
            audit("revival.entry_reversed", unpaid[0], None, before=before, reason="target reached again")
            return
        again = IncentiveEntry.objects.create(
            store=store,
            campaign=campaign,
            staff=person,
            kind=Kind.CORRECTION,
            amount=bonus.amount,
            corrects=bonus,
            reason=_store_text(store, Message(gettext_noop("Revival target reached again"))),
        )
        audit("revival.correction_recorded", again, None, amount=str(again.amount), corrects=bonus.pk)
    elif not earned and net > 0:
        lost = lost or Message(gettext_noop("Below the revival target again after a return"))
        reason = _store_text(store, lost)
        unpaid = [e for e in answers if e.amount > 0 and e.state in UNPAID]
        if unpaid:
            before = transition(unpaid[0], "reverse", None)
            audit("revival.entry_reversed", unpaid[0], None, before=before, reason=reason)
        elif bonus.state in UNPAID and not answers:
            _take_back(store, bonus, reason)
        else:
            claw = IncentiveEntry.objects.create(
                store=store,
                campaign=campaign,
                staff=person,
                kind=Kind.CLAW_BACK,
                amount=-net,
                corrects=bonus,
                reason=reason,
            )
            audit("revival.claw_back_recorded", claw, None, amount=str(claw.amount), corrects=bonus.pk)


def _alert_credit(managers, person, credit, member, case, *, credited):
    if credited:
        text = (
            gettext_noop("%(staff)s revived %(member)s (class %(class)s): %(amount)s")
            if case.value_class
            else gettext_noop("%(staff)s revived %(member)s: %(amount)s")
        )
        kind = "revival.credited"
    else:
        text = gettext_noop(
            "The revival of %(member)s by %(staff)s was taken back after a return (%(amount)s)"
        )
        kind = "revival.clawed_back"
    params = {"staff": str(person), "member": member.name, "amount": money(credit.amount)}
    if credited and case.value_class:
        params["class"] = case.value_class
    message = Message(text, **params)
    alert([m for m in managers if m.pk != person.pk], kind, credit, message, reverse("tasks:revival_ledger"))
    month = timezone.localdate().strftime("%Y-%m")
    link = f"{reverse('tasks:revival_statement')}?staff={person.pk}&month={month}"
    alert([person], kind, credit, message, link)


# ---- jobs ----------------------------------------------------------------------------------------


@action
def finalise_credits(credit_ids):
    """Make these provisional credits final if their return days are over and a return dated
    inside them can no longer arrive (FINAL_AFTER past returns_until). Returns how many."""
    due_by = timezone.now() - FINAL_AFTER
    due = list(
        RevivalCredit.objects.filter(pk__in=credit_ids, state=Credit.PROVISIONAL, returns_until__lte=due_by)
        .values_list("pk", "member_id")
        .order_by("pk")
    )
    if not due:
        return 0
    # A return recorded at this moment locks the member first: it either sees the credit final or
    # takes it back before this does.
    lock_members({member_id for _pk, member_id in due}, related=())
    made = 0
    for credit in lock(RevivalCredit.objects.filter(pk__in=[pk for pk, _m in due])):
        if credit.state != Credit.PROVISIONAL or credit.returns_until > due_by:
            continue
        before = transition(credit, "make_final", None)
        audit("revival.credit_final", credit, None, before=before)
        made += 1
    return made


@job
def finalise_revival_credits(*, as_of):
    """Provisional credits become final FINAL_AFTER past their return days. One indexed query when
    idle (the partial index revival_credit_provisional)."""
    due = list(
        RevivalCredit.objects.filter(
            state=Credit.PROVISIONAL, returns_until__lte=timezone.now() - FINAL_AFTER
        )
        .order_by("returns_until")
        .values_list("pk", flat=True)[:FINALISE_BATCH]
    )
    if not due:
        return {}
    made = finalise_credits(due)
    return {"revival_credits_final": made} if made else {}


@job(daily=True)
def credit_missed_purchases(*, as_of):
    """The safety net: purchases (and returns) of the last days that were not credited or did not
    take a credit back when they arrived (a failure, or data written around the import), per store
    with a campaign that still credits. Idempotent."""
    since = local_midnight(as_of - dt.timedelta(days=SAFETY_NET_DAYS))
    totals = {"credited": 0, "clawed_back": 0}
    stores = (
        RevivalCampaign.objects.filter(state__in=CREDITING)
        .values_list("store_id", flat=True)
        .distinct()
        .order_by()
    )
    for store in Store.objects.filter(pk__in=list(stores)).order_by("pk"):
        recent = Purchase.objects.filter(store=store, purchased_at__gte=since).values("pk")
        done = credit_purchases(store, recent)
        for key in totals:
            totals[key] += done[key]
    return {key: value for key, value in totals.items() if value}
