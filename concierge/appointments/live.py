"""The arrivals board's live refresh: every open board in the store reloads its timeline when any
visit of the store changes, from any tablet, without polling.

The push carries no data, only "the board changed": each board fetches its own timeline over
HTTP (store-scoped, in its reader's language), so a push never shows one person's page to
another. Sent after commit; a channel-layer outage never fails the action.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from concierge.alerts import board_group

log = logging.getLogger(__name__)

# What the board listens for: static/js/reception.js turns this push into an htmx "board-changed"
# event on [data-refresh-on-board]. It goes to the sockets of open boards only (their page connects
# with ?board=1, concierge.consumers), and the board page holds the #board-signal it swaps.
BOARD_CHANGED_HTML = '<div id="board-signal" hx-swap-oob="true" hidden data-board-changed="{stamp}"></div>'


def board_changed(store_id):
    """After the running transaction commits, tell the store's open boards to reload."""
    transaction.on_commit(lambda: _push(store_id))


def _push(store_id):
    import time

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        html = BOARD_CHANGED_HTML.format(stamp=int(time.time() * 1000))
        async_to_sync(layer.group_send)(board_group(store_id), {"type": "alert.push", "html": html})
    except Exception:
        log.exception("could not tell the boards of store %s to reload", store_id)
