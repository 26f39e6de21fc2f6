"""Sessions and the alert socket: a socket lives no longer than the session that opened it.

A socket is opened with the page's session cookie. Logging out closes that session's sockets at once
(the `session.<digest>` group); a push to a socket whose session has since expired, been flushed or
been replaced closes the socket instead of showing the alert.
"""

import hashlib
import logging
from importlib import import_module

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.utils.crypto import constant_time_compare

log = logging.getLogger(__name__)


def session_group(session_key):
    # A digest, not the key: the key is a credential and the group name is stored in Redis.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def end_session_sockets(sender, request, user, **kwargs):
    """user_logged_out: close every socket that this browser session opened."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    layer = get_channel_layer()
    if not session_key or layer is None:
        return
    try:
        async_to_sync(layer.group_send)(session_group(session_key), {"type": "session.ended"})
    except Exception:
        # The socket's next push finds the session gone and closes it then.
        log.exception("could not close the sockets of a session that logged out")


def end_user_sockets(user_id):
    """Close every open alert socket of a person (deactivated, or their password was reset): their
    tablets show nothing more from now on, not only from the next session check."""
    layer = get_channel_layer()
    if layer is None:
        return
    from concierge.alerts import user_group

    try:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.ended"})
    except Exception:
        log.exception("could not close the sockets of user %s", user_id)


def session_still_signs_in(session_key, user_id):
    """True while the session exists, has not expired, and still signs in this active user.

    The same checks as django.contrib.auth.get_user, on a fresh read of the session.
    """
    if not session_key:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    data = engine.SessionStore(session_key).load()  # {} when missing or expired
    try:
        backend = load_backend(data[BACKEND_SESSION_KEY])
        user = backend.get_user(data[SESSION_KEY])
    except (KeyError, ImportError):
        return False
    if user is None or user.pk != user_id:
        return False
    stored_hash = data.get(HASH_SESSION_KEY)
    return bool(stored_hash) and constant_time_compare(stored_hash, user.get_session_auth_hash())
