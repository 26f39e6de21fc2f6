"""Time care-task generation by `tick` and the My-day page at scale.

    .venv/bin/python -m bench.generate   # once: fills the benchmark database
    .venv/bin/python -m bench.tick       # tick and My day; rewrites its section of docs/benchmarks.md

Runs against BENCH_DATABASE_URL (default concierge_bench), never the working database. In order:

1. Every class-A member of every store gets a dedicated VIP manager (active assignments spread over
   the store's VIP managers), as a store with one-to-one service runs: their tasks then go to a
   person, not to the pool, and holiday and season greetings have their audience.
2. A day's generation from nothing: all care tasks are deleted, then `tick --as-of D --force` runs
   in-process (every daily rule over every member, the due alerts, the wake-ups); then the next
   day, as the nightly run meets it.
3. A no-op minute: `tick` again on that day, with the daily jobs already done, in-process and as
   the cron line runs it (`manage.py tick` in its own process, Python and Django start-up included).
4. My day with 2,000 more open tasks for one VIP manager, beside the day's generated tasks: the
   list (full page and the htmx list), the
   task panel, the team view and the pool through Django's test client, p50/p95/max server time
   and SQL query counts.

Everything it adds (assignments, tasks, alerts, job runs) is removed at the end.
"""

import argparse
import datetime as dt
import gc
import math
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
DOC = BASE_DIR / "docs" / "benchmarks.md"
START_MARK = "<!-- tick:start (written by python -m bench.tick) -->"
END_MARK = "<!-- tick:end -->"
TARGETS = {"day": 60.0, "minute": 5.0, "page_p95": 100.0}
MY_DAY_TASKS = 2000


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--store", default="bj01")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/ alone")
    return parser.parse_args(argv)


def log(message):
    print(message, flush=True)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return math.nan
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]


def as_of_date(args):
    """The last day of the generated history, where the data is as the benchmark expects it."""
    from django.db.models import Max

    from concierge.models import Purchase

    if args.as_of:
        return args.as_of
    from django.utils import timezone

    return timezone.localdate(Purchase.objects.aggregate(last=Max("purchased_at"))["last"])


def clean(run_marker):
    from concierge.models import Alert, Assignment, JobRun
    from tasks.models import CareTask

    CareTask.objects.all().delete()
    Alert.objects.filter(kind__startswith="care_task.").delete()
    JobRun.objects.all().delete()
    Assignment.objects.filter(reason=run_marker).delete()


def give_class_a_managers(run_marker):
    """Active assignments for class-A members without a manager, dealt out in turn per store."""
    from django.utils import timezone

    from concierge.models import Assignment, Member, Staff, Store
    from concierge.roles import Role

    rows = []
    now = timezone.now()
    for store in Store.objects.order_by("code"):
        managers = list(
            Staff.objects.filter(store=store, groups__name=Role.VIP_MANAGER)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not managers:
            continue
        members = (
            Member.objects.filter(store=store, value_class="A")
            .exclude(assignments__state__in=Assignment.CURRENT_STATES)
            .order_by("-spend_12m")
            .values_list("pk", flat=True)
        )
        for n, member_id in enumerate(members):
            rows.append(
                Assignment(
                    store=store,
                    member_id=member_id,
                    manager_id=managers[n % len(managers)],
                    state=Assignment.State.ACTIVE,
                    reason=run_marker,
                    created_at=now,
                    accepted_at=now,
                )
            )
    Assignment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def timed_tick(as_of, *, force):
    from concierge.jobs import run_jobs

    started = time.perf_counter()
    summary = run_jobs(as_of, force=force)
    return time.perf_counter() - started, summary


def tick_in_process_of_its_own(as_of):
    env = dict(os.environ)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "tick", "--as-of", as_of.isoformat(), "-v0"],
        check=True,
        env=env,
        cwd=BASE_DIR,
    )
    return time.perf_counter() - started


def task_counts():
    from django.db.models import Count

    from tasks.models import CareTask

    by_kind = dict(CareTask.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    pooled = CareTask.objects.filter(assignee__isnull=True).count()
    return by_kind, pooled


def bench_tick(as_of):
    results = {}
    for label, day in (("day from nothing", as_of), ("next day", as_of + dt.timedelta(days=1))):
        seconds, summary = timed_tick(day, force=True)
        results[label] = {"seconds": seconds, "summary": summary}
        log(f"  tick {label:18s} {seconds:7.2f} s  {summary}")
    day = as_of + dt.timedelta(days=1)
    minutes = []
    for _ in range(5):
        seconds, _summary = timed_tick(day, force=False)
        minutes.append(seconds)
    results["minute in-process"] = {"seconds": max(minutes), "all": minutes}
    log(f"  tick no-op minute (in-process, worst of 5) {max(minutes):.3f} s")
    own = [tick_in_process_of_its_own(day) for _ in range(3)]
    results["minute as cron runs it"] = {"seconds": max(own), "all": own}
    log(f"  tick no-op minute (manage.py tick, worst of 3) {max(own):.2f} s")
    return results


def make_my_day(store_code, as_of, rng):
    """2,000 open tasks for one VIP manager, due from two weeks ago to a week ahead."""
    from concierge.models import Member, Staff
    from concierge.roles import Role
    from tasks.models import CareTask

    manager = (
        Staff.objects.filter(store__code=store_code, groups__name=Role.VIP_MANAGER).order_by("pk").first()
    )
    members = list(
        Member.objects.filter(store__code=store_code)
        .order_by("?")
        .values_list("pk", flat=True)[:MY_DAY_TASKS]
    )
    kinds = [CareTask.Kind.NEW_MEMBER_CALL, CareTask.Kind.CARE_CALL, CareTask.Kind.BIRTHDAY_GREETING,
             CareTask.Kind.DORMANT_REVIEW, CareTask.Kind.DORMANT_CALL]  # fmt: skip
    CareTask.objects.bulk_create(
        [
            CareTask(
                store=manager.store,
                member_id=member_id,
                assignee=manager,
                kind=rng.choice(kinds),
                period=f"bench-{n}",
                due_date=as_of + dt.timedelta(days=rng.randint(-14, 7)),
                reason="bench",
            )
            for n, member_id in enumerate(members)
        ],
        batch_size=2000,
    )
    return manager


def bench_pages(store_code, args, as_of):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from concierge.models import Staff
    from concierge.roles import Role
    from tasks.models import CareTask

    rng = random.Random(args.seed)
    manager = make_my_day(store_code, as_of, rng)
    # Tens of thousands of tasks were just made and deleted: measure with current statistics and no
    # autovacuum running in the middle, as a store's day would meet the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tasks_caretask")
    # A web worker does not carry the generation's garbage: collect it before timing the pages.
    gc.collect()
    open_count = CareTask.objects.filter(assignee=manager, state=CareTask.State.OPEN).count()
    table_count = CareTask.objects.count()
    boss = Staff.objects.filter(store=manager.store, groups__name=Role.STORE_MANAGER).order_by("pk").first()
    task_ids = list(CareTask.objects.filter(assignee=manager).values_list("pk", flat=True))
    live = {"HTTP_HX_REQUEST": "true"}
    kinds = {
        "My day (full page)": (manager, lambda: (reverse("tasks:my_day"), {})),
        "My day (htmx list)": (manager, lambda: (reverse("tasks:my_day"), live)),
        "task panel (htmx)": (
            manager,
            lambda: (reverse("tasks:task_detail", args=[rng.choice(task_ids)]), live),
        ),
        "team view": (boss, lambda: (reverse("tasks:team"), {})),
        "pool": (boss, lambda: (reverse("tasks:pool"), {})),
    }
    results = {}
    for kind, (user, make) in kinds.items():
        client = Client()
        client.force_login(user)
        timings = []
        for n in range(args.warmup + args.requests):
            url, headers = make()
            started = time.perf_counter()
            response = client.get(url, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"{kind}: {url} answered {response.status_code}")
            if n >= args.warmup:
                timings.append(elapsed)
        counts = []
        for _ in range(10):
            url, headers = make()
            with CaptureQueriesContext(connection) as captured:
                client.get(url, **headers)
            counts.append(len(captured.captured_queries))
        timings.sort()
        results[kind] = {
            "p50": percentile(timings, 0.5),
            "p95": percentile(timings, 0.95),
            "max": timings[-1],
            "queries": (min(counts), max(counts)),
        }
        r = results[kind]
        log(
            f"  {kind:22s} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms"
            f"  queries {r['queries'][0]}-{r['queries'][1]}"
        )
    return results, manager.username, (open_count, table_count)


def _seconds(seconds, digits):
    return f"{seconds * 1000:.0f} ms" if seconds < 0.1 else f"{seconds:.{digits}f} s"


def verdict(ok):
    return "met" if ok else "**missed**"


def render(as_of, assigned, tick, kinds, pooled, pages, manager, open_count, args):
    day = tick["day from nothing"]["seconds"]
    nxt = tick["next day"]["seconds"]
    minute = tick["minute in-process"]["seconds"]
    cron = tick["minute as cron runs it"]["seconds"]
    worst_page = max(r["p95"] for r in pages.values())
    lines = [
        START_MARK,
        "",
        f"Run on {dt.date.today().isoformat()} with `python -m bench.tick` over the data above, as of "
        f"{as_of.isoformat()}; {assigned:,} class-A members were given a dedicated VIP manager first.",
        "",
        "| what | time | target | |",
        "|---|---:|---:|---|",
        *(
            f"| {label} | {_seconds(seconds, digits)} | {TARGETS[target]:.0f} s"
            f" | {verdict(seconds < TARGETS[target])} |"
            for label, seconds, target, digits in (
                ("`tick`: a day's generation from no tasks at all", day, "day", 1),
                ("`tick`: the next day", nxt, "day", 1),
                ("`tick`: a no-op minute, in-process (worst of 5)", minute, "minute", 2),
                ("`manage.py tick`: a no-op minute with start-up (worst of 3)", cron, "minute", 2),
            )
        ),
        "",
        "Tasks made by the day from nothing, by kind: "
        + ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
        + f"; {pooled:,} of them in the stores' pools (members without a VIP manager).",
        "",
        f"Pages with {open_count[0]:,} open tasks for one VIP manager (`{manager}`) among {open_count[1]:,}"
        f" in the table, through Django's test client as above ({args.warmup} warm-up and"
        f" {args.requests} timed requests each):",
        "",
        "| page | p50 | p95 | max | SQL queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, r in pages.items():
        low, high = r["queries"]
        queries = str(low) if low == high else f"{low}-{high}"
        lines.append(f"| {kind} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.1f} ms | {queries} |")
    lines += [
        "",
        f"Target: p95 under {TARGETS['page_p95']:.0f} ms: {verdict(worst_page < TARGETS['page_p95'])} "
        f"(worst p95 {worst_page:.1f} ms).",
        "",
        END_MARK,
    ]
    return "\n".join(lines)


def write_doc(section):
    text = DOC.read_text()
    if START_MARK in text:
        text = re.sub(
            re.escape(START_MARK) + r".*?" + re.escape(END_MARK), lambda _m: section, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n## Care tasks: tick and My day\n\n" + section + "\n"
    DOC.write_text(text)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    setup_django()
    from django.core.management import call_command

    run_marker = "bench.tick"
    call_command("migrate", verbosity=0)
    # DEBUG is off, as in production: the pages need the hashed static files' manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    as_of = as_of_date(args)
    log(f"as of {as_of}")
    clean(run_marker)
    try:
        assigned = give_class_a_managers(run_marker)
        log(f"  {assigned:,} class-A members given a VIP manager")
        tick = bench_tick(as_of)
        # The by-kind figures are those of the first day: count again after it alone. Its tasks stay
        # for the pages, so My day reads a task table of a store's real size, not one person's.
        clean_tasks_only()
        timed_tick(as_of, force=True)
        kinds, pooled = task_counts()
        pages, manager, open_count = bench_pages(args.store, args, as_of)
    finally:
        clean(run_marker)
    section = render(as_of, assigned, tick, kinds, pooled, pages, manager, open_count, args)
    if args.no_write:
        print(section)
    else:
        write_doc(section)
        log(f"wrote {DOC}")


def clean_tasks_only():
    from concierge.models import Alert, JobRun
    from tasks.models import CareTask

    CareTask.objects.all().delete()
    Alert.objects.filter(kind__startswith="care_task.").delete()
    JobRun.objects.all().delete()


if __name__ == "__main__":
    main()
