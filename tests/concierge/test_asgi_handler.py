"""The HTTP side of concierge/asgi.py: a request's middleware and view on a kept thread, a few at a
time, and no more threads kept than a burst needs."""

import asyncio
import threading

import pytest
from asgiref.sync import ThreadSensitiveContext
from django.test import override_settings

from concierge.asgi import SyncChainASGIHandler


@override_settings(REQUEST_THREADS=2)
def test_a_burst_leaves_no_more_than_a_few_threads_behind():
    handler = SyncChainASGIHandler()
    from concurrent.futures import ThreadPoolExecutor

    burst = [ThreadPoolExecutor(1, "request") for _ in range(10)]
    for executor in burst:
        executor.submit(lambda: None).result()
    for executor in burst:
        handler._put_back(executor)
    assert len(handler.idle_threads) == 4
    # The others were shut down: they take no more work.
    with pytest.raises(RuntimeError):
        burst[-1].submit(lambda: None)


@pytest.mark.asyncio
@override_settings(REQUEST_THREADS=1)
async def test_a_view_whose_client_left_keeps_its_turn_until_it_ends():
    handler = SyncChainASGIHandler()
    started, release = threading.Event(), threading.Event()
    running = []

    def slow_view(request):
        running.append(request)
        started.set()
        release.wait(5)
        running.remove(request)
        return "done"

    async def request(name):
        # Each request has its own thread, as SyncChainASGIHandler.__call__ gives it.
        async with ThreadSensitiveContext():
            return await handler.get_response_async(name)

    handler.get_response = slow_view
    first = asyncio.ensure_future(request("first"))
    while not started.is_set():
        await asyncio.sleep(0.01)
    first.cancel()
    second = asyncio.ensure_future(request("second"))
    await asyncio.sleep(0.2)
    # The first view still runs on its thread: the second waits for the one turn.
    assert running == ["first"]
    release.set()
    assert await asyncio.wait_for(second, 5) == "done"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert running == []
