"""The alert WebSocket: who may connect, and pushed alerts arriving after an action commits."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from concierge import actions
from concierge.asgi import application
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.asyncio

PATH = "/ws/alerts/"
ORIGIN = (b"origin", b"http://testserver")


def headers_for(client, user):
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


async def connect(headers):
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _code = await communicator.connect()
    return communicator, connected


def assign(member, manager, store_manager):
    # The callbacks run when the transaction commits: this test's database commits for real.
    return actions.assign_member(member, manager, actor=store_manager)


async def assert_alert_arrives(client, vip_manager, store_manager, store):
    member = await sync_to_async(MemberFactory)(
        store=store, name="王丽华", tier=await sync_to_async(TierFactory)(dedicated_manager=True)
    )
    headers = await sync_to_async(headers_for)(client, vip_manager)
    communicator, connected = await connect(headers)
    assert connected
    try:
        await sync_to_async(assign)(member, vip_manager, store_manager)
        html = await communicator.receive_from(timeout=2)
    finally:
        await communicator.disconnect()
    assert 'id="alert-toasts"' in html
    assert "王丽华" in html
    assert 'id="alert-count"' in html
    assert ">1</span>" in html


@pytest.mark.django_db(transaction=True)
async def test_an_assignment_reaches_the_managers_open_page(client, vip_manager, store_manager, store):
    await assert_alert_arrives(client, vip_manager, store_manager, store)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
async def test_an_assignment_reaches_the_page_over_redis(client, vip_manager, store_manager, store):
    from channels.layers import get_channel_layer

    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"
    await assert_alert_arrives(client, vip_manager, store_manager, store)


@pytest.mark.django_db(transaction=True)
async def test_anonymous_sockets_are_refused():
    communicator, connected = await connect([ORIGIN])
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_foreign_origins_are_refused(client, vip_manager):
    headers = await sync_to_async(headers_for)(client, vip_manager)
    foreign = [(b"origin", b"https://evil.example.com"), *[h for h in headers if h[0] != b"origin"]]
    communicator, connected = await connect(foreign)
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_other_people_do_not_get_the_alert(client, vip_manager, front_desk, store_manager, store):
    member = await sync_to_async(MemberFactory)(
        store=store, tier=await sync_to_async(TierFactory)(dedicated_manager=True)
    )
    headers = await sync_to_async(headers_for)(client, front_desk)
    communicator, connected = await connect(headers)
    assert connected
    try:
        await sync_to_async(assign)(member, vip_manager, store_manager)
        assert await communicator.receive_nothing(timeout=0.3)
    finally:
        await communicator.disconnect()
