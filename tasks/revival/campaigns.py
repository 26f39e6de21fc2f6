"""Revival campaigns: drafting, the pool, the spread over the chosen staff, opening, closing and
settling; and the daily job that lets members held out by a pause join once it ends.

The pool and the spread are set-based: the members are never loaded into Python. Only the staff
are looped over: each person's count is worked out here (water-filling by weight), then one
INSERT … SELECT numbers the free pool with row_number() and hands each person their range.
"""

import datetime as dt
import heapq
import math
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.i18n import Message
from concierge.jobs import job
from concierge.models import Assignment, Member, Staff, StaffAbsence
from concierge.roles import Role
from concierge.workflow import ActionRefused, action, alert, audit, lock, lock_staff, lock_stores, transition
from tasks.models import (
    IncentiveEntry,
    RevivalCampaign,
    RevivalCase,
    RevivalCredit,
    RevivalQuota,
    RevivalSettings,
)
from tasks.models.revival import CAMPAIGN_TERMS
from tasks.revival import credit
from tasks.revival.live import revival_changed

State = RevivalCampaign.State
# Who may be given members: the roles that work revival cases.
WORKING_ROLES = (Role.VIP_MANAGER, Role.STORE_MANAGER)
ALERT_KIND = "revival.members_given"


# ---- who may ------------------------------------------------------------------------------------


def may_manage(user, store_id):
    return user is not None and user.has_perm("tasks.manage_revival") and user.store_id == store_id


def _check_manager(actor, store_id):
    """None is the system (the monthly command); a person must be the store's revival manager."""
    if actor is not None and not may_manage(actor, store_id):
        raise ActionRefused(_("You may not run this store's revival campaigns."))


# ---- drafting -----------------------------------------------------------------------------------


def default_terms(store):
    revival_settings = RevivalSettings.for_store(store)
    return {name: getattr(revival_settings, name) for name in CAMPAIGN_TERMS}


def _check_draft(campaign):
    if campaign.end < campaign.start:
        raise ActionRefused(_("The last day cannot be before the first."))
    name_taken = (
        RevivalCampaign.objects.filter(store_id=campaign.store_id, name=campaign.name)
        .exclude(pk=campaign.pk)
        .exists()
    )
    if name_taken:
        raise ActionRefused(
            _("This store already has a campaign called “%(name)s”; choose another name.")
            % {"name": campaign.name}
        )
    try:
        campaign.full_clean(exclude=["store", "created_by", "state"], validate_unique=False)
    except ValidationError as error:
        raise ActionRefused(" ".join(error.messages)) from error


@action
def draft_campaign(store, actor, *, name, start, end, **terms):
    """A draft campaign for the period; the terms not given come from the store's revival settings.

    Side effects: the campaign row; AuditEntry "revival.campaign_drafted".
    """
    _check_manager(actor, store.pk)
    unknown = set(terms) - set(CAMPAIGN_TERMS)
    if unknown:
        raise TypeError(f"not campaign terms: {sorted(unknown)}")
    store = lock_stores([store.pk])[store.pk]
    campaign = RevivalCampaign(
        store=store,
        name=(name or "").strip(),
        start=start,
        end=end,
        created_by=actor,
        **{**default_terms(store), **terms},
    )
    _check_draft(campaign)
    campaign.save()
    audit("revival.campaign_drafted", campaign, actor, start=start.isoformat(), end=end.isoformat())
    return campaign


def _locked_draft(campaign, actor):
    _check_manager(actor, campaign.store_id)
    lock_stores([campaign.store_id])
    campaign = lock(campaign)
    if campaign.state != State.DRAFT:
        raise ActionRefused(_("Only a draft can be changed or removed; this campaign is already open."))
    return campaign


@action
def update_draft(campaign, actor, **values):
    """Change a draft's name, period or terms. AuditEntry "revival.campaign_changed" with the changes."""
    allowed = {"name", "start", "end", *CAMPAIGN_TERMS}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"not campaign fields: {sorted(unknown)}")
    campaign = _locked_draft(campaign, actor)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    changed = {}
    for field, value in values.items():
        if getattr(campaign, field) != value:
            changed[field] = [_plain(getattr(campaign, field)), _plain(value)]
            setattr(campaign, field, value)
    if not changed:
        return campaign
    _check_draft(campaign)
    campaign.save()
    audit("revival.campaign_changed", campaign, actor, changed=changed)
    return campaign


@action
def delete_draft(campaign, actor):
    """Remove a draft that was never opened. AuditEntry "revival.campaign_deleted" on the store."""
    campaign = _locked_draft(campaign, actor)
    audit("revival.campaign_deleted", campaign.store, actor, store=campaign.store, name=campaign.name)
    campaign.delete()


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# ---- the pool -----------------------------------------------------------------------------------


def local_midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def months_before(day, months):
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_month - dt.timedelta(days=1)).day))


def pool(store, start, lost_for_good_months, *, campaign=None, free_on=None):
    """The store's members dormant or lost on `start`, as a queryset (nothing is loaded).

    Their last purchase is more than LIFECYCLE_DORMANT_DAYS before the start (never bought: not in
    the pool), and, when `lost_for_good_months` > 0, not longer ago than that (lost for good).
    Out too: members whose outreach is paused on `free_on` (the start by default; an open
    complaint holds the pause), and members with an active case in another campaign of the store
    that is open, or closed and not yet settled (a purchase may still credit that case: one
    campaign at a time; they join this one by `join_late` once the other is settled). `campaign` is
    this one, whose own cases do not count.
    """
    store_id = getattr(store, "pk", store)
    midnight = local_midnight(start)
    members = Member.objects.filter(
        store_id=store_id,
        last_purchase_at__lt=midnight - dt.timedelta(days=settings.LIFECYCLE_DORMANT_DAYS),
    )
    if lost_for_good_months:
        members = members.filter(
            last_purchase_at__gte=local_midnight(months_before(start, lost_for_good_months))
        )
    members = members.exclude(outreach_paused_until__gte=free_on or start)
    busy = RevivalCase.objects.filter(
        member=OuterRef("pk"),
        state__in=RevivalCase.ACTIVE_STATES,
        campaign__state__in=(State.OPEN, State.CLOSED),
        campaign__store_id=store_id,
    )
    if campaign is not None:
        busy = busy.exclude(campaign_id=campaign.pk)
    return members.exclude(Exists(busy))


# ---- the spread: counts per person (a loop over the staff, never the members) ---------------------


def spread(count, weights, loads):
    """How many of `count` new members each person gets so that loads per unit of weight stay as
    even as possible: water-filling, then the last few one by one to whoever stands lowest.

    `weights` {staff_id: Decimal}, `loads` {staff_id: members already held}. Returns {staff_id: n}.
    Ties go to the lower staff id, so the same input always gives the same spread.
    """
    people = sorted(weights)
    given = dict.fromkeys(people, 0)
    if count <= 0 or not people:
        return given
    weight = {pk: Fraction(str(weights[pk])) for pk in people}

    def up_to(level):
        return {pk: max(0, math.floor(level * weight[pk]) - loads.get(pk, 0)) for pk in people}

    # The highest level at which everyone filled up to it takes no more than `count`.
    low, high = Fraction(0), Fraction(max(loads.get(pk, 0) for pk in people) + count) / min(weight.values())
    for _step in range(64):
        middle = (low + high) / 2
        if sum(up_to(middle).values()) <= count:
            low = middle
        else:
            high = middle
    given = up_to(low)
    left = count - sum(given.values())
    # Fewer than one round is left: one each to the lowest after taking it.
    heap = [(Fraction(loads.get(pk, 0) + given[pk] + 1) / weight[pk], pk) for pk in people]
    heapq.heapify(heap)
    for _member in range(left):
        _level, pk = heapq.heappop(heap)
        given[pk] += 1
        heapq.heappush(heap, (Fraction(loads.get(pk, 0) + given[pk] + 1) / weight[pk], pk))
    return given


def preview(store, start, weights):
    """What opening on `start` over these people ({staff_id: weight}) would give, without writing:
    {"pool": members, "shares": {staff_id: members}, "own": {staff_id: kept by their own manager}}."""
    weights = {int(pk): Decimal(str(w)) for pk, w in weights.items()}
    lost_for_good = RevivalSettings.for_store(store).lost_for_good_months
    members = pool(store, start, lost_for_good)
    current = Assignment.objects.filter(
        member=OuterRef("pk"), state__in=Assignment.CURRENT_STATES, manager_id__in=list(weights)
    )
    kept = _kept_counts(members, current)
    class_a, total = _counts(members.exclude(Exists(current)))
    given_a = spread(class_a, weights, {pk: kept.get(pk, (0, 0))[1] for pk in weights})
    loads = {pk: kept.get(pk, (0, 0))[0] + given_a[pk] for pk in weights}
    given_rest = spread(total - class_a, weights, loads)
    shares = {pk: loads[pk] + given_rest[pk] for pk in weights}
    return {
        "pool": sum(shares.values()),
        "shares": shares,
        "own": {pk: kept.get(pk, (0, 0))[0] for pk in weights},
    }


def target_for(share, percent):
    return _target(share, percent)


# ---- opening ------------------------------------------------------------------------------------


def staff_on_leave(staff_ids, day):
    return set(
        StaffAbsence.objects.filter(staff_id__in=list(staff_ids), first_day__lte=day, last_day__gte=day)
        .values_list("staff_id", flat=True)
        .distinct()
    )


def eligible_staff(store_id):
    """The store's active staff who work revival cases (VIP managers and store managers)."""
    return (
        Staff.objects.filter(
            store_id=store_id, is_active=True, groups__name__in=[str(r) for r in WORKING_ROLES]
        )
        .distinct()
        .order_by("pk")
    )


def vip_managers(store_id):
    return (
        Staff.objects.filter(store_id=store_id, is_active=True, groups__name=str(Role.VIP_MANAGER))
        .distinct()
        .order_by("display_name", "username", "pk")
    )


def _check_people(campaign, weights):
    if not weights:
        raise ActionRefused(_("Choose at least one person to give the members to."))
    weights = {int(pk): Decimal(str(w)) for pk, w in weights.items()}
    bad_weight = [w for w in weights.values() if not Decimal("0.1") <= w <= Decimal("10")]
    if bad_weight:
        raise ActionRefused(_("A weight is between 0.1 and 10 (1 for a full-timer, 0.5 for half the hours)."))
    people = {person.pk: person for person in eligible_staff(campaign.store_id).filter(pk__in=weights)}
    strangers = set(weights) - set(people)
    if strangers:
        names = ", ".join(str(s) for s in Staff.objects.filter(pk__in=strangers).order_by("pk")) or "?"
        raise ActionRefused(
            _("%(names)s cannot be given members: only active VIP managers of this store can.")
            % {"names": names}
        )
    away = staff_on_leave(weights, campaign.start)
    if away:
        names = ", ".join(str(people[pk]) for pk in sorted(away))
        raise ActionRefused(
            _("%(names)s is on leave on %(day)s; leave them out of this campaign.")
            % {"names": names, "day": campaign.start.isoformat()}
        )
    return weights, people


def _case_columns(campaign, now, *, staff, own_manager):
    """The annotations every new case row takes from a pool queryset."""
    return {
        "c_store_id": Value(campaign.store_id, output_field=IntegerField()),
        "c_campaign_id": Value(campaign.pk, output_field=IntegerField()),
        "c_member_id": F("pk"),
        "c_staff_id": staff,
        "c_state": Value(RevivalCase.State.OPEN.value, output_field=CharField()),
        "c_value_class": F("value_class"),
        "c_dormant_since": TruncDate("last_purchase_at", output_field=DateField()),
        "c_own_manager": Value(own_manager, output_field=BooleanField()),
        "c_guidance": Value("", output_field=CharField()),
        "c_attempts_count": Value(0, output_field=IntegerField()),
        "c_reached": Value(False, output_field=BooleanField()),
        "c_last_reason": Value("", output_field=CharField()),
        "c_closed_reason": Value("", output_field=CharField()),
        "c_created_at": Value(now, output_field=DateTimeField()),
    }


def _run_insert(annotated, columns, *, ranges=None):
    """INSERT INTO the cases SELECT the annotated pool rows. With `ranges` {group: [(staff, upto)]},
    the row numbered n within its group goes to the first person whose `upto` is at least n.
    Returns the number of rows inserted."""
    quote = connection.ops.quote_name
    sql, params = annotated.query.sql_with_params()
    table = quote(RevivalCase._meta.db_table)
    targets = ", ".join(quote(column) for column in columns)
    staff = "p." + quote("c_staff_id")
    if ranges is not None:
        number, group = f"p.{quote('c_rn')}", f"p.{quote('c_grp')}"
        # A group counted empty can gain a member before this statement reads the pool (an import
        # running meanwhile): it goes to the other group's people rather than to nobody.
        class_a, rest = ranges.get(0) or ranges.get(1), ranges.get(1) or ranges.get(0)
        staff = f"CASE WHEN {group} = 0 THEN {_pick(class_a, number)} ELSE {_pick(rest, number)} END"
    picked = ", ".join(staff if column == "staff_id" else f"p.{quote('c_' + column)}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({targets}) SELECT {picked} FROM ({sql}) p", params)
        return cursor.rowcount


def _pick(ranges, number):
    """A balanced CASE over the people's consecutive ranges: a handful of comparisons a row, where a
    join on the ranges compares every row with every person. Integers we computed, written into
    the statement, so both databases type them alike."""
    if not ranges:
        return "NULL"
    if len(ranges) == 1:
        return str(int(ranges[0][0]))
    middle = len(ranges) // 2
    upto = int(ranges[middle - 1][1])
    low, high = _pick(ranges[:middle], number), _pick(ranges[middle:], number)
    return f"CASE WHEN {number} <= {upto} THEN {low} ELSE {high} END"


CASE_COLUMNS = (
    "store_id",
    "campaign_id",
    "member_id",
    "staff_id",
    "state",
    "value_class",
    "dormant_since",
    "own_manager",
    "guidance",
    "attempts_count",
    "reached",
    "last_reason",
    "closed_reason",
    "created_at",
)


def _ranges(given_a, given_rest):
    """Consecutive row-number ranges per person: class A members (group 0), then the rest (1)."""
    ranges = {}
    for group, given in ((0, given_a), (1, given_rest)):
        upto = 0
        for pk in sorted(given):
            if given[pk]:
                upto += given[pk]
                ranges.setdefault(group, []).append((pk, upto))
    return ranges


def _held_counts(campaign):
    """{staff_id: (all cases, class A cases)} of the campaign's cases so far."""
    return {
        row["staff_id"]: (row["total"], row["class_a"])
        for row in RevivalCase.objects.filter(campaign=campaign)
        .values("staff_id")
        .annotate(total=Count("pk"), class_a=Count("pk", filter=Q(value_class="A")))
        .order_by()
    }


def _give(campaign, members, weights, now, *, counts, held):
    """Spread the members of a pool queryset over the weighted people as new cases: class A first
    (evenly per unit of weight, counting the class A members each person holds already), then the
    rest, filling up whoever holds fewest per weight. `counts` (class A, all) of the members,
    `held` {staff_id: (all, class A)} already. Returns ({staff_id: members given}, rows inserted)."""
    class_a, total = counts
    if not total:
        return dict.fromkeys(weights, 0), 0
    given_a = spread(class_a, weights, {pk: held.get(pk, (0, 0))[1] for pk in weights})
    loads = {pk: held.get(pk, (0, 0))[0] + given_a[pk] for pk in weights}
    given_rest = spread(total - class_a, weights, loads)
    group = Case(When(value_class="A", then=Value(0)), default=Value(1), output_field=IntegerField())
    numbered = (
        members.order_by()
        .annotate(c_grp=group)
        .annotate(
            c_rn=Window(RowNumber(), partition_by=[F("c_grp")], order_by=[F("pk").asc()]),
            **_case_columns(campaign, now, staff=Value(0, output_field=IntegerField()), own_manager=False),
        )
        .values("c_grp", "c_rn", *[f"c_{column}" for column in CASE_COLUMNS])
    )
    inserted = _run_insert(numbered, CASE_COLUMNS, ranges=_ranges(given_a, given_rest))
    return {pk: given_a[pk] + given_rest[pk] for pk in weights}, inserted


def _counts(members):
    found = members.aggregate(class_a=Count("pk", filter=Q(value_class="A")), total=Count("pk"))
    return found["class_a"], found["total"]


def _kept_counts(members, current):
    """{staff_id: (all, class A)} of the pool members whose current VIP manager is among the chosen."""
    return {
        row["manager"]: (row["total"], row["class_a"])
        for row in members.filter(Exists(current))
        .annotate(manager=Subquery(current.values("manager_id")[:1]))
        .values("manager")
        .annotate(total=Count("pk"), class_a=Count("pk", filter=Q(value_class="A")))
        .order_by()
    }


def _target(share, percent):
    return math.ceil(share * percent / 100)


def _alert_people(campaign, quotas, counts):
    link = reverse("tasks:revival_campaign", args=[campaign.pk])
    for quota in quotas:
        if not counts.get(quota.staff_id):
            continue
        alert(
            [quota.staff],
            ALERT_KIND,
            campaign,
            Message(
                gettext_noop(
                    "Revival campaign “%(name)s”: %(count)s dormant members for you to win back; "
                    "your target is %(target)s revivals."
                ),
                name=campaign.name,
                count=counts[quota.staff_id],
                target=quota.target,
            ),
            link,
        )


@action
def open_campaign(campaign, actor, weights):
    """Open a draft: the pool on its first day, spread over the chosen staff ({staff_id: weight}).

    A pool member whose current VIP manager is among the chosen keeps them; the rest are spread
    (see `_give`). Each person's quota: share = members given, target = ceil(share * target%).
    Side effects: the campaign open with its pool size; the cases and the quotas (set-based);
    one AuditEntry "revival.campaign_opened" with the counts; an alert to each person given members.
    """
    _check_manager(actor, campaign.store_id)
    store = lock_stores([campaign.store_id])[campaign.store_id]
    weights, people = _check_people(campaign, weights)
    lock_staff(weights)
    campaign = lock(campaign)
    if campaign.state != State.DRAFT:
        raise ActionRefused(_("This campaign is already open."))
    lost_for_good = RevivalSettings.for_store(store).lost_for_good_months
    members = pool(store, campaign.start, lost_for_good, campaign=campaign)
    now = timezone.now()
    before = transition(campaign, "open", actor, denied=_("You may not run this store's revival campaigns."))

    if connection.vendor == "postgresql":
        # Numbering a pool of 200,000 sorts in memory rather than on disk; for this transaction only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
    current = Assignment.objects.filter(
        member=OuterRef("pk"), state__in=Assignment.CURRENT_STATES, manager_id__in=list(weights)
    )
    kept = _kept_counts(members, current)
    free = members.exclude(Exists(current))
    free_counts = _counts(free)
    expected = sum(total for total, _a in kept.values()) + free_counts[1]
    if not expected:
        raise ActionRefused(
            _("Nobody is in the pool on %(day)s: no member of the store is dormant and free for outreach.")
            % {"day": campaign.start.isoformat()}
        )
    keep = (
        members.filter(Exists(current))
        .order_by()
        .annotate(
            **_case_columns(
                campaign,
                now,
                staff=Subquery(current.values("manager_id")[:1]),
                own_manager=True,
            )
        )
        .values(*[f"c_{column}" for column in CASE_COLUMNS])
    )
    inserted = _run_insert(keep, CASE_COLUMNS)
    given, inserted_free = _give(campaign, free, weights, now, counts=free_counts, held=kept)
    inserted += inserted_free
    shares = {pk: kept.get(pk, (0, 0))[0] + given[pk] for pk in weights}
    if inserted != expected:
        # A member's purchase or pause landed between the count and the insert: count what was given.
        shares = {pk: counted for pk, (counted, _a) in _held_counts(campaign).items()}
    size = sum(shares.values())
    campaign.pool_size = size
    campaign.save(update_fields=["pool_size"])
    quotas = RevivalQuota.objects.bulk_create(
        RevivalQuota(
            campaign=campaign,
            staff=people[pk],
            weight=weights[pk],
            share=shares.get(pk, 0),
            target=_target(shares.get(pk, 0), campaign.target_percent),
        )
        for pk in sorted(weights)
    )
    audit(
        "revival.campaign_opened",
        campaign,
        actor,
        before=before,
        pool=size,
        own_manager=sum(total for total, _a in kept.values()),
        class_a=sum(a for _a_total, a in kept.values()) + free_counts[0],
        shares={str(people[q.staff_id]): [q.share, q.target, str(q.weight)] for q in quotas},
    )
    _alert_people(campaign, quotas, {q.staff_id: q.share for q in quotas})
    revival_changed(campaign.store_id, list(weights))
    return campaign


# ---- closing and settling -----------------------------------------------------------------------


@action
def close_campaign(campaign, actor, *, reason=""):
    """Close an open campaign: the cases nobody has tried close with the reason; the contacted ones
    stay contacted, so a purchase inside the window of an attempt made while it was open still
    credits (settling closes them); credits made stay.

    Side effects: the campaign closed; its open cases closed in one UPDATE;
    AuditEntry "revival.campaign_closed" with the number closed.
    """
    _check_manager(actor, campaign.store_id)
    lock_stores([campaign.store_id])
    # No key update: a credit being written for one of its cases checks its campaign key (a key
    # share lock) while holding the case this closing may wait for.
    campaign = lock(campaign, no_key=True)
    before = transition(campaign, "close", actor, denied=_("You may not run this store's revival campaigns."))
    reason = (reason or "").strip()[:200] or _("The campaign closed.")
    untried = RevivalCase.objects.filter(campaign=campaign, state=RevivalCase.State.OPEN)
    staff_ids = list(untried.values_list("staff_id", flat=True).distinct())
    # The cases' state field is protected on instances, not in a set-based update.
    closed = untried.update(state=RevivalCase.State.CLOSED, closed_reason=reason, closed_at=timezone.now())
    audit("revival.campaign_closed", campaign, actor, before=before, cases_closed=closed, reason=reason)
    revival_changed(campaign.store_id, staff_ids)
    return campaign


def settle_blockers(campaign):
    """(provisional credits, pending ledger entries) that keep a campaign from being settled."""
    provisional = RevivalCredit.objects.filter(
        campaign=campaign, state=RevivalCredit.State.PROVISIONAL
    ).count()
    pending = IncentiveEntry.objects.filter(campaign=campaign, state=IncentiveEntry.State.PENDING).count()
    return provisional, pending


@action
def settle_campaign(campaign, actor):
    """Settle a closed campaign once every credit is final and every ledger entry decided; the
    cases still contacted close with it (no purchase credits them any more).

    Side effects: the campaign settled; its active cases closed in one UPDATE;
    AuditEntry "revival.campaign_settled" with the number closed.
    """
    _check_manager(actor, campaign.store_id)
    lock_stores([campaign.store_id])
    campaign = lock(campaign, no_key=True)  # as in close_campaign
    closed = 0
    staff_ids = []
    if campaign.state == State.CLOSED:
        # Closed before counting: the update waits for a credit being written on one of these cases,
        # and the count that follows sees it; a credit coming later finds its case closed.
        active = RevivalCase.objects.filter(campaign=campaign, state__in=RevivalCase.ACTIVE_STATES)
        staff_ids = list(active.values_list("staff_id", flat=True).distinct())
        closed = active.update(
            state=RevivalCase.State.CLOSED,
            closed_reason=_("The campaign was settled."),
            closed_at=timezone.now(),
        )
        provisional, pending = settle_blockers(campaign)
        if provisional or pending:
            raise ActionRefused(
                _(
                    "Not yet: %(provisional)s revivals can still be taken back by a return and "
                    "%(pending)s rewards wait for approval. Settle once they are final and decided."
                )
                % {"provisional": provisional, "pending": pending}
            )
    before = transition(
        campaign, "settle", actor, denied=_("You may not run this store's revival campaigns.")
    )
    audit("revival.campaign_settled", campaign, actor, before=before, cases_closed=closed)
    revival_changed(campaign.store_id, staff_ids)
    return campaign


# ---- late joiners -------------------------------------------------------------------------------


@action
def _join_campaign(campaign, today):
    lock_stores([campaign.store_id])
    # Targets rise with the members given: the people and their target bonuses are locked first (the
    # lock order puts staff, then IncentiveEntry, before the campaign and its quotas).
    staff_ids = list(RevivalQuota.objects.filter(campaign=campaign).values_list("staff_id", flat=True))
    people = lock_staff(staff_ids)
    bonuses = credit.lock_bonus_entries(campaign.pk, staff_ids)
    campaign = lock(campaign)
    if campaign.state != State.OPEN:
        return {}
    quotas = lock(RevivalQuota.objects.filter(campaign=campaign, staff__in=staff_ids).select_related("staff"))
    if not quotas:
        return {}
    away = staff_on_leave([q.staff_id for q in quotas], today)
    weights = {q.staff_id: q.weight for q in quotas if q.staff.is_active and q.staff_id not in away}
    if not weights:
        return {}
    lost_for_good = RevivalSettings.for_store(campaign.store).lost_for_good_months
    members = pool(campaign.store_id, campaign.start, lost_for_good, campaign=campaign, free_on=today)
    # Everyone of the first day's pool had a case then: whoever has none was held out (a pause, an
    # open complaint, another campaign's case) and is free now.
    late = members.exclude(Exists(RevivalCase.objects.filter(campaign=campaign, member=OuterRef("pk"))))
    given, _inserted = _give(
        campaign, late, weights, timezone.now(), counts=_counts(late), held=_held_counts(campaign)
    )
    given = {pk: n for pk, n in given.items() if n}
    if not given:
        return {}
    for quota in quotas:
        if quota.staff_id in given:
            quota.share += given[quota.staff_id]
            quota.target = _target(quota.share, campaign.target_percent)
            quota.save(update_fields=["share", "target"])
    campaign.pool_size += sum(given.values())
    campaign.save(update_fields=["pool_size"])
    audit(
        "revival.members_joined",
        campaign,
        None,
        joined=sum(given.values()),
        given={str(q.staff): given[q.staff_id] for q in quotas if q.staff_id in given},
    )
    credit.settle_bonuses_after_a_move(campaign.store, campaign, [people[pk] for pk in given], bonuses)
    _alert_people(campaign, [q for q in quotas if q.staff_id in given], given)
    revival_changed(campaign.store_id, list(given))
    return given


@job(daily=True)
def join_late(*, as_of):
    """Members held out of an open campaign by an outreach pause or an open complaint join it once
    they are free, given to whoever holds fewest per weight."""
    joined = 0
    campaigns = RevivalCampaign.objects.filter(state=State.OPEN, start__lte=as_of, end__gte=as_of).order_by(
        "store_id", "pk"
    )
    for campaign in campaigns:
        joined += sum(_join_campaign(campaign, as_of).values())
    return {"joined": joined} if joined else {}


# ---- the store's revival settings ---------------------------------------------------------------

SETTINGS_FIELDS = ("lost_for_good_months", *CAMPAIGN_TERMS)


@action
def save_settings(actor, values):
    """The store's defaults for new campaigns (campaigns already drafted keep their terms).

    Side effects: the store's RevivalSettings row (made the first time); AuditEntry
    "revival_setup.changed" with what changed. Returns {field: [before, after]}.
    """
    if actor is None or not actor.has_perm("tasks.change_revivalsettings") or actor.store_id is None:
        raise ActionRefused(_("You may not change this store's revival settings."))
    store = lock_stores([actor.store_id])[actor.store_id]
    row = RevivalSettings.objects.filter(store=store).first()
    row = lock(row) if row is not None else RevivalSettings(store=store)
    changed = {}
    for field in SETTINGS_FIELDS:
        if field in values and getattr(row, field) != values[field]:
            changed[field] = [_plain(getattr(row, field)), _plain(values[field])]
            setattr(row, field, values[field])
    if not changed:
        return {}
    try:
        row.full_clean(exclude=["store", "updated_by"], validate_unique=False)
    except ValidationError as error:
        raise ActionRefused(" ".join(error.messages)) from error
    row.updated_by, row.updated_at = actor, timezone.now()
    row.save()
    audit("revival_setup.changed", row, actor, store=store, changed=changed)
    return changed
