"""Alerts speak their reader's language: pushed in the recipient's, listed in the reader's.

The push goes through the real (in-memory) channel layer to a WebsocketCommunicator; the store
manager who causes the alert reads another language than the VIP manager who gets it.
"""

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from concierge import actions
from concierge.asgi import application
from concierge.models import Alert
from tests.factories import MemberFactory, TierFactory

PATH = "/ws/alerts/"
ORIGIN = (b"origin", b"http://testserver")
ENGLISH = "陈静 asks you to look after 王丽华 ("
CHINESE = "陈静 请您负责 王丽华 ("


def headers_for(client, user):
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


def speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


def assign_as(store_manager, member, vip_manager):
    # The store manager's own request runs in their language; the alert must not take it over.
    with translation.override(store_manager.preferred_language):
        return actions.assign_member(member, vip_manager, actor=store_manager)


async def push_and_list(client, vip_manager, store_manager, store):
    from channels.testing import WebsocketCommunicator

    member = await sync_to_async(MemberFactory)(
        store=store, name="王丽华", tier=await sync_to_async(TierFactory)(dedicated_manager=True)
    )
    headers = await sync_to_async(headers_for)(client, vip_manager)
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    try:
        await sync_to_async(assign_as)(store_manager, member, vip_manager)
        pushed = await communicator.receive_from(timeout=2)
    finally:
        await communicator.disconnect()
    listed = await sync_to_async(client.get)(reverse("concierge:alerts"))
    return pushed, listed.content.decode()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_chinese_speaking_store_manager_alerts_an_english_speaking_vip_manager_in_english(
    client, vip_manager, store_manager, store
):
    await sync_to_async(speak)(store_manager, "zh-hans")
    await sync_to_async(speak)(vip_manager, "en")
    pushed, listed = await push_and_list(client, vip_manager, store_manager, store)
    assert ENGLISH in pushed
    assert ENGLISH in listed
    assert "请您负责" not in pushed + listed


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_english_speaking_store_manager_alerts_a_chinese_speaking_vip_manager_in_chinese(
    client, vip_manager, store_manager, store
):
    await sync_to_async(speak)(store_manager, "en")
    await sync_to_async(speak)(vip_manager, "zh-hans")
    pushed, listed = await push_and_list(client, vip_manager, store_manager, store)
    assert CHINESE in pushed
    assert CHINESE in listed
    assert "asks you to look after" not in pushed + listed


@pytest.mark.django_db
def test_the_list_follows_the_reader_when_their_language_changes(
    client_for, vip_manager, store_manager, store
):
    member = MemberFactory(store=store, name="王丽华", tier=TierFactory(dedicated_manager=True))
    speak(vip_manager, "en")
    assign_as(store_manager, member, vip_manager)
    client = client_for(vip_manager)
    assert ENGLISH in client.get(reverse("concierge:alerts")).content.decode()
    speak(vip_manager, "zh-hans")
    assert CHINESE in client.get(reverse("concierge:alerts")).content.decode()


@pytest.mark.django_db
def test_a_staff_member_without_a_language_reads_the_stores(client_for, vip_manager, store_manager, store):
    store.language = "en"
    store.save()
    member = MemberFactory(store=store, name="王丽华", tier=TierFactory(dedicated_manager=True))
    speak(store_manager, "zh-hans")
    assign_as(store_manager, member, vip_manager)
    row = Alert.objects.get(recipient=vip_manager)
    assert row.text.startswith(ENGLISH)
    assert ENGLISH in client_for(vip_manager).get(reverse("concierge:alerts")).content.decode()


@pytest.mark.django_db
def test_old_alerts_with_text_only_still_show(client_for, vip_manager):
    Alert.objects.create(recipient=vip_manager, kind="assignment.proposed", text="陈静 请您负责 李明。")
    speak(vip_manager, "en")
    page = client_for(vip_manager).get(reverse("concierge:alerts")).content.decode()
    assert "陈静 请您负责 李明。" in page
