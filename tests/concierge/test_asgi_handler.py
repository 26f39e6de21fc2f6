"""The HTTP side of concierge/asgi.py: a request's middleware and view on a kept thread, a few at a
time, and no more threads kept than a burst needs."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import ThreadSensitiveContext
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.decorators import login_not_required
from django.core.signals import request_finished, request_started
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from concierge.asgi import SyncChainASGIHandler


@override_settings(REQUEST_THREADS=2)
def test_a_burst_leaves_no_more_than_a_few_threads_behind():
    handler = SyncChainASGIHandler()
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

    handler.respond = slow_view
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


# ---- one crossing a request ------------------------------------------------------------------------

seen = []


@login_not_required
def whole(request):
    seen.append(("view", threading.get_ident()))
    return HttpResponse("whole")


async def parts():
    yield b"a"
    yield b"b"


@login_not_required
def streamed(request):
    seen.append(("view", threading.get_ident()))
    return StreamingHttpResponse(parts())


urlpatterns = [path("whole", whole), path("streamed", streamed)]


def started(**kwargs):
    seen.append(("started", threading.get_ident()))


def finished(**kwargs):
    seen.append(("finished", threading.get_ident()))


class CountingThread(ThreadPoolExecutor):
    """A request's thread that counts the crossings to it from the event loop."""

    crossings = 0

    def submit(self, *args, **kwargs):
        self.crossings += 1
        return super().submit(*args, **kwargs)


async def get(path, thread):
    handler = SyncChainASGIHandler()
    handler.idle_threads.append(thread)
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "scheme": "http",
    }
    app = ApplicationCommunicator(handler, scope)
    await app.send_input({"type": "http.request", "body": b""})
    start = await app.receive_output(5)
    body = b""
    while True:
        message = await app.receive_output(5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await app.wait(5)
    return start["status"], body


@pytest.fixture
def signals_seen():
    seen.clear()
    request_started.connect(started)
    request_finished.connect(finished)
    yield seen
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@pytest.mark.asyncio
@override_settings(ROOT_URLCONF=__name__)
async def test_a_whole_response_is_started_made_and_closed_on_its_thread_in_one_go(signals_seen):
    thread = CountingThread(1, "request")
    assert await get("/whole", thread) == (200, b"whole")
    assert [event for event, _thread in signals_seen] == ["started", "view", "finished"]
    assert len({thread for _event, thread in signals_seen}) == 1
    assert thread.crossings == 1


@pytest.mark.asyncio
@override_settings(ROOT_URLCONF=__name__)
async def test_a_streamed_response_is_closed_once_sent(signals_seen):
    thread = CountingThread(1, "request")
    assert await get("/streamed", thread) == (200, b"ab")
    assert [event for event, _thread in signals_seen] == ["started", "view", "finished"]
    # The view, then the closing once the parts are out.
    assert thread.crossings == 2
