"""An HTTP load client in processes of its own, for the purchase API's benchmark.

The server's workers and the client share the machine's cores. A client of threads in the
benchmark's own process (http.client, one thread a connection) spent as much CPU as a worker and
timed its own scheduling as the server's latency; this one is a plain asyncio loop per process,
speaking HTTP/1.1 on kept-alive connections by hand, without Django. Each process reports the CPU
it used, so the benchmark can say what share of the cores the client took.

`run_step(...)` starts `processes` client processes (spawned: nothing of the parent's Django or its
database connections is inherited) and returns what they measured, merged.
"""

import asyncio
import datetime as dt
import json
import multiprocessing
import random
import time

# Requests the client has not sent this long after a step's end are dropped and count as errors.
GRACE = 5.0


def _request_bytes(port, token, payload):
    body = json.dumps(payload).encode()
    head = (
        f"POST /api/purchases HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def _exchange(reader, writer, data):
    """(status, body, server closes); raises OSError/IncompleteReadError on a broken connection."""
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for header in lines[1:]:
        name, _sep, value = header.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


class _Connection:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def post(self, data):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            status, body, close = await _exchange(self.reader, self.writer, data)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.close()
            return 0, b""
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _step(spec):
    rng = random.Random(spec["seed"])
    members = spec["members"]
    ports = spec["ports"]
    connections = asyncio.Queue()
    for n in range(spec["connections"]):
        connections.put_nowait(_Connection(ports[n % len(ports)]))
    rate, seconds, size = spec["rate"], spec["seconds"], spec["batch"]
    results = []  # (ok, status, latency s, finished at, waited for a connection s)

    def purchase(n):
        return {
            "member_no": rng.choice(members),
            "purchased_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "amount": f"{rng.randint(100, 5000)}.00",
            "receipt_ref": f"{spec['marker']}{spec['process']:02d}{spec['offset'] + n:08d}",
        }

    async def send(n, due, counter):
        connection = await connections.get()
        try:
            sent = time.perf_counter()
            if sent > started + seconds + GRACE:
                results.append((False, "not sent", 0.0, sent, sent - due))
                return
            payload = [purchase(counter + k) for k in range(size)] if size else purchase(counter)
            status, body = await connection.post(_request_bytes(connection.port, spec["token"], payload))
            finished = time.perf_counter()
            try:
                ok = status == 200 and json.loads(body).get("created") == (size or 1)
            except ValueError:
                ok = False
            results.append((ok, status, finished - sent, finished, sent - due))
        finally:
            connections.put_nowait(connection)

    cpu = time.process_time()
    started = time.perf_counter()
    tasks = []
    counter = 0
    if rate:
        # Open loop: requests are due at a steady rate whatever the answers do.
        per_process = rate / spec["processes"]
        for n in range(int(per_process * seconds)):
            due = started + n / per_process
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(send(n, due, counter)))
            counter += size or 1
    else:
        # Closed loop: each connection sends its next request when the last is answered.
        async def loop():
            nonlocal counter
            while time.perf_counter() < started + seconds:
                now = time.perf_counter()
                n = counter
                counter += size or 1
                await send(n, now, n)

        tasks = [asyncio.create_task(loop()) for _ in range(spec["connections"])]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    while not connections.empty():
        connections.get_nowait().close()
    return {"results": results, "cpu": cpu, "elapsed": elapsed, "started": started, "sent": counter}


def _process_main(spec, queue):
    queue.put(asyncio.run(_step(spec)))


def run_step(
    *, ports, token, members, marker, rate, seconds, connections, processes, batch=0, seed=0, offset=0
):
    """One step of load. rate > 0: `rate` requests a second offered in all (open loop); rate 0:
    `connections` connections each sending back to back (closed loop). `batch` purchases a request
    (0: one purchase object, not a list). Returns the processes' measures merged; receipts are
    marker + process + a number from `offset`."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = []
    for index in range(processes):
        spec = {
            "ports": ports,
            "token": token,
            "members": members,
            "marker": marker,
            "rate": rate,
            "seconds": seconds,
            "connections": max(1, connections // processes),
            "processes": processes,
            "batch": batch,
            "seed": seed * 1000 + index,
            "process": index,
            "offset": offset,
        }
        worker = context.Process(target=_process_main, args=(spec, queue))
        worker.start()
        workers.append(worker)
    parts = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    results = [r for part in parts for r in part["results"]]
    return {
        "results": results,
        "client_cpu": sum(part["cpu"] for part in parts),
        "elapsed": max(part["elapsed"] for part in parts),
        "sent": sum(part["sent"] for part in parts),
    }
