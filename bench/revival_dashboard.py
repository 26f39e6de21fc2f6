"""Time the store manager's revival dashboard at scale: the page and its live refresh.

    .venv/bin/python -m bench.generate             # once: fills the benchmark database
    .venv/bin/python -m bench.revival_dashboard    # adds two campaigns, times the page; rewrites
                                                   # its section of docs/benchmarks.md

Runs against BENCH_DATABASE_URL (default concierge_bench), never the working database. In store
--store (the second in code order by default, so it does not meet other benchmarks' rows):

1. An open campaign over all the store's dormant and lost members (about 9,400 in the scale data
   set), spread round-robin over its VIP managers (about 20), each with a target of 20% of their
   share; attempts on ~60% of the cases (one to three each, about half of them reaching the member,
   with reasons and remedies), revivals credited on ~10% (a few taken back by a return), and the
   ledger's reward entries for them plus the target bonuses. A closed campaign of the month before,
   a tenth of the size, for the query counts at two sizes.
2. Through Django's test client, as the store's manager: the whole page (the open campaign by
   default), its live refresh (the htmx request the socket's signal triggers), and both for the
   small campaign; and the team tasks page as a gauge of how loaded the shared machine is. The
   requests go round-robin, one of each kind per round, so the load weighs on all alike.

All rows go in with bulk inserts (the actions are not what is timed) and are removed at the end
(--keep leaves them, for looking at the page).
"""

import argparse
import datetime as dt
import gc
import math
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench import DOC, setup_django, write_doc_section

START_MARK = "<!-- revival-dashboard:start (written by python -m bench.revival_dashboard) -->"
END_MARK = "<!-- revival-dashboard:end -->"
MARKER = "bench.revival_dashboard"
TARGET_P95 = 50.0  # ms: issue 12's acceptance for the dashboard

REASON_WEIGHTS = {
    "busy": 24,
    "elsewhere": 20,
    "moved": 14,
    "service": 14,
    "quality": 12,
    "travelling": 8,
    "other": 8,
}
REMEDY_WEIGHTS = {
    "use_remaining": 22,
    "free_trial": 18,
    "gift": 16,
    "taxi": 8,
    "home_visit": 6,
    "change_staff": 8,
    "none": 22,
}
# How much more likely a case is revived after each remedy than after nothing: "what works".
REMEDY_LIFT = {
    "use_remaining": 2.2,
    "free_trial": 1.8,
    "home_visit": 2.0,
    "taxi": 1.6,
    "change_staff": 1.4,
    "gift": 1.2,
    "none": 1.0,
}
CHANNELS = ("phone", "wechat", "sms", "visit")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default=None, help="store code (default: the second in code order)")
    parser.add_argument("--attempted", type=float, default=0.6, help="share of cases with attempts")
    parser.add_argument("--revived", type=float, default=0.1, help="share of cases credited")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261212)
    parser.add_argument("--keep", action="store_true", help="leave the campaigns in place afterwards")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/ alone")
    return parser.parse_args(argv)


def log(message):
    print(message, flush=True)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return math.nan
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]


def pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# ---------------------------------------------------------------------------------------------
# Data


def clean(store):
    """Remove what an earlier run left: its campaigns with everything under them, its purchases."""
    from django.db import connection, transaction

    from tasks.models import RevivalCampaign

    ids = list(
        RevivalCampaign.objects.filter(store=store, name__startswith=MARKER).values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if ids:
            # In the order the foreign keys need; set-based, where the ORM's collector would load
            # every row into Python first.
            for table, column in (
                ("tasks_incentiveentry", "campaign_id"),
                ("tasks_revivalcredit", "campaign_id"),
                ("tasks_revivalattempt", "campaign_id"),
                ("tasks_revivalcase", "campaign_id"),
                ("tasks_revivalquota", "campaign_id"),
                ("tasks_revivalcampaign", "id"),
            ):
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [ids])
        cursor.execute(
            "DELETE FROM concierge_purchase WHERE store_id = %s AND receipt_ref LIKE %s",
            [store.pk, MARKER + "%"],
        )
    return len(ids)


def _campaign(store, name, start, end, state, creator):
    from django.utils import timezone

    from tasks.models import RevivalCampaign, RevivalSettings
    from tasks.models.revival import CAMPAIGN_TERMS

    terms = RevivalSettings.for_store(store)
    opened = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
    return RevivalCampaign.objects.create(
        store=store,
        name=name,
        start=start,
        end=end,
        state=state,
        created_by=creator,
        opened_at=opened,
        closed_at=opened + dt.timedelta(days=(end - start).days + 1) if state != "open" else None,
        **{term: getattr(terms, term) for term in CAMPAIGN_TERMS},
    )


def make_campaign(store, *, name, start, end, state, members, staff, args, rng, now, creator):
    """A campaign over `members` (id, value class, last purchase) with its quotas, cases, attempts,
    credits and ledger, in bulk. Returns facts about what was made."""
    from django.db import connection
    from django.utils import timezone

    from concierge.models import Purchase
    from tasks.models import (
        IncentiveEntry,
        RevivalAttempt,
        RevivalCase,
        RevivalCredit,
        RevivalQuota,
    )

    campaign = _campaign(store, name, start, end, state, creator)
    period_start = timezone.make_aware(dt.datetime.combine(start, dt.time(10)))
    period_end = min(now, timezone.make_aware(dt.datetime.combine(end, dt.time(21))))
    span = max((period_end - period_start).total_seconds(), 3600)

    def moment(after=None):
        low = after or period_start
        seconds = max((period_end - low).total_seconds(), 60)
        return low + dt.timedelta(seconds=rng.random() * seconds)

    shares = {person.pk: 0 for person in staff}
    cases, plans = [], []
    for index, (member_id, value_class, last_purchase) in enumerate(members):
        person = staff[index % len(staff)]
        shares[person.pk] += 1
        cases.append(
            RevivalCase(
                store=store,
                campaign=campaign,
                member_id=member_id,
                staff=person,
                value_class=value_class,
                dormant_since=timezone.localtime(last_purchase).date() if last_purchase else None,
                created_at=period_start,
            )
        )
    RevivalCase.objects.bulk_create(cases, batch_size=2000)
    quotas = [
        RevivalQuota(campaign=campaign, staff_id=pk, share=share, target=math.ceil(share * 0.2))
        for pk, share in shares.items()
    ]
    RevivalQuota.objects.bulk_create(quotas)
    targets = {quota.staff_id: quota.target for quota in quotas}

    # Attempts: one to three on the tried cases; the last reached one carries the reason and remedy.
    attempts, case_updates = [], []
    revive_base = args.revived / (args.attempted * 0.55 * 1.7)
    for case in cases:
        if rng.random() >= args.attempted:
            if rng.random() < 0.02:
                case_updates.append((case.pk, "lost", 0, None, False, ""))
            continue
        count = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
        at = None
        made = []
        for _ in range(count):
            at = moment(at)
            reached = rng.random() < 0.45
            attempt = RevivalAttempt(
                store=store,
                case=case,
                campaign=campaign,
                staff_id=case.staff_id,
                at=at,
                channel=rng.choice(CHANNELS),
                reached=reached,
                reason=pick(rng, REASON_WEIGHTS) if reached else "",
                remedy=pick(rng, REMEDY_WEIGHTS) if reached else "",
                note=f"{MARKER} attempt",
            )
            made.append(attempt)
        attempts += made
        last_reached = next((a for a in reversed(made) if a.reached), None)
        revived = bool(last_reached) and rng.random() < revive_base * REMEDY_LIFT[last_reached.remedy]
        plans.append((case, made, last_reached if revived else None))
        reason = last_reached.reason if last_reached else ""
        case_updates.append((case.pk, "contacted", count, at, bool(last_reached), reason))
    RevivalAttempt.objects.bulk_create(attempts, batch_size=5000)

    # Credits from purchases, a few taken back; the ledger's rewards for them.
    purchases, credits = [], []
    for n, (case, _made, counted) in enumerate(plans):
        if counted is None:
            continue
        bought = counted.at + dt.timedelta(hours=rng.uniform(2, 24 * 12))
        if bought > now:
            bought = now - dt.timedelta(minutes=rng.randint(5, 600))
        amount = Decimal(rng.randint(500, 6000))
        purchase = Purchase(
            store=store,
            member_id=case.member_id,
            receipt_ref=f"{MARKER}-{campaign.pk}-{n}",
            purchased_at=bought,
            amount=amount,
            items="bench",
        )
        purchases.append(purchase)
        clawed = rng.random() < 0.04
        final = not clawed and bought + dt.timedelta(days=campaign.return_days) < now
        credits.append(
            RevivalCredit(
                store=store,
                campaign=campaign,
                case=case,
                member_id=case.member_id,
                staff_id=counted.staff_id,
                attempt=counted,
                purchase=purchase,
                amount=amount,
                state="clawed_back" if clawed else ("final" if final else "provisional"),
                credited_at=bought + dt.timedelta(minutes=1),
                returns_until=bought + dt.timedelta(days=campaign.return_days),
                clawed_back_at=bought + dt.timedelta(days=3) if clawed else None,
                claw_back_reason="退货" if clawed else "",
            )
        )
    Purchase.objects.bulk_create(purchases, batch_size=2000)
    RevivalCredit.objects.bulk_create(credits, batch_size=2000)
    revived_cases = {credit.case_id for credit in credits if credit.state != "clawed_back"}
    case_updates = [
        (pk, "revived" if pk in revived_cases else state, *rest) for pk, state, *rest in case_updates
    ]

    ledger, standing = [], {}
    for credit in credits:
        reward = campaign.reward_for(credit.case.value_class)
        if credit.state == "clawed_back":
            state = "reversed"
        elif credit.state == "final":
            state = rng.choices(("approved", "paid"), weights=(40, 60))[0]
        else:
            state = rng.choices(("pending", "approved"), weights=(70, 30))[0]
            standing[credit.staff_id] = standing.get(credit.staff_id, 0) + 1
        if credit.state == "final":
            standing[credit.staff_id] = standing.get(credit.staff_id, 0) + 1
        ledger.append(
            IncentiveEntry(
                store=store,
                campaign=campaign,
                staff_id=credit.staff_id,
                kind="reward",
                amount=reward,
                state=state,
                credit=credit,
                reason=MARKER,
                created_at=credit.credited_at,
            )
        )
    for pk, revived in standing.items():
        if targets.get(pk) and revived >= targets[pk]:
            ledger.append(
                IncentiveEntry(
                    store=store,
                    campaign=campaign,
                    staff_id=pk,
                    kind="bonus",
                    amount=campaign.quota_bonus,
                    state="pending",
                    reason=MARKER,
                    created_at=now,
                )
            )
    IncentiveEntry.objects.bulk_create(ledger, batch_size=2000)

    # The cases' states and counters, as the actions would have left them: one statement.
    with connection.cursor() as cursor:
        for start_at in range(0, len(case_updates), 5000):
            chunk = case_updates[start_at : start_at + 5000]
            cursor.execute(
                "UPDATE tasks_revivalcase AS c SET state = v.state, attempts_count = v.n,"
                " last_attempt_at = v.at, reached = v.reached, last_reason = v.reason,"
                " closed_at = CASE WHEN v.state IN ('revived', 'lost') THEN now() ELSE NULL END"
                " FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::timestamptz[], %s::boolean[],"
                " %s::text[]) AS v(id, state, n, at, reached, reason)"
                " WHERE c.id = v.id",
                [[row[column] for row in chunk] for column in range(6)],
            )
    RevivalCampaign = type(campaign)
    RevivalCampaign.objects.filter(pk=campaign.pk).update(pool_size=len(cases))
    return {
        "campaign": campaign,
        "cases": len(cases),
        "staff": len(staff),
        "attempted": len(plans),
        "attempts": len(attempts),
        "credits": len(credits),
        "standing": sum(1 for credit in credits if credit.state != "clawed_back"),
        "ledger": len(ledger),
        "span_days": span / 86400,
    }


def make_data(store, args, rng):
    from django.db import connection
    from django.utils import timezone

    from concierge.models import Member, Staff
    from concierge.roles import Role

    now = timezone.now()
    today = timezone.localdate()
    quiet = list(
        Member.objects.filter(store=store, lifecycle__in=("dormant", "lost"))
        .order_by("pk")
        .values_list("pk", "value_class", "last_purchase_at")
    )
    staff = list(
        Staff.objects.filter(store=store, groups__name=Role.VIP_MANAGER, is_active=True).order_by("pk")
    )
    manager = Staff.objects.filter(store=store, groups__name=Role.STORE_MANAGER).order_by("pk").first()
    if not quiet or not staff or manager is None:
        sys.exit(f"store {store.code} has no dormant members, VIP managers or manager: run bench.generate")
    first = today.replace(day=1)
    last_month_end = first - dt.timedelta(days=1)
    started = time.perf_counter()
    small = make_campaign(
        store,
        name=f"{MARKER} small",
        start=last_month_end.replace(day=1),
        end=last_month_end,
        state="closed",
        members=rng.sample(quiet, len(quiet) // 10),
        staff=staff,
        args=args,
        rng=rng,
        now=now,
        creator=manager,
    )
    # The open one runs a month from three weeks ago: most of it done, the line still going.
    start = today - dt.timedelta(days=20)
    big = make_campaign(
        store,
        name=f"{MARKER} open",
        start=start,
        end=start + dt.timedelta(days=30),
        state="open",
        members=quiet,
        staff=staff,
        args=args,
        rng=rng,
        now=now,
        creator=manager,
    )
    with connection.cursor() as cursor:
        for table in ("revivalcase", "revivalattempt", "revivalcredit", "incentiveentry", "revivalquota"):
            cursor.execute(f"VACUUM ANALYZE tasks_{table}")
    log(
        f"made two campaigns in {store.code} in {time.perf_counter() - started:.1f} s: "
        f"{big['cases']:,} + {small['cases']:,} cases, {big['attempts'] + small['attempts']:,} attempts,"
        f" {big['credits'] + small['credits']:,} credits, {big['ledger'] + small['ledger']:,} ledger entries"
    )
    return manager, big, small


# ---------------------------------------------------------------------------------------------
# Pages


def time_pages(manager, big, small, args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("tasks:revival_dashboard")
    htmx = {"HTTP_HX_REQUEST": "true"}
    kinds = [
        ("whole page, open campaign (the default)", big, {}, {}),
        ("live refresh (htmx), open campaign", big, {"campaign": big["campaign"].pk}, htmx),
        ("whole page, small campaign", small, {"campaign": small["campaign"].pk}, {}),
        ("live refresh (htmx), small campaign", small, {"campaign": small["campaign"].pk}, htmx),
    ]
    # The machine is shared: an existing page timed in the same run shows how loaded it was (the
    # store manager's team tasks page of the same store).
    kinds.append(("reference: the team tasks page", None, {}, {}))
    # As a worker does after start-up (concierge/asgi.py): what is loaded by now, the benchmark's own
    # data included, which no worker holds, is set aside from the collector's full passes.
    gc.collect()
    gc.freeze()
    clients = []
    for label, facts, query, headers in kinds:
        client = Client()
        client.force_login(manager)
        clients.append((label, facts, url if facts else reverse("tasks:team"), query, headers, client))
    # Round-robin, one request of each kind per round: the other work on the machine comes and goes,
    # and weighs on every kind alike instead of on whichever ran at a busy moment.
    timings = {label: [] for label, *_rest in clients}
    sizes = {label: 0 for label, *_rest in clients}
    for n in range(args.warmup + args.requests):
        for label, _facts, page, query, headers, client in clients:
            started = time.perf_counter()
            response = client.get(page, query, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"{label}: {page} {query} answered {response.status_code}")
            if n >= args.warmup:
                timings[label].append(elapsed)
                sizes[label] = max(sizes[label], len(response.content))
    cpu = cpu_pass(clients, max(20, args.requests // 4))
    results = {}
    for label, facts, page, query, headers, client in clients:
        counts = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                client.get(page, query, **headers)
            counts.append(len(captured.captured_queries))
        done = sorted(timings[label])
        results[label] = {
            "cases": facts["cases"] if facts else None,
            "p50": percentile(done, 0.5),
            "p95": percentile(done, 0.95),
            "max": done[-1],
            "queries": (min(counts), max(counts)),
            "bytes": sizes[label],
            "cpu_p50": percentile(sorted(cpu[label]), 0.5) if cpu else math.nan,
            "cpu_p95": percentile(sorted(cpu[label]), 0.95) if cpu else math.nan,
        }
        r = results[label]
        log(
            f"  {label:42s} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms"
            f"  queries {r['queries'][0]}-{r['queries'][1]}  {r['bytes'] / 1024:.0f} KB"
            f"  CPU p50 {r['cpu_p50']:5.1f} ms p95 {r['cpu_p95']:5.1f} ms"
        )
    return results


def cpu_pass(clients, rounds):
    """CPU time each request costs, the Django process's and its PostgreSQL backend's: what a request
    would take on a machine with a core to itself, whatever else runs. The connection is kept across
    requests for it (the backend's CPU is read from /proc by its pid); {} where /proc cannot tell."""
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection

    request_finished.disconnect(close_old_connections)
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = Path(f"/proc/{pid}/schedstat")
        if not stat.exists():
            return {}

        def backend_ns():
            return int(stat.read_text().split()[0])

        spent = {label: [] for label, *_rest in clients}
        for n in range(rounds + 5):
            for label, _facts, page, query, headers, client in clients:
                mine, theirs = time.process_time_ns(), backend_ns()
                client.get(page, query, **headers)
                used = (time.process_time_ns() - mine + backend_ns() - theirs) / 1e6
                if n >= 5:
                    spent[label].append(used)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != pid:
                return {}  # the connection was not kept: the figures would be wrong
        return spent
    finally:
        request_finished.connect(close_old_connections)


def table_facts():
    """The case and attempt tables as the pages met them: other benchmarks insert and delete cases
    of their own (opening campaigns over whole stores) in the same database, and a table left
    mostly empty pages makes every scan of it slower."""
    from django.db import connection

    facts = {}
    with connection.cursor() as cursor:
        for table in ("tasks_revivalcase", "tasks_revivalattempt"):
            cursor.execute(
                "SELECT pg_relation_size(%s), (SELECT count(*) FROM " + table + ")",
                [table],
            )
            facts[table] = cursor.fetchone()
    return facts


def figures_queries(big, small):
    """The figures alone (tasks/revival/figures.py), at both sizes: their own query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.revival.figures import campaign_figures

    counts = {}
    for facts in (small, big):
        with CaptureQueriesContext(connection) as captured:
            campaign_figures(facts["campaign"])
        counts[facts["cases"]] = len(captured.captured_queries)
    return counts


# ---------------------------------------------------------------------------------------------
# Report


def verdict(ok):
    return "met" if ok else "**missed**"


def render(store, manager, big, small, results, figure_counts, tables, args, load):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM concierge_member), (SELECT count(*) FROM concierge_purchase)"
        )
        members, purchases = cursor.fetchone()
    small_n, big_n = sorted(figure_counts)
    lines = [
        START_MARK,
        "",
        f"Run on {dt.date.today().isoformat()} with `python -m bench.revival_dashboard` over the scale data"
        f" set ({members:,} members, {purchases:,} purchases) in store `{store.code}`,"
        f" as `{manager.username}`;"
        f" {args.warmup} warm-up and {args.requests} timed requests per page. Load average (1 / 5 / 15 min)"
        f" at the start {' / '.join(f'{v:.2f}' for v in load[0])}, at the end"
        f" {' / '.join(f'{v:.2f}' for v in load[1])}.",
        "",
        f"**Open campaign:** {big['cases']:,} cases (every dormant and lost member of the store) over"
        f" {big['staff']} VIP managers; {big['attempted']:,} cases tried with {big['attempts']:,} attempts,"
        f" {big['credits']:,} revivals credited ({big['standing']:,} standing, the rest taken back),"
        f" {big['ledger']:,} ledger entries. **Small campaign** (the month before, closed):"
        f" {small['cases']:,} cases, {small['attempts']:,} attempts, {small['credits']:,} credits.",
        "",
        "| request | cases | p50 | p95 | max | CPU p50 | CPU p95 | SQL queries | size | target p95 | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results.items():
        low, high = r["queries"]
        queries = str(low) if low == high else f"{low}-{high}"
        reference = r["cases"] is None
        cases = "" if reference else f"{r['cases']:,}"
        target = "(none)" if reference else f"{TARGET_P95:.0f} ms"
        met = "" if reference else verdict(r["p95"] < TARGET_P95)
        lines.append(
            f"| {label} | {cases} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.1f} ms"
            f" | {r['cpu_p50']:.1f} ms | {r['cpu_p95']:.1f} ms | {queries} | {r['bytes'] / 1024:.0f} KB"
            f" | {target} | {met} |"
        )
    lines += [
        "",
        "CPU p50 and p95: the CPU time a request costs, the Django process's and its PostgreSQL"
        " backend's, measured in a second round-robin pass with the connection kept open (the wall"
        " times above include connecting, as in the other sections). On this shared virtual machine CPU"
        " times grow with the load too: compare them with the gauge's.",
        "",
        f"The figures themselves (`tasks/revival/figures.py`) take {figure_counts[small_n]} queries at"
        f" {small_n:,} cases and {figure_counts[big_n]} at {big_n:,}; the rest of each request is the"
        " session, the user and the campaign picker.",
        "",
        "Tables when timed: "
        + "; ".join(
            f"`{table}` {size / 2**20:,.1f} MB for {rows:,} rows" for table, (size, rows) in tables.items()
        )
        + " (all stores' rows; other benchmarks insert and delete cases in this database, which can"
        " leave the table larger than its rows need, and its sequential scans slower).",
        "",
        END_MARK,
    ]
    return "\n".join(lines)


SECTION_HEAD = """## Revival: dashboard

Method (`bench/revival_dashboard.py`): in one store of the scale data set (the second in code
order, away from the stores other benchmarks write to), an open campaign over all its dormant and
lost members, spread round-robin over its VIP managers with a target of 20% each: about 60% of the
cases tried (one to three attempts, 45% of attempts reaching the member, with a reason and a remedy),
about 10% revived by a purchase credited to the last reached attempt (more often after some remedies
than others, so "what works" has something to say), 4% of those taken back by a return, a reward
entry in the ledger for each credit and the target bonuses. A closed campaign of the month before,
a tenth of the size, gives the query counts at a second size. Everything goes in with bulk inserts
and is removed at the end. The store manager's page is timed through Django's test client as in the
sections above: the whole page, and the live refresh (the htmx request the WebSocket's "revival
changed" triggers, which draws only the figures); the requests go round-robin, one of each kind
per round, with the store manager's team tasks page of the same store among them as a gauge of how
loaded the machine is. A second pass measures the CPU time each request costs (the Django
process's and its PostgreSQL backend's). The machine is shared with other work (see the load
averages): on a busy machine every page, the gauge included, runs several times slower than on a
quiet one, and even CPU times grow (the virtual CPUs are shared too), so compare the dashboard with
the gauge as much as with the target.

"""


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    setup_django()
    from django.core.management import call_command

    from concierge.models import Store

    call_command("migrate", verbosity=0)
    # DEBUG is off, as in production: the pages need the hashed static files' manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    stores = list(Store.objects.order_by("code"))
    if len(stores) < 2 and not args.store:
        sys.exit("Run python -m bench.generate first")
    store = next((s for s in stores if s.code == args.store), None) if args.store else stores[1]
    if store is None:
        sys.exit(f"No store {args.store}: run python -m bench.generate first")
    removed = clean(store)
    if removed:
        log(f"removed {removed} campaigns left by an earlier run")
    rng = random.Random(args.seed)
    load_start = os.getloadavg()
    try:
        manager, big, small = make_data(store, args, rng)
        figure_counts = figures_queries(big, small)
        tables = table_facts()
        results = time_pages(manager, big, small, args)
    finally:
        if not args.keep:
            clean(store)
    load = (load_start, os.getloadavg())
    section = render(store, manager, big, small, results, figure_counts, tables, args, load)
    if args.no_write:
        print(section)
    else:
        write_doc_section(section, START_MARK, END_MARK, SECTION_HEAD)
        log(f"wrote {DOC}")


if __name__ == "__main__":
    main()
