"""Time the foundation at scale and write the figures to docs/benchmarks.md.

    .venv/bin/python -m bench.generate     # once: fills the benchmark database
    .venv/bin/python -m bench.run          # refresh, pages, import; rewrites the results section

Runs against BENCH_DATABASE_URL (default concierge_bench), never the working database. In order:

1. `refresh_members` over the whole data set: every member from empty, the next day, back to
   the as-of date and the same date again.
2. Member search (name fragment, member-number prefix, last four phone digits, as the live
   search asks for them), the member profile and the store overview, through Django's test
   client logged in as a store manager: server time in-process, p50/p95/max over --requests
   requests with varied members and queries, and the SQL queries each page runs.
3. `manage.py import_purchases` in a subprocess on a CSV of --import-rows new purchases for
   existing members of one store, then the same file again (which must change nothing). The
   imported rows are deleted afterwards and the figures refreshed, so the run can be repeated.
"""

import argparse
import csv
import datetime as dt
import io
import math
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
DOC = BASE_DIR / "docs" / "benchmarks.md"
IMPORT_CSV = Path("/tmp/concierge_bench_purchases.csv")
IMPORT_LOG = Path("/tmp/concierge_bench_import.log")
IMPORT_PREFIX = "BENCH"
START_MARK = "<!-- results:start (written by python -m bench.run) -->"
END_MARK = "<!-- results:end -->"

TARGETS = {
    "refresh": 60.0,  # seconds, refresh_members over the whole data set
    "page_p95": 100.0,  # milliseconds, search and profile
    "import": 120.0,  # seconds, 1,000,000 purchases
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page kind first")
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--store", default="bj01", help="store whose manager browses and whose purchases import"
    )
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip", action="append", default=[], choices=["refresh", "pages", "import"])
    parser.add_argument(
        "--no-cold-refresh", action="store_true", help="skip the refresh of every member from empty"
    )
    parser.add_argument("--keep-imported", action="store_true", help="leave the imported purchases in place")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/ alone")
    return parser.parse_args(argv)


def log(message):
    print(message, flush=True)


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


# ---------------------------------------------------------------------------------------------
# Machine and data


def machine_facts():
    import django
    import psycopg
    from django.db import connection

    def read(path):
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpuinfo = read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = read("/proc/meminfo")
    mem_kb = re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        try:
            cursor.execute("SHOW data_directory")  # superusers only
            data_directory = cursor.fetchone()[0]
        except Exception:
            data_directory = None
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_wal_size", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "virtual": " hypervisor" in cpuinfo,
        "disk": disk_facts(data_directory),
        "load": os.getloadavg(),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model.group(1).strip() if model else platform.processor() or "unknown",
        "memory_gib": round(int(mem_kb.group(1)) / 1024 / 1024, 1) if mem_kb else None,
        "kernel": platform.release(),
        "postgresql": pg_version,
        "pg_settings": settings,
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
    }


def disk_facts(path):
    """The block device under PostgreSQL's data directory, as the kernel describes it."""
    if not path or not Path(path).exists():
        return "unknown (PostgreSQL data directory not readable)"
    mounts = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        device, mount_point, fs_type = line.split()[:3]
        if path == mount_point or path.startswith(mount_point.rstrip("/") + "/"):
            mounts.append((len(mount_point), device, mount_point, fs_type))
    if not mounts:
        return path
    _, device, mount_point, fs_type = max(mounts)
    stat = os.statvfs(mount_point)
    size_gb = stat.f_blocks * stat.f_frsize / 1e9
    facts = [f"{fs_type}", f"{size_gb:.0f} GB"]
    block = Path("/sys/class/block") / Path(device).name
    driver = block / "device" / "driver"
    if driver.exists():
        facts.append(f"driver {driver.resolve().name}")
    rotational = block / "queue" / "rotational"
    if rotational.exists():
        facts.append(f"rotational flag {rotational.read_text().strip()}")
    return f"{device} ({', '.join(facts)}), PostgreSQL data in {path}"


def data_facts():
    from django.db import connection

    facts = {}
    with connection.cursor() as cursor:
        for key, table in (
            ("stores", "concierge_store"),
            ("staff", "concierge_staff"),
            ("members", "concierge_member"),
            ("purchases", "concierge_purchase"),
            ("interest_links", "concierge_member_tags"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            facts[key] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT min(purchased_at), max(purchased_at), count(*) FILTER (WHERE amount < 0)"
            " FROM concierge_purchase"
        )
        facts["first"], facts["last"], facts["returns"] = cursor.fetchone()
        cursor.execute("SELECT value_class, count(*) FROM concierge_member GROUP BY 1 ORDER BY 1")
        facts["classes"] = dict(cursor.fetchall())
        cursor.execute("SELECT lifecycle, count(*) FROM concierge_member GROUP BY 1 ORDER BY 1")
        facts["lifecycles"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT coalesce(t.name, ''), count(*) FROM concierge_member m"
            " LEFT JOIN concierge_tier t ON t.id = m.tier_id GROUP BY 1 ORDER BY 1"
        )
        facts["tiers"] = dict(cursor.fetchall())
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        facts["db_size"] = cursor.fetchone()[0]
    return facts


# ---------------------------------------------------------------------------------------------
# refresh_members


# What bench.generate loads before the first refresh: no figures, no class, no tier.
EMPTY_FIGURES = (
    "spend_12m = 0, first_purchase_at = NULL, last_purchase_at = NULL, purchase_count = 0,"
    " lifecycle = 'new', value_class = '', tier_id = NULL, tier_period_start = NULL"
)


def timed_refresh(as_of):
    """(seconds, member rows the refresh rewrote) for one `refresh_members --as-of` run."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        before = cursor.fetchone()[0] % 2**32
    out = io.StringIO()
    started = time.perf_counter()
    call_command("refresh_members", "--as-of", as_of.isoformat(), stdout=out, stderr=out)
    elapsed = time.perf_counter() - started
    # The refresh runs in one transaction: the rows it rewrote carry a newer xmin than `before`.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM concierge_member WHERE xmin::text::bigint > %s", [before])
        changed = cursor.fetchone()[0]
    return elapsed, changed


def bench_refresh(as_of, *, cold=True):
    """Time refresh_members over every store in the cases a deployment meets.

    A refresh only rewrites members whose figures changed, so running it twice on the same date
    times nearly nothing: the next day (figures move with the 12-month window and the lifecycle
    cut-offs), the same date again, and every member from empty (after a bulk load) are timed apart.
    """
    from django.db import connection

    cases = []
    if cold:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE concierge_member SET {EMPTY_FIGURES}")
            cursor.execute("VACUUM ANALYZE concierge_member")
        cases.append(("every member from empty, as after a bulk load", as_of))
    cases += [
        ("the next day", as_of + dt.timedelta(days=1)),
        ("back to the as-of date", as_of),
        ("the same date again (nothing to change)", as_of),
    ]
    results = []
    for label, day in cases:
        elapsed, changed = timed_refresh(day)
        results.append({"label": label, "as_of": day, "seconds": elapsed, "changed": changed})
        log(f"  {label} ({day}): {elapsed:.1f} s, {changed:,} member rows rewritten")
    return results


# ---------------------------------------------------------------------------------------------
# Pages


def page_requests(store, rng, count):
    """(kind, url, headers) lists per page kind, varied over the store's members."""
    from django.urls import reverse

    from concierge.models import Member

    rows = list(
        Member.objects.filter(store=store)
        .values_list("pk", "name", "member_no", "phone_last4")
        .order_by("pk")
    )
    with_phone = [row for row in rows if row[3]]
    search_url = reverse("concierge:member_search")
    live = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}

    def name_fragment():
        name = rng.choice(rows)[1]
        pick = rng.random()
        if pick < 0.3:
            return name[0]  # a surname: thousands of matches, the worst case for sorting
        if pick < 0.6:
            return name[1:] or name
        return name

    kinds = {
        "search: name fragment": [(search_url, {"q": name_fragment()}, live) for _ in range(count)],
        "search: member number prefix": [
            (search_url, {"q": (row := rng.choice(rows))[2][: rng.randint(5, len(row[2]))]}, live)
            for _ in range(count)
        ],
        "search: last 4 phone digits": [
            (search_url, {"q": rng.choice(with_phone)[3]}, live) for _ in range(count)
        ],
        "search page (full page, name)": [(search_url, {"q": name_fragment()}, {}) for _ in range(count)],
        "member profile": [
            (reverse("concierge:member_detail", args=[rng.choice(rows)[0]]), {}, {}) for _ in range(count)
        ],
        "store overview": [(reverse("concierge:overview"), {}, {}) for _ in range(count)],
    }
    return kinds


def bench_pages(store_code, args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from concierge.models import Staff, Store
    from concierge.roles import Role

    store = Store.objects.get(code=store_code)
    manager = Staff.objects.filter(store=store, groups__name=Role.STORE_MANAGER).order_by("pk").first()
    if manager is None:
        sys.exit(f"No store manager in {store_code}: run python -m bench.generate first")
    client = Client()
    client.force_login(manager)
    rng = random.Random(args.seed)
    kinds = page_requests(store, rng, args.requests + args.warmup)

    results = {}
    for kind, requests in kinds.items():
        timings = []
        for n, (url, params, headers) in enumerate(requests):
            started = time.perf_counter()
            response = client.get(url, params, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"{kind}: {url} {params} answered {response.status_code}")
            if n >= args.warmup:
                timings.append(elapsed)
        # Queries are counted on separate requests so that capturing them does not slow the timed ones.
        counts = []
        for url, params, headers in requests[:10]:
            with CaptureQueriesContext(connection) as captured:
                client.get(url, params, **headers)
            counts.append(len(captured.captured_queries))
        timings.sort()
        results[kind] = {
            "n": len(timings),
            "p50": percentile(timings, 0.50),
            "p95": percentile(timings, 0.95),
            "max": timings[-1],
            "queries": (min(counts), max(counts)),
            "example": requests[-1][1].get("q", requests[-1][0]),
        }
        r = results[kind]
        log(
            f"  {kind:32s} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  max {r['max']:6.1f} ms"
            f"  queries {r['queries'][0]}-{r['queries'][1]}"
        )
    return results, manager.username


# ---------------------------------------------------------------------------------------------
# Import


def write_import_csv(store_code, rows, as_of, seed):
    """New purchases for existing members of one store, dated over the last month."""
    from concierge.models import Member

    rng = random.Random(seed)
    numbers = list(Member.objects.filter(store__code=store_code).values_list("member_no", flat=True))
    start = dt.datetime.combine(as_of - dt.timedelta(days=29), dt.time(10))
    with IMPORT_CSV.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["member_no", "purchased_at", "amount", "receipt_ref"])
        for n in range(rows):
            moment = start + dt.timedelta(days=rng.randrange(30), seconds=rng.randrange(12 * 3600))
            cents = int(rng.lognormvariate(6.3, 0.9) * 100)
            if rng.random() < 0.02:
                cents = -cents
            writer.writerow(
                [
                    rng.choice(numbers),
                    moment.strftime("%Y-%m-%d %H:%M:%S"),
                    f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}",
                    f"{IMPORT_PREFIX}{n + 1:09d}",
                ]
            )
    return IMPORT_CSV.stat().st_size


def imported_count(store_code):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM concierge_purchase p JOIN concierge_store s ON s.id = p.store_id"
            " WHERE s.code = %s AND p.receipt_ref LIKE %s",
            [store_code, IMPORT_PREFIX + "%"],
        )
        return cursor.fetchone()[0]


def run_import(store_code, label):
    command = [sys.executable, "manage.py", "import_purchases", str(IMPORT_CSV), "--store", store_code]
    env = dict(os.environ)
    with IMPORT_LOG.open("a", encoding="utf-8") as handle:
        handle.write(f"\n===== {label}: {' '.join(command)}\n")
        handle.flush()
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=BASE_DIR, env=env, stdout=handle, stderr=handle, check=False)
        elapsed = time.perf_counter() - started
    return elapsed, completed.returncode


def remove_imported(store_code, as_of):
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM concierge_purchase WHERE receipt_ref LIKE %s"
            " AND store_id = (SELECT id FROM concierge_store WHERE code = %s)",
            [IMPORT_PREFIX + "%", store_code],
        )
        deleted = cursor.rowcount
        cursor.execute("VACUUM ANALYZE concierge_purchase")
        cursor.execute("VACUUM ANALYZE concierge_member")
    call_command("refresh_members", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    return deleted


def bench_import(store_code, args, as_of):
    if imported_count(store_code):
        log("  removing purchases left by an earlier run")
        remove_imported(store_code, as_of)
    started = time.perf_counter()
    size = write_import_csv(store_code, args.import_rows, as_of, args.seed)
    log(f"  wrote {args.import_rows:,} rows ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")
    IMPORT_LOG.write_text("")
    first, first_rc = run_import(store_code, "first import")
    inserted = imported_count(store_code)
    log(f"  first import: {first:.1f} s, exit {first_rc}, {inserted:,} rows in the table")
    again, again_rc = run_import(store_code, "same file again")
    after_again = imported_count(store_code)
    log(f"  same file again: {again:.1f} s, exit {again_rc}, {after_again:,} rows in the table")
    result = {
        "rows": args.import_rows,
        "size_mb": size / 1e6,
        "seconds": first,
        "exit": first_rc,
        "inserted": inserted,
        "again_seconds": again,
        "again_exit": again_rc,
        "again_rows": after_again,
    }
    if not args.keep_imported:
        started = time.perf_counter()
        deleted = remove_imported(store_code, as_of)
        log(f"  removed {deleted:,} imported rows and refreshed in {time.perf_counter() - started:.0f} s")
    return result


# ---------------------------------------------------------------------------------------------
# Report


def verdict(ok):
    return "**met**" if ok else "**missed**"


def render_results(machine, data, refresh, pages, imported, manager, as_of, args, started_at):
    lines = [
        START_MARK,
        "",
        f"## Latest run: {started_at:%Y-%m-%d %H:%M} ({started_at.tzname() or 'local time'})",
        "",
        "### Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPUs (nproc) | {machine['cpus']} |",
        f"| CPU model | {machine['cpu_model']} |",
        f"| Memory | {machine['memory_gib']} GiB |",
        f"| Disk | {machine['disk']} |",
        "| Virtual machine | "
        + ("yes (hypervisor CPU flag)" if machine["virtual"] else "no hypervisor CPU flag")
        + " |",
        "| Load average (1 / 5 / 15 min) at the start; at the end | "
        + " / ".join(f"{v:.2f}" for v in machine["load"])
        + "; "
        + " / ".join(f"{v:.2f}" for v in machine.get("load_end", ()))
        + " |",
        f"| Linux kernel | {machine['kernel']} |",
        f"| PostgreSQL | {machine['postgresql']} (same machine, stock settings: "
        + ", ".join(f"{k} {v}" for k, v in machine["pg_settings"].items())
        + ") |",
        f"| Python / Django / psycopg | {machine['python']} / {machine['django']} / {machine['psycopg']} |",
        "",
        "### Data",
        "",
        f"{data['stores']} stores, {data['staff']} staff, {data['members']:,} members,"
        f" {data['purchases']:,} purchases ({data['returns']:,} returns) from {data['first']:%Y-%m-%d}"
        f" to {data['last']:%Y-%m-%d}, {data['interest_links']:,} member interests;"
        f" database size {data['db_size']}. Figures as of {as_of}.",
        "",
        "| value class | members | | lifecycle | members | | tier | members |",
        "|---|---:|---|---|---:|---|---|---:|",
    ]
    classes = [(k or "none", v) for k, v in sorted(data["classes"].items(), key=lambda kv: kv[0] or "Z")]
    lifecycles = list(data["lifecycles"].items())
    tiers = [(k or "none", v) for k, v in data["tiers"].items()]
    for i in range(max(len(classes), len(lifecycles), len(tiers))):
        cells = []
        for column in (classes, lifecycles, tiers):
            cells.extend([column[i][0], f"{column[i][1]:,}"] if i < len(column) else ["", ""])
        lines.append(f"| {cells[0]} | {cells[1]} | | {cells[2]} | {cells[3]} | | {cells[4]} | {cells[5]} |")
    lines += ["", "### Results against the targets", ""]
    lines += ["| what | figure | target | |", "|---|---:|---:|---|"]
    if refresh:
        for r in refresh:
            lines.append(
                f"| `refresh_members`, all {data['members']:,} members: {r['label']}"
                f" ({r['changed']:,} rows rewritten) | {r['seconds']:.1f} s | < 60 s |"
                f" {verdict(r['seconds'] < TARGETS['refresh'])} |"
            )
    if pages:
        for kind, r in pages.items():
            targeted = kind.startswith("search") or kind == "member profile"
            target = "< 100 ms" if targeted else "(none set; DESIGN: < 100 ms)"
            ok = r["p95"] < TARGETS["page_p95"]
            lines.append(f"| {kind}: p95 | {r['p95']:.1f} ms | {target} | {verdict(ok)} |")
    if imported:
        ok = imported["exit"] == 0 and imported["inserted"] == imported["rows"]
        lines.append(
            f"| import of {imported['rows']:,} purchases | {imported['seconds']:.1f} s"
            f" ({imported['rows'] / imported['seconds']:,.0f} rows/s) | < 120 s |"
            f" {verdict(ok and imported['seconds'] < TARGETS['import'])} |"
        )
    if pages:
        lines += [
            "",
            f"### Pages ({args.requests} timed requests each after {args.warmup} warm-up requests,"
            f" logged in as `{manager}`, store `{args.store}`)",
            "",
            "| page | p50 | p95 | max | SQL queries |",
            "|---|---:|---:|---:|---:|",
        ]
        for kind, r in pages.items():
            low, high = r["queries"]
            queries = f"{low}" if low == high else f"{low}-{high}"
            lines.append(
                f"| {kind} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.1f} ms | {queries} |"
            )
    if imported:
        lines += [
            "",
            "### Import",
            "",
            f"`python manage.py import_purchases FILE --store {args.store}` in a subprocess (Django start-up"
            f" included) on a {imported['size_mb']:.0f} MB CSV of {imported['rows']:,} new purchases for"
            f" existing members of the store, dated over the last 30 days:",
            "",
            f"- first import: {imported['seconds']:.1f} s,"
            f" {imported['rows'] / imported['seconds']:,.0f} rows/s,"
            f" exit status {imported['exit']}, {imported['inserted']:,} rows stored;",
            f"- the same file again: {imported['again_seconds']:.1f} s, exit status {imported['again_exit']},"
            f" {imported['again_rows']:,} rows in the table afterwards"
            f" ({'nothing changed' if imported['again_rows'] == imported['inserted'] else 'CHANGED'}).",
        ]
    lines += ["", END_MARK]
    return "\n".join(lines) + "\n"


DOC_HEAD = """# Benchmarks

The targets come from issue 2 (the foundation) and DESIGN.md section 6: on PostgreSQL with
10 stores, 300 staff, 200,000 members and 2,000,000 purchases on a 2-core machine,
`refresh_members` runs in under 60 s, member search and the member profile answer with a p95
server time under 100 ms and a number of SQL queries that does not grow with the data, and
importing 1,000,000 purchases from CSV takes under 2 minutes.

## How to reproduce

```sh
.venv/bin/python -m bench.generate   # drops, creates, migrates and fills concierge_bench (about 2 minutes)
.venv/bin/python -m bench.run        # about 5 minutes; rewrites the results section below
```

Both use `BENCH_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/concierge_bench`) and
refuse the application's and the test suite's databases. `python -m bench.generate --members 2000
--purchases 20000` and `python -m bench.run --requests 20 --import-rows 10000 --no-write` make a
quick smoke run.

## Method

- **Data** (`bench/generate.py`, seed 20241122): members are drawn into segments (4% heavy
  spenders, 16% loyal, 35% occasional, 15% dormant, 20% lost, 7% new, 3% who never bought) with
  log-normal purchase counts and amounts, so about 20% of members bring about 80% of the 12-month
  spend. 2.5% of purchases are returns (negative amounts) and 1% visits without spend; 90% of
  members have a birthday, 96% a phone, and 0-4 interest tags. Purchases are written in date
  order, so one member's purchases are spread over the table as a till would have left them.
  Loaded with PostgreSQL `COPY`, then `VACUUM ANALYZE`.
- **Pages**: Django's test client, in the benchmark's own process with `DEBUG` off, logged in as
  a store manager. One client, one request after another: this measures the server time of a
  single request, not throughput or behaviour under concurrent users, and there is no HTTP server,
  network or browser in the loop. The time runs from the request entering Django to the response
  being complete (middleware, session, permission checks, queries, template rendering). Each page
  kind gets 20 untimed warm-up requests, then 200 timed ones with varied members and queries; the
  SQL query count is taken on 10 further requests with the queries captured, so capturing does not
  slow the timed ones. Search requests carry the `HX-Request` header as the live search does and
  get the results fragment; "search page" is the whole page. Queries are random members' name
  fragments (a surname alone, the given name or the full name), member-number prefixes of 5 digits
  or more, and real last-four phone digits. p50 and p95 are nearest-rank percentiles of the sorted
  timings (p95 of 200 is the 190th fastest).
- **refresh_members** is timed in-process with `call_command` over every store, in four cases,
  because a refresh only rewrites members whose figures changed and running it twice on one date
  times nearly nothing: every member from empty (the figures are reset with one `UPDATE` and
  `VACUUM ANALYZE` first, as after a bulk load), the next day (what the nightly run meets), back
  to the as-of date, and the same date again. Its time includes the `VACUUM (ANALYZE)` of the
  member table that `refresh_members` runs at the end; "rows rewritten" counts the member rows
  the refresh's transaction wrote.
- **Import** runs `manage.py import_purchases` as production would, in its own process (Python
  and Django start-up included), on a CSV of 1,000,000 new purchases for existing members of one
  store, then the same file again, which must change nothing. The imported rows are deleted and
  the figures refreshed afterwards so the run can be repeated.
- **Other load**: the database runs on the same machine with stock settings, and the machine is
  shared: other work was running during the runs (see the load averages below), so the figures
  vary by up to a third from one run to the next and the maxima are noisy.
- **Two observations outside the table.** The first refresh that `bench.generate` runs itself,
  straight after the `COPY` (so it also sets hint bits on freshly loaded pages), took 49.2 s on
  this machine; `bench.generate` prints it and `bench.run` does not rewrite it. And the next-day
  refresh rewrites about 159,000 of 200,000 member rows although, compared column by column once,
  only about 3,000 members' spend, lifecycle or class changed: the others only moved in the stored
  spend rank.

"""


def write_doc(section):
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else DOC_HEAD + START_MARK + "\n" + END_MARK + "\n"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    setup_django(production_like=True)
    from django.core.management import call_command, get_commands
    from django.utils import timezone

    started_at = timezone.localtime()
    as_of = args.as_of or timezone.localdate()
    call_command("collectstatic", interactive=False, verbosity=0)
    machine = machine_facts()
    log(f"machine: {machine['cpus']} CPUs, {machine['cpu_model']}, PostgreSQL {machine['postgresql']}")

    refresh = pages = imported = None
    manager = ""
    if "refresh" not in args.skip:
        if "refresh_members" not in get_commands():
            sys.exit("refresh_members is not available yet")
        log("refresh_members:")
        refresh = bench_refresh(as_of, cold=not args.no_cold_refresh)
    if "pages" not in args.skip:
        log("pages:")
        pages, manager = bench_pages(args.store, args)
    if "import" not in args.skip:
        if "import_purchases" not in get_commands():
            sys.exit("import_purchases is not available yet")
        log("import_purchases:")
        imported = bench_import(args.store, args, as_of)

    machine["load_end"] = os.getloadavg()
    data = data_facts()
    section = render_results(machine, data, refresh, pages, imported, manager, as_of, args, started_at)
    if args.no_write:
        print(section)
    else:
        write_doc(section)
        log(f"wrote {DOC.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
