"""The revival figures' "something changed" over the real WebSocket consumer: it reaches the store
managers' open pages (and the staff member concerned), nobody else."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from concierge.asgi import application
from concierge.roles import Role
from tasks.revival.live import revival_changed
from tests.appointments.test_board_socket import headers_for
from tests.factories import StaffFactory, StoreFactory

pytestmark = pytest.mark.asyncio


def world():
    store, elsewhere = StoreFactory(), StoreFactory()
    return {
        "manager": StaffFactory(store=store, roles=[Role.STORE_MANAGER]),
        "credited": StaffFactory(store=store, roles=[Role.VIP_MANAGER]),
        "colleague": StaffFactory(store=store, roles=[Role.VIP_MANAGER]),
        "desk": StaffFactory(store=store, roles=[Role.FRONT_DESK]),
        "other_manager": StaffFactory(store=elsewhere, roles=[Role.STORE_MANAGER]),
    }


def credited_in_an_action(people):
    with transaction.atomic():
        store_id = people["manager"].store_id
        revival_changed(store_id, staff_ids=[people["credited"].pk])


@pytest.mark.django_db(transaction=True)
async def test_the_signal_reaches_the_store_managers_and_the_person_credited_after_commit():
    people = await sync_to_async(world)()
    sockets = {}
    for name, user in people.items():
        communicator = WebsocketCommunicator(
            application, "/ws/alerts/", headers=await sync_to_async(headers_for)(user)
        )
        connected, _code = await communicator.connect()
        assert connected
        sockets[name] = communicator
    try:
        await sync_to_async(credited_in_an_action)(people)
        got = {name: [] for name in sockets}
        for name, communicator in sockets.items():
            while not await communicator.receive_nothing(timeout=0.3):
                got[name].append(await communicator.receive_from())
    finally:
        for communicator in sockets.values():
            await communicator.disconnect()
    for name in ("manager", "credited"):
        assert len(got[name]) == 1, name
        assert 'id="revival-signal"' in got[name][0] and 'hx-swap-oob="true"' in got[name][0]
        # A bare signal: no alert toast, no figures.
        assert "alert-toasts" not in got[name][0]
    assert got["colleague"] == got["desk"] == got["other_manager"] == []


@pytest.mark.django_db(transaction=True)
async def test_nothing_is_sent_when_the_action_rolls_back():
    people = await sync_to_async(world)()
    communicator = WebsocketCommunicator(
        application, "/ws/alerts/", headers=await sync_to_async(headers_for)(people["manager"])
    )
    connected, _code = await communicator.connect()
    assert connected

    def rolled_back():
        with transaction.atomic():
            revival_changed(people["manager"].store_id)
            transaction.set_rollback(True)

    try:
        await sync_to_async(rolled_back)()
        assert await communicator.receive_nothing(timeout=0.3)
    finally:
        await communicator.disconnect()
