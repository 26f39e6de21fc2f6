"""The one way to alert staff: `alert(...)` writes Alert rows, and after commit pushes them live.

The row is the alert; the WebSocket push is a courtesy. A tablet that was asleep reads its unread
alerts over plain HTTP when a page opens, and a channel-layer outage never fails the action.

An alert's words are a concierge.i18n.Message, stored as code and parameters: the list and the
bell render it in the reader's language, and each push is rendered in its recipient's language
(Staff.preferred_language), whoever caused it and whatever language their own page was in.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from concierge.i18n import Message
from concierge.models import Alert

log = logging.getLogger(__name__)


def user_group(user_id):
    return f"user.{user_id}"


def store_group(store_id):
    return f"store.{store_id}"


def board_group(store_id):
    """The store's open arrivals boards."""
    return f"board.{store_id}"


def alert(recipients, kind, obj, message, link=""):
    """Alert each recipient (staff members; duplicates and None are dropped) with `message`.

    `message` is a Message (or a gettext_lazy text); a plain string is stored as it is, the same
    for every reader, and suits only words that need no translation.
    Side effects: one Alert row per recipient, now, in the caller's transaction; one WebSocket
    push per recipient after that transaction commits (none if it rolls back).
    Returns the Alert rows.
    """
    unique = {user.pk: user for user in recipients if user is not None}
    if isinstance(message, Promise):
        message = Message.label(message)
    stored = message.to_json() if isinstance(message, Message) else None
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    rows = Alert.objects.bulk_create(
        Alert(
            recipient_id=user_id,
            kind=kind,
            message=stored,
            # As the recipient reads it today: what the admin and exports show.
            text=_render_for(user, message)[:300],
            link=link,
            content_type=content_type,
            object_id=str(obj.pk) if obj is not None else "",
        )
        for user_id, user in unique.items()
    )
    transaction.on_commit(lambda: push([(unique[row.recipient_id], row) for row in rows]))
    return rows


def _render_for(user, message):
    with translation.override(user.preferred_language):
        return str(message)


def push(pairs):
    """Send each (recipient, alert) to the recipient's sockets; failures are logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    for user, row in pairs:
        try:
            html = render_push(user, row)
            async_to_sync(layer.group_send)(user_group(user.pk), {"type": "alert.push", "html": html})
        except Exception:
            # The alert is stored; the bell will show it on the next page load.
            log.exception("could not push alert %s to user %s", row.pk, user.pk)


def unread_count(user):
    return Alert.objects.filter(recipient=user, read_at__isnull=True).count()


def render_push(user, row):
    """The HTML the htmx ws extension swaps in: a toast and the bell's unread count (out of band)."""
    with translation.override(user.preferred_language):
        return render_to_string(
            "concierge/alerts/push.html", {"alert": row, "unread": unread_count(user), "user": user}
        )
