"""Time the till's purchase API (POST /api/purchases) over HTTP on its workers.

    .venv/bin/python -m bench.generate          # once: fills the benchmark database
    .venv/bin/python -m bench.api_purchases     # times; rewrites its section of docs/benchmarks.md

Runs against BENCH_DATABASE_URL (default concierge_bench), never the working database. In order:

1. A token for store `--store`, made with `create_api_token` as the store's manager.
2. The workers, as docs/deployment.md runs them for the tills: one gunicorn with `--workers`
   gthread workers (one request at a time each, connections kept alive) on concierge.wsgi, each
   with a pool of `--pool` database connections (DB_POOL_SIZE). `--server daphne` (or uvicorn, not
   in requirements.txt: `pip install uvicorn httptools uvloop`): `--workers` processes of the ASGI
   application instead, as the tablets' pages are served (the Redis channel layer, REQUEST_THREADS).
3. Single-purchase requests from a client of its own (bench.http_load: `--client-processes` asyncio
   processes, `--connections` kept-alive connections in all, spread over the workers) at offered
   rates stepping up (`--rates`, each for `--seconds`, the whole staircase `--runs` times): real
   member numbers of the store, unique receipts, purchased now, amounts 100-5000. Per step:
   achieved purchases a second, p50/p95/max latency of a request, errors, and the CPU the workers,
   their database server processes, the client and the whole machine used.
4. Requests of `--batch` purchases each, back to back on `--batch-connections` connections.
5. One request's cost taken apart in the benchmark's own process: the parts of `record_purchases`.

Everything it adds is removed at the end: the purchases (by their receipt prefix), their audit
entries, the token and its audit entry; and the store's members are put back as they were found
(their figures refreshed, then any column still different written back from a snapshot).
"""

import argparse
import datetime as dt
import math
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench import DOC, setup_django, write_doc_section
from bench.ws_latency import SERVERS

API_SERVERS = ("gunicorn", *SERVERS)

ROOT = Path(__file__).resolve().parents[1]
START_MARK = "<!-- api-purchases:start (written by python -m bench.api_purchases) -->"
END_MARK = "<!-- api-purchases:end -->"
SECTION_HEAD = "## Purchase API\n\n"
MARKER = "BENCHAPI-"
TOKEN_NAME = "bench.api_purchases"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
TARGET_RATE = 200  # purchases a second on 2 workers
TARGET_P95 = 50.0  # ms a request


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="bj01")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=API_SERVERS, default="gunicorn", help="the workers' server")
    parser.add_argument("--client-processes", type=int, default=2, help="client processes (asyncio each)")
    parser.add_argument("--connections", type=int, default=32, help="kept-alive connections in all")
    parser.add_argument("--rates", default="100,200,300", help="offered purchases a second, per step")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds at the first rate, not counted")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--batch-seconds", type=float, default=15.0)
    parser.add_argument("--batch-connections", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2, help="times each rate is stepped through")
    parser.add_argument("--pool", type=int, help="each worker's DB_POOL_SIZE (default 2 on gunicorn, else 8)")
    parser.add_argument("--profile", type=int, default=60, help="requests taken apart in process")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def log(message):
    print(message, flush=True)


def percentile(values, fraction):
    values = sorted(values)
    return values[max(1, math.ceil(fraction * len(values))) - 1] if values else math.nan


# ---------------------------------------------------------------------------------------------
# Data


def member_fields():
    from concierge.models import Member

    return [f.attname for f in Member._meta.concrete_fields if not f.primary_key]


def snapshot(store):
    from concierge.models import Member

    fields = member_fields()
    return {row[0]: row[1:] for row in Member.objects.filter(store=store).values_list("pk", *fields)}


def clean(store, before=None):
    """Remove the benchmark's purchases, audit entries and tokens; put the store's members back."""
    from django.db import connection, transaction

    from concierge.models import ApiToken, AuditEntry, Member, Purchase
    from concierge.refresh import refresh_member_figures

    with transaction.atomic():
        touched = set(
            Purchase.objects.filter(receipt_ref__startswith=MARKER).values_list("member_id", flat=True)
        )
        purchases = Purchase.objects.filter(receipt_ref__startswith=MARKER).delete()[0]
        tokens = [str(pk) for pk in ApiToken.objects.filter(name=TOKEN_NAME).values_list("pk", flat=True)]
        audits = AuditEntry.objects.filter(content_type__model="apitoken", object_id__in=tokens).delete()[0]
        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        refresh_member_figures(touched)
    restored = 0
    if before is not None:
        fields = member_fields()
        after = snapshot(store)
        changed = [pk for pk, values in before.items() if after.get(pk) != values]
        rows = []
        for pk in changed:
            member = Member(pk=pk)
            for name, value in zip(fields, before[pk], strict=True):
                setattr(member, name, value)
            rows.append(member)
        Member.objects.bulk_update(rows, fields, batch_size=500)
        restored = len(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE concierge_purchase")
        cursor.execute("VACUUM ANALYZE concierge_member")
    return purchases, audits, len(touched), restored


class Receipts:
    """Unique receipt numbers and purchases of real members, shared by the client threads."""

    def __init__(self, members, rng):
        self.members = members
        self.rng = rng
        self.lock = threading.Lock()
        self.n = 0

    def purchase(self):
        with self.lock:
            self.n += 1
            n = self.n
            member_no = self.rng.choice(self.members)
            amount = f"{self.rng.randint(100, 5000)}.00"
        return {
            "member_no": member_no,
            "purchased_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "amount": amount,
            "receipt_ref": f"{MARKER}{n:07d}",
        }


# ---------------------------------------------------------------------------------------------
# HTTP


def start_api_workers(args, env):
    """(ports, processes): the workers serving the API, answering on their ports."""
    from bench.ws_latency import free_port, start_workers, wait_for_ports

    if args.server != "gunicorn":
        return start_workers(args.workers, env, args.server)
    port = free_port()
    # As docs/deployment.md serves the tills: one master on one port, its workers taking turns to
    # accept; a worker runs one request at a time (no thread shares its GIL) and keeps connections.
    command = [
        sys.executable, "-m", "gunicorn", "concierge.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
        "--worker-class", "gthread", "--threads", "1", "--keep-alive", "30",
    ]  # fmt: skip
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=quiet, stderr=quiet)
    wait_for_ports([port], "gunicorn")
    # The workers are forked once the master listens: wait until they are all there.
    deadline = time.monotonic() + 30
    while len(with_children([process.pid])) < args.workers + 1:
        if time.monotonic() > deadline:
            sys.exit("gunicorn's workers did not start")
        time.sleep(0.1)
    return [port], [process]


def with_children(pids):
    """The processes and their children (a gunicorn master's workers), as they are now."""
    found = []
    for pid in pids:
        found.append(pid)
        try:
            found += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pids):
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy():
    """(busy, all) CPU seconds of the whole machine so far (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


APPLICATION_NAME = "concierge-bench-api"


def backend_pids():
    """The PostgreSQL server processes serving the workers' connections (named APPLICATION_NAME)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME])
        return {row[0] for row in cursor.fetchall()}


class Load:
    """Steps of load from client processes of their own (bench.http_load), with the CPU each side used."""

    def __init__(self, args, ports, token, members, workers):
        self.args = args
        self.ports = ports
        self.token = token
        self.members = members
        self.workers = workers
        self.steps = 0

    def run(self, *, rate, seconds, batch=0, connections=None):
        from bench.http_load import run_step

        self.steps += 1
        workers_before = cpu_seconds(self.workers)
        backends = backend_pids()
        backends_before = {pid: cpu_seconds([pid]) for pid in backends}
        busy_before, all_before = machine_busy()
        measured = run_step(
            ports=self.ports,
            token=self.token,
            members=self.members,
            marker=MARKER,
            rate=rate,
            seconds=seconds,
            connections=connections or self.args.connections,
            processes=self.args.client_processes,
            batch=batch,
            seed=self.args.seed + self.steps,
            offset=self.steps * 10_000_000,
        )
        busy_after, all_after = machine_busy()
        workers_cpu = cpu_seconds(self.workers) - workers_before
        # Only when the server processes that served the step are all still there (a pool):
        # connections opened and closed per request take their CPU with them.
        backends_after = backend_pids()
        database_cpu = None
        if backends and backends <= backends_after:
            database_cpu = sum(cpu_seconds([pid]) - backends_before.get(pid, 0) for pid in backends_after)
        results = measured["results"]
        sent = [r for r in results if r[1] != "not sent"]
        started = min((r[3] - r[2] for r in sent), default=0.0)
        finished = max((r[3] for r in sent), default=started + seconds)
        r = summarise(results, max(finished - started, 1e-9), purchases_per_request=batch or 1)
        wall = measured["elapsed"]
        answered = max(len(sent), 1)
        r["client_cores"] = measured["client_cpu"] / wall
        r["workers_cores"] = workers_cpu / wall
        r["worker_ms"] = workers_cpu * 1000 / answered
        r["database_ms"] = database_cpu * 1000 / answered if database_cpu is not None else None
        r["machine_cores"] = (busy_after - busy_before) / (all_after - all_before) * (os.cpu_count() or 1)
        r["queued_p95"] = percentile([r_[4] * 1000 for r_ in sent], 0.95)
        return r


def summarise(results, seconds, purchases_per_request):
    ok = [r for r in results if r[0]]
    latencies = [r[2] * 1000 for r in ok]
    statuses = defaultdict(int)
    for r in results:
        if not r[0]:
            statuses[r[1]] += 1
    return {
        "requests": len(results),
        "seconds": seconds,
        "rate": len(ok) * purchases_per_request / seconds,
        "requests_rate": len(ok) / seconds,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "max": max(latencies) if latencies else math.nan,
        "errors": sum(statuses.values()),
        "statuses": dict(statuses),
    }


def describe(statuses):
    return ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items(), key=str))


def line(label, r):
    statuses = describe(r["statuses"])
    return (
        f"  {label:>14s}  {r['rate']:6.1f} purchases/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
        f"  max {r['max']:7.1f} ms  errors {r['errors']}"
        + (f" ({statuses})" if statuses else "")
        + f"  | CPU a request: workers {r['worker_ms']:.1f} ms, database "
        + (f"{r['database_ms']:.1f} ms" if r["database_ms"] is not None else "n/a")
        + f"; cores: workers {r['workers_cores']:.2f}"
        f" client {r['client_cores']:.2f} machine {r['machine_cores']:.2f}"
    )


# ---------------------------------------------------------------------------------------------
# One request taken apart


def profile(token, receipts, count):
    """Mean milliseconds of each part of record_purchases over `count` single-purchase calls."""
    from concierge import api_purchases
    from concierge.imports import writing
    from concierge.models import AuditEntry

    spent = defaultdict(float)

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    parts = {
        (writing, "write_purchases"): "purchases written (write_purchases)",
        (api_purchases, "refresh_member_figures"): "figures refreshed (refresh_member_figures)",
        (api_purchases, "link_new_purchases"): "visits linked (link_new_purchases)",
    }
    originals = {key: getattr(*key) for key in parts}
    original_record = AuditEntry.record
    for (module, name), label in parts.items():
        setattr(module, name, timed(label, originals[(module, name)]))
    AuditEntry.record = timed("audit entry (AuditEntry.record)", original_record)
    refresh = sys.modules["concierge.refresh"]
    original_classes = refresh._update_value_classes
    refresh._update_value_classes = timed("  of which: the store's value classes re-ranked", original_classes)
    try:
        for _ in range(5):
            api_purchases.record_purchases(token, [receipts.purchase()])
        spent.clear()
        started = time.perf_counter()
        for _ in range(count):
            call = time.perf_counter()
            api_purchases.record_purchases(token, [receipts.purchase()])
            spent["whole call (record_purchases)"] += time.perf_counter() - call
        total = time.perf_counter() - started
    finally:
        for (module, name), function in originals.items():
            setattr(module, name, function)
        AuditEntry.record = original_record
        refresh._update_value_classes = original_classes
    whole = spent.pop("whole call (record_purchases)")
    order = [*parts.values(), "audit entry (AuditEntry.record)"]
    order.insert(2, "  of which: the store's value classes re-ranked")
    rows = {name: spent[name] * 1000 / count for name in order}
    accounted = sum(v for k, v in rows.items() if not k.startswith("  "))
    rows["the rest (checks, lookups, token, transaction)"] = whole * 1000 / count - accounted
    return whole * 1000 / count, rows, total


# ---------------------------------------------------------------------------------------------
# Report


def cpu_cells(r):
    database = f"{r['database_ms']:.1f} ms" if r["database_ms"] is not None else "n/a"
    return (
        f" {r['worker_ms']:.1f} ms | {database} | {r['workers_cores']:.2f} / {r['client_cores']:.2f}"
        f" / {r['machine_cores']:.2f} |"
    )


def render(args, members, steps, batch, whole, parts):
    from django.conf import settings

    target_steps = [r for rate, r in steps if rate == TARGET_RATE]
    met = bool(target_steps) and all(
        r["rate"] >= TARGET_RATE * 0.98 and r["p95"] < TARGET_P95 and r["errors"] == 0 for r in target_steps
    )
    lines = [
        START_MARK,
        "",
        f"Run on {dt.date.today().isoformat()} with `python -m bench.api_purchases` over the scale data"
        f" set ({members:,} members), store `{args.store}`, {workers_described(args, settings)},"
        f" the client in {args.client_processes} processes of its own ({args.connections} kept-alive"
        " connections in all, spread over the workers). Two cores, loopback, PostgreSQL and Redis on the"
        " same machine, shared with whatever else runs there: the last column says how busy the cores"
        " were in all (2.00 is both, all the time).",
        "",
        f"### One purchase a request, offered at a steady rate ({args.seconds:.0f} s a step,"
        f" {args.runs} runs)",
        "",
        "CPU a request: the workers' and their PostgreSQL server processes' (n/a when these did not last"
        " the step). Cores: what the workers, the client and the whole machine used.",
        "",
        "| run | offered | achieved | p50 | p95 | max | errors | CPU: workers | CPU: database"
        " | cores: workers / client / machine |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rate, r in steps:
        lines.append(
            f"| {r['run']} | {rate}/s | {r['rate']:.1f}/s | {r['p50']:.1f} ms | {r['p95']:.1f} ms"
            f" | {r['max']:.1f} ms | {r['errors']} of {r['requests']}{errors_note(r)} |" + cpu_cells(r)
        )
    lines += [
        "",
        f"### {args.batch} purchases a request, back to back on {args.batch_connections} connections"
        f" ({args.batch_seconds:.0f} s)",
        "",
        "| requests | purchases/s | p50 | p95 | max | errors | CPU: workers | CPU: database"
        " | cores: workers / client / machine |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {batch['requests']} | {batch['rate']:.1f}/s | {batch['p50']:.1f} ms | {batch['p95']:.1f} ms"
        f" | {batch['max']:.1f} ms | {batch['errors']}{errors_note(batch)} |" + cpu_cells(batch),
        "",
        f"### One request taken apart ({args.profile} single-purchase calls of `record_purchases` in the"
        " benchmark's process, no HTTP, one at a time)",
        "",
        "| part | mean |",
        "|---|---:|",
    ]
    for name, ms in parts.items():
        lines.append(f"| {name.strip()} | {ms:.1f} ms |")
    lines += [
        f"| **whole call** | **{whole:.1f} ms** |",
        "",
        f"Target: {TARGET_RATE} purchases a second on {args.workers} workers with p95 under"
        f" {TARGET_P95:.0f} ms a request, in every run: **{'met' if met else 'missed'}**.",
        "",
        END_MARK,
    ]
    return "\n".join(lines)


def workers_described(args, settings):
    if args.server == "gunicorn":
        return (
            f"{args.workers} gunicorn gthread workers on concierge.wsgi (one request at a time each,"
            f" connections kept alive; DB_POOL_SIZE={args.pool}), as docs/deployment.md serves the tills"
        )
    return (
        f"{args.workers} {args.server} workers on concierge.asgi"
        f" (DB_POOL_SIZE={args.pool}, REQUEST_THREADS={settings.REQUEST_THREADS})"
    )


def errors_note(r):
    return f" ({describe(r['statuses'])})" if r["statuses"] else ""


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.pool is None:
        args.pool = 2 if args.server == "gunicorn" else 8
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["REDIS_PREFIX"] = "concierge-bench"
    setup_django()
    from django.core.management import call_command

    from concierge.api_tokens import create_api_token
    from concierge.models import Member, Staff, Store
    from concierge.roles import Role

    call_command("migrate", verbosity=0)
    store = Store.objects.get(code=args.store)
    purchases, audits, touched, _restored = clean(store)
    if purchases or audits:
        log(f"removed {purchases:,} purchases and {audits} audit entries left by an earlier run")
    before = snapshot(store)
    rng = random.Random(args.seed)
    members = list(Member.objects.filter(store=store).values_list("member_no", flat=True))
    manager = Staff.objects.filter(store=store, is_active=True, groups__name=Role.STORE_MANAGER.value).first()
    processes = []
    try:
        token, text = create_api_token(store, actor=manager, name=TOKEN_NAME)
        receipts = Receipts(members, rng)
        env = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": "concierge-bench",
            "DATABASE_URL": f"{os.environ['DATABASE_URL']}?application_name={APPLICATION_NAME}",
            "DB_POOL_SIZE": str(args.pool),
        }
        ports, processes = start_api_workers(args, env)
        load = Load(args, ports, text, members, with_children([process.pid for process in processes]))
        rates = [int(rate) for rate in args.rates.split(",")]
        if args.warmup:
            load.run(rate=rates[0], seconds=args.warmup)
        steps = []
        for run in range(1, args.runs + 1):
            for rate in rates:
                r = load.run(rate=rate, seconds=args.seconds)
                r["run"] = run
                log(line(f"run {run}, {rate}/s", r))
                steps.append((rate, r))
        batch = load.run(
            rate=0, seconds=args.batch_seconds, batch=args.batch, connections=args.batch_connections
        )
        log(line(f"batches of {args.batch}", batch))
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        processes = []
        whole, parts, _total = profile(token, receipts, args.profile)
        log(f"  one request in process: {whole:.1f} ms")
        for name, ms in parts.items():
            log(f"    {name:52s} {ms:6.1f} ms")
        section = render(args, Member.objects.count(), steps, batch, whole, parts)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        purchases, audits, touched, restored = clean(store, before)
        log(
            f"removed {purchases:,} purchases, {audits} audit entries and the token;"
            f" {touched:,} members refreshed, {restored} put back from the snapshot"
        )
    if args.no_write:
        print(section)
    else:
        write_doc_section(section, START_MARK, END_MARK, SECTION_HEAD)
        log(f"wrote {DOC}")


if __name__ == "__main__":
    main()
