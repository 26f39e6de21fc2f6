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


# The figures that join a campaign's cases to their attempts and standing credits are plain joins over
# the campaign's rows (hash joins on PostgreSQL): the ORM's EXISTS inside an aggregate's FILTER ran a
# subquery per case, several times slower at 10,000 cases.
TABLES = {
    "case": RevivalCase._meta.db_table,
    "attempt": RevivalAttempt._meta.db_table,
    "credit": RevivalCredit._meta.db_table,
}
# Per person: the cases they hold, and those nobody has tried yet (still open: the first attempt
# moves a case on): the index on (campaign, staff, state) holds all they need.
CASE_COLUMNS = ("cases", "waiting")
CASES_SQL = """
    SELECT c.staff_id, COUNT(*), SUM(CASE WHEN c.state = %(open)s THEN 1 ELSE 0 END)
    FROM {case} c
    WHERE c.campaign_id = %(campaign)s
    GROUP BY c.staff_id
""".format(**TABLES)
# Everything the attempts tell, in one pass over the campaign's attempts (t) and its revived cases
# (r: a standing credit each), as (what, key, cases, revived) rows. The attempts table holds every
# campaign of every store: the store's attempts since the campaign began are read by their index
# (store, at), then matched to the campaign's cases by key, never the whole table.
# - "person": per person (the case's), the cases tried and those where someone was reached;
# - "reason": each reached member's latest reason (ROW_NUMBER: SQLite has no DISTINCT ON);
# - "remedy": each remedy, on how many cases it was offered.
ATTEMPTS_SQL = """
    WITH t AS (
        SELECT a.case_id, c.staff_id, a.reached, a.reason, a.remedy, a.at, a.id
        FROM {attempt} a JOIN {case} c ON c.id = a.case_id
        WHERE a.store_id = %(store)s AND a.at >= %(since)s AND c.campaign_id = %(campaign)s
    ), r AS (
        SELECT DISTINCT case_id FROM {credit}
        WHERE campaign_id = %(campaign)s AND state IN (%(provisional)s, %(final)s)
    )
    SELECT 'person', CAST(p.staff_id AS TEXT), COUNT(*), SUM(p.reached)
    FROM (
        SELECT case_id, staff_id, MAX(CASE WHEN reached THEN 1 ELSE 0 END) AS reached
        FROM t GROUP BY case_id, staff_id
    ) p
    GROUP BY p.staff_id
    UNION ALL
    SELECT 'reason', l.reason, COUNT(*), COUNT(r.case_id)
    FROM (
        SELECT case_id, reason, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY at DESC, id DESC) AS n
        FROM t WHERE reached AND reason <> ''
    ) l LEFT JOIN r ON r.case_id = l.case_id
    WHERE l.n = 1
    GROUP BY l.reason
    UNION ALL
    SELECT 'remedy', o.remedy, COUNT(*), COUNT(r.case_id)
    FROM (SELECT DISTINCT remedy, case_id FROM t WHERE remedy <> '') o LEFT JOIN r ON r.case_id = o.case_id
    GROUP BY o.remedy
""".format(**TABLES)


def _rows(sql, campaign):
    params = {
        "campaign": campaign.pk,
        "store": campaign.store_id,
        "since": attempts_since(campaign),
        "provisional": RevivalCredit.State.PROVISIONAL,
        "final": RevivalCredit.State.FINAL,
        "open": RevivalCase.State.OPEN,
        "contacted": RevivalCase.State.CONTACTED,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def attempts_since(campaign):
    """No attempt on a campaign's cases is older than the campaign: they are made once it is opened
    (a day's margin for the calendar's edges)."""
    first_day = timezone.make_aware(dt.datetime.combine(campaign.start, dt.time.min))
    return min(first_day, campaign.created_at) - dt.timedelta(days=1)


def campaign_figures(campaign, today=None):
    """Everything the dashboard shows for `campaign`, as plain values."""
    today = today or timezone.localdate()
    credits = standing_credits(campaign)
    told = attempt_figures(campaign)
    rows = leaderboard(campaign, credits, told["person"])
    totals = _totals(rows)
    return {
        "campaign": campaign,
        "rows": rows,
        "totals": totals,
        "reasons": reasons(told["reason"]),
        "remedies": remedies(told["remedy"]),
        "progress": daily_progress(campaign, totals["target"], today, credits),
    }


def attempt_figures(campaign):
    """{"person": {staff id: (cases tried, cases reached)}, "reason": {code: (cases, revived)},
    "remedy": {code: (cases, revived)}}."""
    told = {"person": {}, "reason": {}, "remedy": {}}
    for what, key, first, second in _rows(ATTEMPTS_SQL, campaign):
        told[what][int(key) if what == "person" else key] = (first, second)
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


def leaderboard(campaign, credits=None, tried=None):
    """One row per person on the campaign, best first: most revivals, then the best conversion.

    Someone without a quota who holds cases or credits anyway (a case handed to a colleague from
    outside the spread) gets a row too, with the cases they hold as their members.
    """
    quotas = {
        quota.staff_id: quota
        for quota in RevivalQuota.objects.filter(campaign=campaign).select_related("staff").order_by()
    }
    cases = {row[0]: dict(zip(CASE_COLUMNS, row[1:], strict=True)) for row in _rows(CASES_SQL, campaign)}
    if tried is None:
        tried = attempt_figures(campaign)["person"]
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
    others = (set(cases) | set(tried) | set(revived) | set(earned)) - set(people)
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
                "contacted": tried.get(pk, (0, 0))[0],
                "reached": tried.get(pk, (0, 0))[1],
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
