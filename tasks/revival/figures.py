"""The store manager's revival figures for one campaign: the leaderboard, the totals, why members
stopped coming and what won them back, and the day-by-day progress against the target.

Set-based: a fixed handful of grouped queries whatever the campaign's size (the number of people
on it is small; its members and attempts are not), so the live refresh stays cheap at 200,000
members. "Revived" means a standing credit (provisional or final): a credit taken back by a return
no longer counts, wherever it shows.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from concierge.models import Staff
from tasks.models import (
    CareTask,
    IncentiveEntry,
    RevivalAttempt,
    RevivalCase,
    RevivalCredit,
    RevivalQuota,
)

STANDING = (RevivalCredit.State.PROVISIONAL, RevivalCredit.State.FINAL)
# Remedies in the "what works" table; "nothing yet" is kept as the baseline the others beat.
REMEDY_LABELS = dict(RevivalAttempt.Remedy.choices)
REASON_LABELS = dict(CareTask.DormantReason.choices)


def _rate(part, whole):
    """part of whole in percent, or None when there is no whole to speak of."""
    return 100.0 * part / whole if whole else None


# The figures are read off the campaign's cases, which keep what their attempts told (attempts
# made, someone reached, the latest reason: RevivalCase.record_attempt), in one pass over them, and
# off its attempts only for the remedies, by the attempts' own campaign: never every attempt joined
# to its case (that join and its groupings were most of the live refresh's time at 10,000 cases).
TABLES = {
    "case": RevivalCase._meta.db_table,
    "attempt": RevivalAttempt._meta.db_table,
    "credit": RevivalCredit._meta.db_table,
}
# The campaign's revived cases (a standing credit each): a few, looked up in a hash built once.
REVIVED = """
    SELECT case_id FROM {credit} WHERE campaign_id = %(campaign)s AND state IN (%(provisional)s, %(final)s)
""".format(**TABLES)
# Per person (the case's) and latest reason given: the cases, those nobody has tried yet (still
# open: the first attempt moves a case on), those tried, those where someone was reached, and the
# revived ones (only the reasons' figure needs them: looked up for the cases with a reason). A few
# hundred rows at most (people times reasons), added up both ways in Python.
CASE_COLUMNS = ("cases", "waiting", "contacted", "reached")
# FILTER rather than SUM(CASE ...): a third less time over 10,000 cases (docs/benchmarks.md).
CASES_SQL = """
    SELECT c.staff_id, c.last_reason, COUNT(*), COUNT(*) FILTER (WHERE c.state = %(open)s),
        COUNT(*) FILTER (WHERE c.attempts_count > 0), COUNT(*) FILTER (WHERE c.reached),
        COUNT(*) FILTER (WHERE c.last_reason <> '' AND c.id IN ({revived}))
    FROM {case} c
    WHERE c.campaign_id = %(campaign)s
    GROUP BY c.staff_id, c.last_reason
""".format(revived=REVIVED, **TABLES)
# Each remedy: on how many cases it was offered, and how many of them were revived; read off the
# index on the attempts' campaign, remedy and case ("> ''" is a range of it, "<> ''" would read all
# the campaign's).
REMEDIES_SQL = """
    SELECT o.remedy, COUNT(*), COUNT(*) FILTER (WHERE o.case_id IN ({revived}))
    FROM (
        SELECT DISTINCT remedy, case_id FROM {attempt} WHERE campaign_id = %(campaign)s AND remedy > ''
    ) o
    GROUP BY o.remedy
""".format(revived=REVIVED, **TABLES)


def _rows(sql, campaign):
    params = {
        "campaign": campaign.pk,
        "provisional": RevivalCredit.State.PROVISIONAL,
        "final": RevivalCredit.State.FINAL,
        "open": RevivalCase.State.OPEN,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def campaign_figures(campaign, today=None):
    """Everything the dashboard shows for `campaign`, as plain values."""
    today = today or timezone.localdate()
    credits = standing_credits(campaign)
    told = case_figures(campaign)
    rows = leaderboard(campaign, credits, told["person"])
    totals = _totals(rows)
    return {
        "campaign": campaign,
        "rows": rows,
        "totals": totals,
        "reasons": reasons(told["reason"]),
        "remedies": remedies(
            {code: (cases, revived) for code, cases, revived in _rows(REMEDIES_SQL, campaign)}
        ),
        "progress": daily_progress(campaign, totals["target"], today, credits),
    }


def case_figures(campaign):
    """{"person": {staff id: {column: n} (CASE_COLUMNS)}, "reason": {code: (cases, revived)}}."""
    told = {"person": {}, "reason": {}}
    for staff_id, reason, *counts, revived in _rows(CASES_SQL, campaign):
        held = told["person"].setdefault(staff_id, dict.fromkeys(CASE_COLUMNS, 0))
        for column, n in zip(CASE_COLUMNS, counts, strict=True):
            held[column] += n
        if reason:
            before = told["reason"].get(reason, (0, 0))
            told["reason"][reason] = (before[0] + counts[0], before[1] + revived)
    return told


def standing_credits(campaign):
    """(staff id, day in the store's calendar, revivals): what the leaderboard and the progress
    line both count, in one query."""
    return list(
        RevivalCredit.objects.filter(campaign=campaign, state__in=STANDING)
        .annotate(day=TruncDate("credited_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("staff_id", "day")
        .annotate(n=Count("pk"))
        .values_list("staff_id", "day", "n")
    )


# ---- per person ---------------------------------------------------------------------------------


def leaderboard(campaign, credits=None, cases=None):
    """One row per person on the campaign, best first: most revivals, then the best conversion.

    Someone without a quota who holds cases or credits anyway (a case handed to a colleague from
    outside the spread) gets a row too, with the cases they hold as their members.
    """
    quotas = {
        quota.staff_id: quota
        for quota in RevivalQuota.objects.filter(campaign=campaign).select_related("staff").order_by()
    }
    if cases is None:
        cases = case_figures(campaign)["person"]
    revived = {}
    for staff_id, _day, n in standing_credits(campaign) if credits is None else credits:
        revived[staff_id] = revived.get(staff_id, 0) + n
    earned = dict(
        IncentiveEntry.objects.filter(campaign=campaign)
        .exclude(state=IncentiveEntry.State.REVERSED)
        .order_by()
        .values("staff_id")
        .annotate(total=Sum("amount"))
        .values_list("staff_id", "total")
    )
    people = {pk: quota.staff for pk, quota in quotas.items()}
    others = (set(cases) | set(revived) | set(earned)) - set(people)
    if others:
        people.update({staff.pk: staff for staff in Staff.objects.filter(pk__in=others)})

    rows = []
    for pk, staff in people.items():
        quota = quotas.get(pk)
        held = cases.get(pk, {})
        members = quota.share if quota else held.get("cases", 0)
        target = quota.target if quota else 0
        done = revived.get(pk, 0)
        rows.append(
            {
                "staff": staff,
                "staff_id": pk,
                "has_quota": quota is not None,
                "members": members,
                "target": target,
                "cases": held.get("cases", 0),
                "contacted": held.get("contacted", 0),
                "reached": held.get("reached", 0),
                "waiting": held.get("waiting", 0),
                "revived": done,
                "conversion": _rate(done, members),
                "target_share": _rate(done, target),
                "target_reached": bool(target) and done >= target,
                "to_go": max(target - done, 0),
                "earned": earned.get(pk) or Decimal("0"),
            }
        )
    rows.sort(
        key=lambda row: (-row["revived"], -(row["conversion"] or 0), str(row["staff"]), row["staff_id"])
    )
    # Competition ranking: equal revivals and conversion share a place, the next place is skipped.
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        same = previous and (previous["revived"], previous["conversion"]) == (
            row["revived"],
            row["conversion"],
        )
        row["rank"] = previous["rank"] if same else index + 1
    return rows


def _totals(rows):
    keys = ("members", "target", "cases", "contacted", "reached", "waiting", "revived")
    totals = {key: sum(row[key] for row in rows) for key in keys}
    totals["earned"] = sum((row["earned"] for row in rows), Decimal("0"))
    totals["conversion"] = _rate(totals["revived"], totals["members"])
    totals["contacted_share"] = _rate(totals["contacted"], totals["cases"])
    totals["reached_share"] = _rate(totals["reached"], totals["contacted"])
    totals["target_share"] = _rate(totals["revived"], totals["target"])
    totals["people"] = len(rows)
    return totals


# ---- what works ---------------------------------------------------------------------------------


def reasons(found):
    """Why members stopped coming, as they told it when reached (the latest reason given per case),
    and how many of those cases were revived; most common first. `found`: {code: (cases, revived)}."""
    rows = [_breakdown_row(code, REASON_LABELS, cases, revived) for code, (cases, revived) in found.items()]
    return _ranked(rows, key=lambda row: (-row["cases"], row["label"]))


def remedies(found):
    """Each remedy offered: on how many cases, how many of them were revived, and the rate; the best
    rate first ("nothing yet" last, as the baseline). `found`: {code: (cases, revived)}."""
    rows = [_breakdown_row(code, REMEDY_LABELS, cases, revived) for code, (cases, revived) in found.items()]
    baseline = RevivalAttempt.Remedy.NONE
    return _ranked(
        rows,
        key=lambda row: (row["code"] == baseline, -(row["rate"] or 0), -row["cases"], row["label"]),
    )


def _breakdown_row(code, labels, cases, revived):
    return {
        "code": code,
        "label": labels.get(code, code),
        "cases": cases,
        "revived": revived,
        "rate": _rate(revived, cases),
    }


def _ranked(rows, key):
    rows.sort(key=key)
    top = max([row["cases"] for row in rows] + [1])
    for row in rows:
        row["bar"] = 100.0 * row["cases"] / top
        # Drawn inside the row's own bar: the share of its cases that came back.
        row["revived_bar"] = 100.0 * row["revived"] / row["cases"] if row["cases"] else 0.0
    return rows


# ---- the period ---------------------------------------------------------------------------------


def daily_progress(campaign, target, today, credits=None):
    """Revivals added up day by day over the campaign's period (in the store's calendar), against a
    straight line from nothing on the first day to the whole target on the last.

    Days still to come carry no count (None): the line stops at today.
    """
    by_day = {}
    for _staff_id, day, n in standing_credits(campaign) if credits is None else credits:
        by_day[day] = by_day.get(day, 0) + n
    start, end = campaign.start, campaign.end
    length = (end - start).days + 1
    # A credit dated outside the period (a purchase counted just after it ended) is counted on its
    # edge, so the line ends where the leaderboard does.
    before = sum(n for day, n in by_day.items() if day < start)
    after = sum(n for day, n in by_day.items() if day > end)
    days, running = [], before
    for index in range(length):
        day = start + dt.timedelta(days=index)
        running += by_day.get(day, 0)
        if index == length - 1:
            running += after
        past = day <= today
        days.append(
            {
                "day": day,
                "added": by_day.get(day, 0),
                "revived": running if past else None,
                "target": target * (index + 1) / length,
            }
        )
    shown = [row for row in days if row["revived"] is not None]
    return {
        "start": start,
        "end": end,
        "days": days,
        "target": target,
        "revived": shown[-1]["revived"] if shown else 0,
        "elapsed": len(shown),
        "length": length,
        # Where the target line stands today: ahead of it or behind.
        "due_by_now": days[len(shown) - 1]["target"] if shown else 0,
    }
