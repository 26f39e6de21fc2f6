"""The store manager's complaint figures: what is open now, and what a period brought.

Every figure is a grouped query over the store's complaints (a dozen queries whatever their
number), on the indexes Complaint declares: (store, state, recorded_at) for what is open,
(store, recorded_at) for a period's complaints and (store, resolved_at) for compensation.

Honest figures: cancelled complaints count nowhere. A case opened because the customer was
unhappy after the grace period counts on its own as a new complaint, and also counts against
the case it follows as a reopening, so a handler's resolution figures are not flattered by it.
"""

import datetime as dt
import math
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    Max,
    Q,
    Sum,
    When,
    Window,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, Severity
from complaints.models.setup import CATEGORY_LABELS
from concierge.aggregates import Median
from concierge.dates import local_midnight
from concierge.models import Member, Staff

State = Complaint.State
Target = Complaint.Target

# The short lists on the page; their counts say how many more there are.
LIST_SIZE = 8
# Groups drawn in a colour of their own on the chart; the rest are drawn together as "other".
SERIES = 6
# Up to this many days the chart has a bar per week; longer periods a bar per month.
WEEKLY_UP_TO_DAYS = 120

# What the short lists show of each complaint, its customer, category and handler: read as plain
# values (no model instances to build for a line of text each).
ROW_VALUES = (
    "pk",
    "recorded_at",
    "customer_name",
    "severity",
    "public_risk",
    "counter",
    "state",
    "sla_target",
    "warn_at",
    "paused_at",
    "contact_breached",
    "resolve_breached",
    "compensation",
    "compensation_value",
    "follows_id",
    "member__name",
    "category__code",
    "category__name",
    "handler",
    "handler__display_name",
    "handler__first_name",
    "handler__last_name",
    "handler__username",
)
NAME_FIELDS = ("display_name", "first_name", "last_name", "username")
# Nobody has given the customer a solution yet: someone must act, or the customer must answer.
UNRESOLVED = (*Complaint.WORKING_STATES, State.WAITING)
COMPENSATION_KINDS = [kind for kind in Complaint.Compensation if kind.value]


def age_buckets():
    return [
        ("day", 0, 1, _("Under 1 day")),
        ("days3", 1, 3, _("1-3 days")),
        ("week", 3, 7, _("3-7 days")),
        ("older", 7, None, _("Over 7 days")),
    ]


def share(part, whole):
    """Percent of whole; None when there is nothing to share (shown as a dash, not 0%)."""
    return 100.0 * float(part) / float(whole) if whole else None


def due_expression():
    """The deadline the SLA clock runs for now: first contact, then resolution."""
    return Case(
        When(sla_target=Target.CONTACT, then=F("contact_due_at")),
        When(sla_target=Target.RESOLUTION, then=F("resolve_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def _due(lookup, moment):
    """The running deadline compared with a moment, in plain column conditions (cheaper to build
    and to run than a condition on the CASE of due_expression)."""
    return Q(sla_target=Target.CONTACT, **{f"contact_due_at__{lookup}": moment}) | Q(
        sla_target=Target.RESOLUTION, **{f"resolve_due_at__{lookup}": moment}
    )


def breached_q(now):
    """Late: a deadline already missed (the escalation job flagged it), or the one running now has
    passed. A complaint waiting on the customer is not late while the clock is stopped."""
    return Q(state__in=UNRESOLVED) & (
        Q(contact_breached=True) | Q(resolve_breached=True) | (Q(paused_at__isnull=True) & _due("lte", now))
    )


def due_soon_q(now):
    """Due soon: the SLA warning has gone off (at the store's share of the time, so about the next
    business day for a resolution), the deadline is still ahead and none was missed yet."""
    not_late = Q(state__in=UNRESOLVED, paused_at__isnull=True, contact_breached=False, resolve_breached=False)
    return not_late & Q(warn_at__lte=now) & _due("gt", now)


def staff_name(row, prefix="handler__"):
    """A colleague's name from grouped or listed values, as Staff.__str__ gives it."""
    return str(Staff(**{field: row[f"{prefix}{field}"] or "" for field in NAME_FIELDS}))


def short_list(queryset):
    """The first LIST_SIZE complaints of a list, as rows of values ready to show. One query."""
    fields = list(ROW_VALUES) + (["due"] if "due" in queryset.query.annotations else [])
    severities = {value: str(label) for value, label in Severity.choices}
    kinds = {value: str(label) for value, label in Complaint.Compensation.choices}
    states = {value: str(label) for value, label in State.choices}
    rows = list(queryset.values(*fields)[:LIST_SIZE])
    for row in rows:
        row["number"] = f"#{row['pk']}"
        row["customer"] = row["member__name"] or row["customer_name"]
        row["category"] = row["category__name"] or str(CATEGORY_LABELS.get(row["category__code"], ""))
        row["handler_name"] = staff_name(row) if row["handler"] else ""
        row["severity_label"] = severities.get(row["severity"], row["severity"])
        row["compensation_label"] = kinds.get(row["compensation"], "")
        row["state_label"] = states.get(row["state"], row["state"])
    return rows


# ---- what is open now ----------------------------------------------------------------------------


def open_figures(user, now=None):
    """Open complaints by state and age, and the short lists of late, due-soon and awaiting-approval
    ones. Four queries."""
    now = now or timezone.now()
    active = Complaint.objects.visible_to(user).filter(state__in=Complaint.ACTIVE_STATES)
    late, soon = breached_q(now), due_soon_q(now)
    aggregates = {f"state_{state}": Count("pk", filter=Q(state=state)) for state in Complaint.ACTIVE_STATES}
    for key, low, high, _label in age_buckets():
        within = Q(recorded_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            within &= Q(recorded_at__gt=now - dt.timedelta(days=high))
        aggregates[f"age_{key}"] = Count("pk", filter=within)
    aggregates["late"] = Count("pk", filter=late)
    aggregates["soon"] = Count("pk", filter=soon)
    counts = active.aggregate(total=Count("pk"), **aggregates)
    # A moment in the future (a clock a little ahead) still counts as "under a day".
    counts["age_day"] += counts["total"] - sum(counts[f"age_{key}"] for key, *_rest in age_buckets())

    listed = active.annotate(due=due_expression())
    total = counts["total"]
    by_state = [
        {
            "code": state.value,
            "label": state.label,
            "count": counts[f"state_{state}"],
            "share": share(counts[f"state_{state}"], total),
        }
        for state in (State(value) for value in Complaint.ACTIVE_STATES)
    ]
    largest_age = max([counts[f"age_{key}"] for key, *_rest in age_buckets()] + [1])
    by_age = [
        {
            "code": key,
            "label": label,
            "count": counts[f"age_{key}"],
            "share": share(counts[f"age_{key}"], total),
            "bar": 100.0 * counts[f"age_{key}"] / largest_age,
        }
        for key, _low, _high, label in age_buckets()
    ]
    return {
        "now": now,
        "total": total,
        "by_state": by_state,
        "by_age": by_age,
        "late_count": counts["late"],
        "late": short_list(listed.filter(late).order_by(F("due").asc(nulls_last=True), "recorded_at", "pk")),
        "soon_count": counts["soon"],
        "soon": short_list(listed.filter(soon).order_by("due", "pk")),
        "approval_count": counts[f"state_{State.AWAITING_APPROVAL}"],
        "approval": short_list(listed.filter(state=State.AWAITING_APPROVAL).order_by("recorded_at", "pk")),
    }


# ---- a period ------------------------------------------------------------------------------------


def _counted(user):
    return Complaint.objects.visible_to(user).exclude(state=State.CANCELLED)


def _resolved_once():
    """Resolved at least once: resolved now, or reopened after a resolution (which clears it)."""
    return Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)


def _came_back(store_id):
    """Reopened, or followed by a new case after the grace period. The store's follow-up cases are
    few: their originals are read once (on the follows index) and matched by id, rather than a
    look-up per complaint."""
    followed = (
        Complaint.objects.filter(store_id=store_id, follows__isnull=False)
        .exclude(state=State.CANCELLED)
        .values("follows_id")
    )
    return Q(reopen_count__gt=0) | Q(pk__in=followed)


def _handling_aggregates(store_id):
    resolved = _resolved_once()
    return {
        "handled": Count("pk"),
        "contact_median": Median("contact_minutes"),
        "contact_avg": Avg("contact_minutes"),
        "resolve_median": Median("resolve_minutes"),
        "resolve_avg": Avg("resolve_minutes"),
        "score_avg": Avg("score"),
        "feedback": Count("pk", filter=Q(satisfied__isnull=False)),
        "satisfied": Count("pk", filter=Q(satisfied=True)),
        "resolved": Count("pk", filter=resolved),
        "came_back": Count("pk", filter=resolved & _came_back(store_id)),
        "breaches": Count("pk", filter=Q(contact_breached=True) | Q(resolve_breached=True)),
    }


def _rates(row):
    row["satisfied_share"] = share(row["satisfied"], row["feedback"])
    row["came_back_share"] = share(row["came_back"], row["resolved"])
    row["breach_share"] = share(row["breaches"], row["handled"])
    return row


def period_bounds(start, end):
    return local_midnight(start), local_midnight(end + dt.timedelta(days=1))


def period_figures(user, start, end, by="category"):
    """What the complaints recorded from `start` to `end` (local dates, both included) brought, and
    the compensation resolved in that time. Six queries."""
    since, until = period_bounds(start, end)
    recorded = _counted(user).filter(recorded_at__gte=since, recorded_at__lt=until)
    totals, handlers = handling(recorded, user.store_id)
    return {
        "start": start,
        "end": end,
        "days": (end - start).days + 1,
        "totals": totals,
        "chart": chart(recorded, start, end, by),
        "handlers": handlers,
        "repeat": repeat_complainers(recorded),
        "follow_ups": follow_ups(recorded),
        "compensation": compensation(user, start, end),
    }


# Counts that add up over the handlers (and the complaints nobody took) to the period's totals.
SUMMED = (
    "handled",
    "feedback",
    "satisfied",
    "resolved",
    "came_back",
    "breaches",
    "follow_ups",
    "public_risk",
)


def handling(recorded, store_id):
    """Per handler: complaints handled, first-contact and resolution times in business minutes,
    satisfaction, how many came back after a resolution, breaches; and the period's totals, added up
    from those rows with the complaints nobody took. One query: the handler's name comes with the
    grouping (the staff table is small)."""
    names = [f"handler__{field}" for field in NAME_FIELDS]
    rows = list(
        recorded.values("handler", *names)
        .annotate(
            **_handling_aggregates(store_id),
            scored=Count("score"),
            follow_ups=Count("pk", filter=Q(follows__isnull=False)),
            public_risk=Count("pk", filter=Q(public_risk=True)),
        )
        .order_by()
    )
    totals = {key: sum(row[key] for row in rows) for key in (*SUMMED, "scored")}
    scores = sum(row["score_avg"] * row["scored"] for row in rows if row["scored"])
    totals["score_avg"] = scores / totals["scored"] if totals["scored"] else None
    for row in rows:
        if row["handler"] is not None:
            row["staff"] = Staff(
                pk=row["handler"], **{field: row[f"handler__{field}"] for field in NAME_FIELDS}
            )
        _rates(row)
    # The handlers with the most complaints first; the complaints nobody took last.
    rows.sort(key=lambda row: (row["handler"] is None, -row["handled"], str(row.get("staff", ""))))
    return _rates(totals), rows


def repeat_complainers(recorded):
    """Members with two complaints or more in the period, most complaints first. Two queries: the
    grouping (with the number of such members over it) stays on the complaint table, and only the
    members shown are read."""
    grouped = (
        recorded.filter(member__isnull=False)
        .values("member")
        .annotate(complaints=Count("pk"), last=Max("recorded_at"), among=Window(Count("member")))
        .filter(complaints__gte=2)
        .order_by("-complaints", "-last", "member")
    )
    rows = list(grouped[:LIST_SIZE])
    members = Member.objects.only("name", "member_no").in_bulk([row["member"] for row in rows])
    for row in rows:
        row["who"] = members.get(row["member"])
    return {"count": rows[0]["among"] if rows else 0, "rows": rows}


def follow_ups(recorded):
    """Cases opened because the customer was still unhappy after the grace period, the latest
    first (their number is in the period's totals). One query."""
    return short_list(recorded.filter(follows__isnull=False).order_by("-recorded_at", "-pk"))


# ---- charts --------------------------------------------------------------------------------------


def chart_axis(largest, most_steps=5):
    """A round scale: its top and its ticks (value, position in %), in steps of 1, 2 or 5."""
    largest = max(math.ceil(largest), 1)
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            steps = -(-largest // step)
            if steps <= most_steps:
                top = steps * step
                return {
                    "top": top,
                    "steps": steps,
                    "ticks": [(value, 100 * value / top) for value in range(0, top + 1, step)],
                }
        magnitude *= 10


def buckets(start, end, weekly):
    """The first day of each week (Monday) or month the period touches."""
    if weekly:
        day = start - dt.timedelta(days=start.weekday())
        step = lambda d: d + dt.timedelta(days=7)  # noqa: E731
    else:
        day = start.replace(day=1)
        step = lambda d: (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # noqa: E731
    found = []
    while day <= end:
        found.append(day)
        day = step(day)
    return found


def _bucket_day(moment):
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def stacked_rows(counts, groups, days, start):
    """Chart rows: one per bucket, its parts per series, on one scale.

    `counts` maps (bucket day, group key) to a number; `groups` is [(key, label)] with the most
    frequent first. Beyond SERIES groups, the rest share one "other" part.
    """
    totals = {}
    for (_day, key), value in counts.items():
        totals[key] = totals.get(key, 0) + value
    ordered = sorted(groups, key=lambda group: (-totals.get(group[0], 0), str(group[1])))
    ordered = [group for group in ordered if totals.get(group[0])]
    shown = ordered if len(ordered) <= SERIES + 1 else ordered[:SERIES]
    other = [group[0] for group in ordered[len(shown) :]]
    series = [
        {"key": key, "label": label, "index": index, "total": totals[key]}
        for index, (key, label) in enumerate(shown, start=1)
    ]
    if other:
        series.append(
            {
                "key": None,
                "label": _("Other"),
                "index": "other",
                "total": sum(totals[key] for key in other),
                "count": len(other),
            }
        )
    rows = []
    for day in days:
        parts = [
            {"series": entry, "value": counts.get((day, entry["key"]), 0)} for entry in series[: len(shown)]
        ]
        if other:
            parts.append({"series": series[-1], "value": sum(counts.get((day, key), 0) for key in other)})
        parts = [part for part in parts if part["value"]]
        rows.append({"start": max(day, start), "parts": parts, "total": sum(part["value"] for part in parts)})
    axis = chart_axis(max([row["total"] for row in rows] + [0]))
    for row in rows:
        for part in row["parts"]:
            part["width"] = 100.0 * float(part["value"]) / axis["top"]
    grand = sum(entry["total"] for entry in series)
    for entry in series:
        entry["share"] = share(entry["total"], grand)
    return {"rows": rows, "series": series, "axis": axis, "total": grand}


def chart(recorded, start, end, by):
    """Complaints per week or month, stacked by category or by counter. One query."""
    weekly = (end - start).days + 1 <= WEEKLY_UP_TO_DAYS
    trunc = TruncWeek if weekly else TruncMonth
    fields = ("counter",) if by == "counter" else ("category", "category__code", "category__name")
    rows = (
        # Truncated in the store's time zone and read as a date: nothing to convert row by row.
        recorded.annotate(bucket=trunc("recorded_at", output_field=DateField()))
        .values("bucket", *fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts, groups = {}, {}
    for row in rows:
        if by == "counter":
            key = row["counter"].casefold()
            groups.setdefault(key, row["counter"] or _("No counter given"))
        else:
            key = row["category"]
            groups[key] = row["category__name"] or str(
                CATEGORY_LABELS.get(row["category__code"], row["category__code"])
            )
        day = _bucket_day(row["bucket"])
        counts[(day, key)] = counts.get((day, key), 0) + row["n"]
    drawn = stacked_rows(counts, list(groups.items()), buckets(start, end, weekly), start)
    drawn["weekly"] = weekly
    drawn["by"] = by
    return drawn


def compensation(user, start, end):
    """Compensation given, by month of resolution and kind: what was resolved with it, leaving out
    what still waits for approval or was declined. One query."""
    since, until = period_bounds(start, end)
    rows = (
        _counted(user)
        .filter(resolved_at__gte=since, resolved_at__lt=until, compensation_value__isnull=False)
        .exclude(compensation="")
        .exclude(approval__in=[Complaint.Approval.PENDING, Complaint.Approval.DECLINED])
        .annotate(month=TruncMonth("resolved_at", output_field=DateField()))
        .values("month", "compensation")
        .annotate(total=Sum("compensation_value"), n=Count("pk"))
        .order_by()
    )
    counts, cases = {}, {}
    for row in rows:
        key = (_bucket_day(row["month"]), row["compensation"])
        counts[key] = counts.get(key, Decimal(0)) + (row["total"] or Decimal(0))
        cases[row["compensation"]] = cases.get(row["compensation"], 0) + row["n"]
    kinds = [(kind.value, kind.label) for kind in COMPENSATION_KINDS]
    drawn = stacked_rows(counts, kinds, buckets(start, end, weekly=False), start)
    # Each kind keeps its own colour whatever its rank this period.
    index = {kind.value: number for number, kind in enumerate(COMPENSATION_KINDS, start=1)}
    for entry in drawn["series"]:
        entry["index"] = index.get(entry["key"], "other")
        entry["cases"] = cases.get(entry["key"], 0)
    drawn["cases"] = sum(cases.values())
    drawn["weekly"] = False
    return drawn
