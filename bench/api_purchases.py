"""Time the till's purchase API (POST /api/purchases) over HTTP on daphne workers.

    .venv/bin/python -m bench.generate          # once: fills the benchmark database
    .venv/bin/python -m bench.api_purchases     # times; rewrites its section of docs/benchmarks.md

Runs against BENCH_DATABASE_URL (default concierge_bench), never the working database. In order:

1. A token for store `--store`, made with `create_api_token` as the store's manager.
2. `--workers` daphne processes (the same environment as bench.reception: the Redis channel layer).
3. Single-purchase requests from `--threads` client threads (http.client, a kept-alive connection
   per thread, the threads spread over the workers) at offered rates stepping up (`--rates`, each
   for `--seconds`): real member numbers of the store, unique receipts, purchased now, amounts
   100-5000. Per step: achieved purchases a second, p50/p95/max latency of a request, errors.
4. Requests of `--batch` purchases each, as fast as `--threads` threads send them, for throughput.
5. One request's cost taken apart in the benchmark's own process: the parts of `record_purchases`.

Everything it adds is removed at the end: the purchases (by their receipt prefix), their audit
entries, the token and its audit entry; and the store's members are put back as they were found
(their figures refreshed, then any column still different written back from a snapshot).
"""

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import setup_django

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- api-purchases:start (written by python -m bench.api_purchases) -->"
END_MARK = "<!-- api-purchases:end -->"
SECTION_HEAD = "## Purchase API\n\n"
MARKER = "BENCHAPI-"
TOKEN_NAME = "bench.api_purchases"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
TARGET_RATE = 200  # purchases a second on 2 workers
TARGET_P95 = 50.0  # ms a request
GRACE = 5.0  # s after a step's end: requests the client has not sent by then are dropped


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="bj01")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--rates", default="100,200,300", help="offered purchases a second, per step")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds at the first rate, not counted")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--batch-seconds", type=float, default=15.0)
    parser.add_argument("--batch-threads", type=int, default=4)
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


class Client:
    """One kept-alive connection per thread, the threads spread over the workers."""

    def __init__(self, ports, token):
        self.ports = ports
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.local = threading.local()
        self.count = 0
        self.lock = threading.Lock()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            with self.lock:
                port = self.ports[self.count % len(self.ports)]
                self.count += 1
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return conn

    def post(self, payload):
        """(status, seconds, body or None); a failed connection is status 0."""
        body = json.dumps(payload).encode()
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request("POST", "/api/purchases", body=body, headers=self.headers)
            response = conn.getresponse()
            answer = response.read()
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                self.local.conn = None
            return response.status, elapsed, answer
        except (OSError, http.client.HTTPException):
            if getattr(self.local, "conn", None) is not None:
                self.local.conn.close()
            self.local.conn = None
            return 0, time.perf_counter() - started, None


def step(client, receipts, rate, seconds, threads):
    """Requests of one purchase offered at `rate` a second (open loop) for `seconds`."""
    results = []
    lock = threading.Lock()

    def send():
        if time.perf_counter() > started + seconds + GRACE:
            # The client's backlog: a request this late is not sent, and counts as an error.
            with lock:
                results.append((False, "not sent", 0.0, time.perf_counter()))
            return
        status, elapsed, answer = client.post(receipts.purchase())
        ok = status == 200 and json.loads(answer).get("created") == 1
        with lock:
            results.append((ok, status, elapsed, time.perf_counter()))

    total = int(rate * seconds)
    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        for n in range(total):
            due = started + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            pool.submit(send)
    finished = max([r[3] for r in results if r[1] != "not sent"] or [started + seconds])
    return summarise(results, finished - started, purchases_per_request=1)


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


def batches(client, receipts, size, seconds, threads):
    """Requests of `size` purchases each, back to back from `threads` threads (closed loop)."""
    results = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run():
        while time.perf_counter() < stop:
            status, elapsed, answer = client.post([receipts.purchase() for _ in range(size)])
            ok = status == 200 and json.loads(answer).get("created") == size
            with lock:
                results.append((ok, status, elapsed, time.perf_counter()))

    started = time.perf_counter()
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return summarise(results, time.perf_counter() - started, purchases_per_request=size)


def describe(statuses):
    return ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items(), key=str))


def line(label, r):
    statuses = describe(r["statuses"])
    return (
        f"  {label:>14s}  {r['rate']:6.1f} purchases/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
        f"  max {r['max']:7.1f} ms  errors {r['errors']}" + (f" ({statuses})" if statuses else "")
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


def render(args, members, steps, batch, whole, parts):
    target_step = next((r for rate, r in steps if rate == TARGET_RATE), None)
    met = (
        target_step is not None
        and target_step["rate"] >= TARGET_RATE * 0.98
        and target_step["p95"] < TARGET_P95
        and target_step["errors"] == 0
    )
    lines = [
        START_MARK,
        "",
        f"Run on {dt.date.today().isoformat()} with `python -m bench.api_purchases` over the scale data"
        f" set ({members:,} members), store `{args.store}`, {args.workers} daphne workers, the client in"
        f" the benchmark's process ({args.threads} threads, one kept-alive connection each, spread over"
        " the workers). Two cores, loopback, PostgreSQL and Redis on the same machine.",
        "",
        f"### One purchase a request, offered at a steady rate ({args.seconds:.0f} s a step)",
        "",
        "| offered | achieved | p50 | p95 | max | errors |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for rate, r in steps:
        lines.append(
            f"| {rate}/s | {r['rate']:.1f}/s | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['max']:.1f} ms"
            f" | {r['errors']} of {r['requests']}{errors_note(r)} |"
        )
    lines += [
        "",
        f"### {args.batch} purchases a request, as fast as {args.batch_threads} threads send them"
        f" ({args.batch_seconds:.0f} s)",
        "",
        "| requests | purchases/s | p50 | p95 | max | errors |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {batch['requests']} | {batch['rate']:.1f}/s | {batch['p50']:.1f} ms | {batch['p95']:.1f} ms"
        f" | {batch['max']:.1f} ms | {batch['errors']}{errors_note(batch)} |",
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
        f" {TARGET_P95:.0f} ms a request: **{'met' if met else 'missed'}**.",
        "",
        END_MARK,
    ]
    return "\n".join(lines)


def errors_note(r):
    return f" ({describe(r['statuses'])})" if r["statuses"] else ""


def write_doc(section):
    text = DOC.read_text(encoding="utf-8")
    if START_MARK in text:
        text = re.sub(
            re.escape(START_MARK) + r".*?" + re.escape(END_MARK), lambda _m: section, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + SECTION_HEAD + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["REDIS_PREFIX"] = "concierge-bench"
    setup_django()
    from django.core.management import call_command

    from bench.ws_latency import start_workers
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
        env = {**os.environ, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": "concierge-bench"}
        ports, processes = start_workers(args.workers, env)
        client = Client(ports, text)
        rates = [int(rate) for rate in args.rates.split(",")]
        if args.warmup:
            step(client, receipts, rates[0], args.warmup, args.threads)
        steps = []
        for rate in rates:
            r = step(client, receipts, rate, args.seconds, args.threads)
            log(line(f"offered {rate}/s", r))
            steps.append((rate, r))
        batch = batches(client, receipts, args.batch, args.batch_seconds, args.batch_threads)
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
        write_doc(section)
        log(f"wrote {DOC}")


if __name__ == "__main__":
    main()
