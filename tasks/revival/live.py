"""The revival dashboard's live refresh: open dashboards reload their figures when a revival is
credited or taken back, an attempt is recorded or a case moves, without polling.

As with the arrivals board (concierge/appointments/live.py) the push carries no figures, only
"something changed": each page fetches its own part over HTTP, store-scoped and in its reader's
language. It goes to the store managers' sockets (their role group) and to the staff member
concerned, after commit; a channel-layer outage never fails the action.
"""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from concierge.alerts import user_group
from concierge.roles import Role

log = logging.getLogger(__name__)

# static/js turns this push into an htmx "revival-changed" event on [data-refresh-on-revival].
REVIVAL_CHANGED_HTML = (
    '<div id="revival-signal" hx-swap-oob="true" hidden data-revival-changed="{stamp}"></div>'
)


def manager_group(store_id):
    # The consumer joins every socket to "<role>.<store>" for each of the user's roles.
    return f"{Role.STORE_MANAGER}.{store_id}"


def revival_changed(store_id, staff_ids=()):
    """After the running transaction commits, tell the store's dashboards (and these staff) to reload."""
    groups = [manager_group(store_id), *(user_group(pk) for pk in sorted(set(staff_ids)) if pk)]
    transaction.on_commit(lambda: _push(groups))


def _push(groups):
    layer = get_channel_layer()
    if layer is None:
        return
    html = REVIVAL_CHANGED_HTML.format(stamp=int(time.time() * 1000))
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, {"type": "alert.push", "html": html})
        except Exception:
            log.exception("could not tell %s that the revival figures changed", group)
