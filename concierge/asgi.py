import asyncio
import contextlib
import gc
import os
import weakref
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import connections
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, with each request's middleware and view run in one go, on a thread
    kept from one request to the next, a few requests at a time (docs/benchmarks.md, "Purchase API").

    Every view and most middleware of this app are synchronous. Django's own handler:
    - runs the middleware chain in async mode: a request crosses between the event loop and its
      thread at each change of kind, and twice at each middleware that can do both (about ten
      crossings for a till's purchase, each a thread switch waiting on the GIL). Here the chain is
      built synchronous and entered once.
    - starts a new thread for every request, and the event loop waits for it to start (under load,
      for the GIL). Here each request borrows a thread that served an earlier one.
    - runs every request at once, all of them sharing one GIL. Here at most REQUEST_THREADS run
      their middleware and view at a time; the others wait their turn on the event loop.
    - crosses to the request's thread twice more: to send `request_started`, and to close the
      response (which sends `request_finished` and gives the database connection back). Here both
      happen in the one crossing that runs the view: the signal just before the middleware, and a
      whole (not streaming) response is closed as soon as it is made, before it is written out:
      its content is already in memory, and its connection returns to the pool the earlier.
    The event loop still reads and writes the sockets; the WebSocket consumers are untouched.
    """

    def __init__(self):
        super().__init__()
        self.idle_threads = []
        self.turns = weakref.WeakKeyDictionary()  # {event loop: its semaphore}

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        thread = self.idle_threads.pop() if self.idle_threads else ThreadPoolExecutor(1, "request")
        try:
            # The request's thread-sensitive work (the request signals, the view, closing the
            # response and with it the database connection) runs on this one thread.
            async with ThreadSensitiveContext(executor=thread):
                await super().__call__(scope, receive, send)
        finally:
            self._put_back(thread)

    def _put_back(self, thread):
        """Keep a few threads for the next requests; a burst's extra ones end, with their
        database connection (kept open on the thread when CONN_MAX_AGE is set)."""
        if len(self.idle_threads) < 2 * settings.REQUEST_THREADS:
            self.idle_threads.append(thread)
            return
        thread.submit(connections.close_all)
        thread.shutdown(wait=False)

    async def handle(self, scope, receive, send):
        """Django's ASGIHandler.handle, with `request_started` and the closing of a whole response
        moved onto the request's thread (`respond`)."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            await signals.request_started.asend(sender=self.__class__, scope=scope)
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return

        async def process_request(request, send):
            response = await self.run_get_response(request)
            with contextlib.suppress(asyncio.CancelledError):  # the client left while it was sent
                await self.send_response(response, send)
            return response

        # As Django does: a client that leaves while the view runs cancels the request (the view
        # itself runs on to its end, see get_response_async).
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request(request, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            if not getattr(request, "response_closed", False):
                await signals.request_finished.asend(sender=self.__class__)
        else:
            if not response.closed:
                await sync_to_async(response.close)()
        body_file.close()

    def respond(self, request):
        """On the request's thread: `request_started`, the middleware and view, and the closing of
        a whole response (`request_finished`: the database connection goes back)."""
        signals.request_started.send(sender=self.__class__, scope=request.scope)
        response = self.get_response(request)
        response._handler_class = self.__class__
        if not response.streaming:
            response.close()
            request.response_closed = True
        return response

    async def get_response_async(self, request):
        turns = self.turns.get(loop := asyncio.get_running_loop())
        if turns is None:
            turns = self.turns[loop] = asyncio.Semaphore(settings.REQUEST_THREADS)
        async with turns:
            work = asyncio.ensure_future(sync_to_async(self.respond, thread_sensitive=True)(request))
            try:
                return await asyncio.shield(work)
            except asyncio.CancelledError:
                # The client went away, but a view on its thread cannot be stopped: it keeps its
                # turn until it ends, so no more than REQUEST_THREADS views ever run at once.
                await asyncio.wait([work])
                raise


# Django must be set up before the routing imports models.
django.setup(set_prefix=False)
django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from concierge.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up loaded (Django, the URLconf, the apps) lives as long as the process: set it aside
# from the garbage collector, whose full passes would otherwise scan it all again and again. Those
# passes were most of the arrivals board's slowest responses (docs/benchmarks.md, "Reception").
gc.collect()
gc.freeze()
