"""An alert socket lives no longer than the session that opened it (shared tablets)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from concierge import actions
from concierge.asgi import application
from concierge.consumers import SIGNED_OUT
from tests.factories import MemberFactory, TierFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")


def signed_in(user):
    """A browser of its own, signed in as user: (client, its session key, socket headers)."""
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return client, key, [ORIGIN, (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())]


async def open_socket(headers):
    communicator = WebsocketCommunicator(application, "/ws/alerts/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def assign_new_member(vip_manager, store_manager, store, name):
    def make_and_assign():
        member = MemberFactory(store=store, name=name, tier=TierFactory(dedicated_manager=True))
        actions.assign_member(member, vip_manager, actor=store_manager)

    await sync_to_async(make_and_assign)()


async def test_logging_out_closes_that_sessions_socket_and_no_alert_follows(
    vip_manager, store_manager, store
):
    client, _key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        response = await sync_to_async(client.post)("/accounts/logout/")
        assert response.status_code == 302
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": SIGNED_OUT}

        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        assert await socket.receive_nothing(timeout=0.3)
    finally:
        await socket.disconnect()


async def test_logging_out_on_one_tablet_leaves_the_other_tablets_socket_open(
    vip_manager, store_manager, store
):
    tablet, _key, headers = await sync_to_async(signed_in)(vip_manager)
    _other, _other_key, other_headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    other_socket = await open_socket(other_headers)
    try:
        await sync_to_async(tablet.post)("/accounts/logout/")
        assert (await socket.receive_output(timeout=2))["type"] == "websocket.close"

        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        html = await other_socket.receive_from(timeout=2)
        assert "王丽华" in html
    finally:
        await socket.disconnect()
        await other_socket.disconnect()


async def test_a_socket_whose_session_expired_is_closed_instead_of_alerted(vip_manager, store_manager, store):
    _client, key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        # The idle timeout passes while the page stays open on the tablet.
        expired = timezone.now() - timedelta(seconds=1)
        assert await sync_to_async(Session.objects.filter(session_key=key).update)(expire_date=expired) == 1

        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": SIGNED_OUT}
        assert await socket.receive_nothing(timeout=0.3)
    finally:
        await socket.disconnect()


async def test_a_socket_whose_session_was_deleted_is_closed(vip_manager, store_manager, store):
    _client, key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        # e.g. `clearsessions`, or the session ended from another process without the signal.
        await sync_to_async(Session.objects.filter(session_key=key).delete)()

        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        assert (await socket.receive_output(timeout=2))["type"] == "websocket.close"
    finally:
        await socket.disconnect()


async def test_a_password_reset_ends_the_alerts_of_sessions_signed_in_before(
    vip_manager, store_manager, store
):
    _client, _key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        # As when the store manager resets a lost tablet's password: its sessions stop signing in.
        vip_manager.set_password("a-new-password-4711")
        await sync_to_async(vip_manager.save)(update_fields=["password"])

        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        assert (await socket.receive_output(timeout=2))["type"] == "websocket.close"
    finally:
        await socket.disconnect()


async def test_a_live_session_still_gets_its_alerts(vip_manager, store_manager, store):
    _client, _key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        assert "王丽华" in await socket.receive_from(timeout=2)
    finally:
        await socket.disconnect()


async def test_the_session_is_read_again_at_the_first_push_then_at_most_every_recheck_interval(
    vip_manager, store_manager, store, settings
):
    """Many sockets per manager: reading the session on every push made each alert cost a query
    pair per socket. The first push checks; later ones only once the interval has passed."""
    settings.SOCKET_SESSION_RECHECK_SECONDS = 3600
    _client, key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        await assign_new_member(vip_manager, store_manager, store, "王丽华")
        assert "王丽华" in await socket.receive_from(timeout=2)

        expired = timezone.now() - timedelta(seconds=1)
        assert await sync_to_async(Session.objects.filter(session_key=key).update)(expire_date=expired) == 1
        await assign_new_member(vip_manager, store_manager, store, "李雪")
        assert "李雪" in await socket.receive_from(timeout=2)  # within the interval: not read again

        settings.SOCKET_SESSION_RECHECK_SECONDS = 0
        await assign_new_member(vip_manager, store_manager, store, "周婷")
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": SIGNED_OUT}
    finally:
        await socket.disconnect()


async def test_deactivating_a_colleague_closes_their_sockets_at_once(vip_manager, store_manager, store):
    from concierge import setup_actions

    _client, _key, headers = await sync_to_async(signed_in)(vip_manager)
    socket = await open_socket(headers)
    try:
        await sync_to_async(setup_actions.set_staff_active)(vip_manager, actor=store_manager, active=False)
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": SIGNED_OUT}
    finally:
        await socket.disconnect()
