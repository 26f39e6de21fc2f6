"""Time from an assignment's commit to its alert arriving on the VIP manager's WebSocket.

    python -m bench.ws_latency [--sockets 500] [--assignments 200] [--workers 2]

Starts `--workers` daphne (or `--server uvicorn`) processes on the benchmark database with the
Redis channel layer, opens `--sockets` WebSockets spread over them (signed in as the store's VIP
managers, several sockets per manager as several tablets would be), then assigns members one by
one with the real `assign_member` action and measures, for each, the time from the commit to the
alert's arrival on the manager's socket. The assignments are removed afterwards. Prints
p50/p95/max and, unless --no-write, records them in docs/benchmarks.md between the ws-latency
markers.
"""

import argparse
import asyncio
import math
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import setup_django

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--assignments", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10, help="assignments made first and not counted")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=SERVERS, default="daphne", help="the workers' ASGI server")
    parser.add_argument("--store", default="bj01")
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVERS = ("daphne", "uvicorn")


def server_command(server, port):
    """The command that runs one worker of the ASGI application on `port`.

    uvicorn (not in requirements.txt: `pip install uvicorn httptools uvloop`) runs as one process a
    worker like daphne, on its httptools parser and uvloop's event loop, without an access log
    (daphne writes none by default) and without the lifespan protocol (Channels' router has none).
    """
    if server == "daphne":
        return [str(Path(sys.executable).with_name("daphne")), "-b", "127.0.0.1", "-p", str(port), ASGI_APP]
    if server == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            ASGI_APP,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--lifespan",
            "off",
            "--no-access-log",
        ]
    raise ValueError(f"unknown server {server!r}")


ASGI_APP = "concierge.asgi:application"


def start_workers(count, env, server="daphne"):
    if server == "uvicorn":
        try:
            import httptools  # noqa: F401
            import uvicorn  # noqa: F401
            import uvloop  # noqa: F401
        except ImportError:
            sys.exit("uvicorn workers need: pip install uvicorn httptools uvloop")
    ports, processes = [], []
    for _ in range(count):
        port = free_port()
        processes.append(
            subprocess.Popen(
                server_command(server, port),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    wait_for_ports(ports, server)
    return ports, processes


def wait_for_ports(ports, server):
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"{server} did not start")
            time.sleep(0.1)


def session_cookie(user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def percentile(values, fraction):
    """Nearest-rank percentile."""
    values = sorted(values)
    return values[max(1, math.ceil(fraction * len(values))) - 1]


async def main(args):
    import websockets
    from django.db import transaction

    from concierge import actions
    from concierge.models import Assignment, Member, Staff, Store
    from concierge.roles import Role

    store = await asyncio.to_thread(Store.objects.get, code=args.store)

    def prepare():
        boss = Staff.objects.filter(store=store, groups__name=Role.STORE_MANAGER.value).first()
        managers = list(Staff.objects.filter(store=store, groups__name=Role.VIP_MANAGER.value).order_by("pk"))
        Staff.objects.filter(pk__in=[m.pk for m in managers]).update(caseload_limit=10_000)
        free = list(
            Member.objects.filter(store=store, tier__dedicated_manager=True)
            .exclude(assignments__state__in=actions.OPEN_STATES)
            .order_by("member_no")[: args.assignments + args.warmup]
        )
        cookies = {m.pk: session_cookie(m) for m in managers}
        return boss, managers, free, cookies

    boss, managers, free, cookies = await asyncio.to_thread(prepare)
    if len(free) < args.assignments + args.warmup:
        sys.exit(f"only {len(free)} unassigned members with the dedicated-manager benefit in {args.store}")

    env = {**os.environ, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": "concierge-bench"}
    ports, processes = start_workers(args.workers, env, args.server)
    sockets = {}  # manager pk -> list of open sockets
    arrivals = {}
    try:
        for index in range(args.sockets):
            manager = managers[index % len(managers)]
            port = ports[index % len(ports)]
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/alerts/",
                additional_headers={"Cookie": cookies[manager.pk], "Origin": f"http://127.0.0.1:{port}"},
            )
            sockets.setdefault(manager.pk, []).append(ws)

        async def listen(manager_pk, ws):
            async for message in ws:
                found = re.search(r'data-alert="(\d+)"', message)
                if found:
                    arrivals.setdefault(int(found[1]), time.perf_counter())

        listeners = [asyncio.create_task(listen(pk, ws)) for pk, group in sockets.items() for ws in group]
        await asyncio.sleep(1)  # every socket joined its groups

        latencies = []
        rng = random.Random(7)
        created = []
        for member in free:
            manager = rng.choice([m for m in managers if m.pk in sockets])
            committed = {}

            def assign(member=member, manager=manager, committed=committed):
                with transaction.atomic():
                    # Registered first, so it runs first when the transaction commits.
                    transaction.on_commit(lambda: committed.setdefault("at", time.perf_counter()))
                    assignment = actions.assign_member(member, manager, actor=boss, direct=True)
                return assignment

            assignment = await asyncio.to_thread(assign)
            created.append(assignment.pk)
            alert_id = await asyncio.to_thread(
                lambda a=assignment: a.manager.alerts.order_by("-pk").values_list("pk", flat=True).first()
            )
            deadline = time.perf_counter() + 5
            while alert_id not in arrivals and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            if alert_id not in arrivals:
                sys.exit(f"alert {alert_id} never arrived")
            latencies.append((arrivals[alert_id] - committed["at"]) * 1000)
        for task in listeners:
            task.cancel()
        for group in sockets.values():
            for ws in group:
                await ws.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)

    def clean():
        from concierge.models import Alert, AuditEntry

        Alert.objects.filter(object_id__in=[str(pk) for pk in created]).delete()
        AuditEntry.objects.filter(
            content_type__model="assignment", object_id__in=[str(pk) for pk in created]
        ).delete()
        Assignment.objects.filter(pk__in=created).delete()

    await asyncio.to_thread(clean)
    return latencies[args.warmup :], len(sockets)


def report(args, latencies, managers_online):
    p50, p95, worst = percentile(latencies, 0.5), percentile(latencies, 0.95), max(latencies)
    workers = f"{args.workers} {args.server} workers"
    print(f"{len(latencies)} assignments, {args.sockets} sockets on {workers} (Redis)")
    print(f"commit -> alert on the socket: p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {worst:.1f} ms")
    if args.no_write:
        return
    block = (
        "<!-- ws-latency:start (written by python -m bench.ws_latency) -->\n\n"
        "### Live alerts: commit to WebSocket\n\n"
        f"{args.sockets} WebSockets open across {args.workers} {args.server} processes on the Redis channel"
        " layer, "
        f"signed in as the {managers_online} VIP managers of store `{args.store}` (several tablets each); "
        f"{len(latencies)} assignments (after {args.warmup} not counted) made one after another with "
        "`assign_member` in the benchmark's own "
        "process; time from the transaction's commit to the alert's arrival on the first of the "
        "manager's sockets (every one of them receives it; same machine, loopback).\n\n"
        "| p50 | p95 | max |\n|---:|---:|---:|\n"
        f"| {p50:.1f} ms | {p95:.1f} ms | {worst:.1f} ms |\n\n"
        "<!-- ws-latency:end -->"
    )
    text = DOC.read_text()
    pattern = re.compile(r"<!-- ws-latency:start.*?<!-- ws-latency:end -->", re.S)
    text = pattern.sub(block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def run(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["REDIS_PREFIX"] = "concierge-bench"
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    latencies, managers_online = asyncio.run(main(args))
    report(args, latencies, managers_online)


if __name__ == "__main__":
    run()
