"""The board's live refresh and the host's alert over the real WebSocket consumer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from concierge.appointments import arrivals
from concierge.asgi import application
from concierge.models import Appointment
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, StoreFactory

pytestmark = pytest.mark.asyncio
ORIGIN = (b"origin", b"http://testserver")


def headers_for(user):
    from django.test import Client

    client = Client()  # one each: a second login on the same client would end the first session
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


def world():
    store, elsewhere = StoreFactory(), StoreFactory()
    host = StaffFactory(store=store, display_name="王丽", roles=[Role.VIP_MANAGER])
    desk = StaffFactory(store=store, roles=[Role.FRONT_DESK])
    stranger = StaffFactory(store=elsewhere, roles=[Role.FRONT_DESK])
    now = timezone.now()
    appointment = Appointment.objects.create(
        store=store,
        member=MemberFactory(store=store, name="张美玲", gender="f"),
        host=host,
        purpose="shopping",
        starts_at=now,
        ends_at=now + timezone.timedelta(hours=1),
    )
    return host, desk, stranger, appointment


@pytest.mark.django_db(transaction=True)
async def test_a_check_in_reaches_the_host_and_every_board_of_the_store():
    host, desk, stranger, appointment = await sync_to_async(world)()
    sockets = {}
    # The desk's and the stranger's pages are boards; the host's tablet is on another page.
    for name, user, path in (
        ("host", host, "/ws/alerts/"),
        ("desk", desk, "/ws/alerts/?board=1"),
        ("stranger", stranger, "/ws/alerts/?board=1"),
    ):
        communicator = WebsocketCommunicator(
            application, path, headers=await sync_to_async(headers_for)(user)
        )
        connected, _code = await communicator.connect()
        assert connected
        sockets[name] = communicator
    try:
        await sync_to_async(arrivals.check_in_appointment)(appointment, actor=desk)
        got = {name: [] for name in sockets}
        for name, communicator in sockets.items():
            while not await communicator.receive_nothing(timeout=0.3):
                got[name].append(await communicator.receive_from())
    finally:
        for communicator in sockets.values():
            await communicator.disconnect()
    toasts = [html for html in got["host"] if 'id="alert-toasts"' in html]
    assert len(toasts) == 1 and "张" in toasts[0]
    # Only open boards hear that the board changed: the host's other pages are not woken by it.
    assert not [html for html in got["host"] if 'id="board-signal"' in html]
    assert [html for html in got["desk"] if 'id="board-signal"' in html]
    assert not [html for html in got["desk"] if 'id="alert-toasts"' in html]
    assert got["stranger"] == []
