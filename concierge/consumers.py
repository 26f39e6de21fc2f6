import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from concierge.alerts import board_group, store_group, user_group
from concierge.sessions import session_group, session_still_signs_in

# Close codes in the application range: the page's htmx socket reconnects and is refused if signed out.
SIGNED_OUT = 4401


class AlertConsumer(AsyncWebsocketConsumer):
    """Forwards pushed alert HTML to one signed-in member of staff's open pages, while signed in."""

    signed_out = False
    session_checked_at = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=SIGNED_OUT)
            return
        self.user_id = user.pk
        self.session_key = self.scope["session"].session_key
        self.groups_joined = [user_group(user.pk), session_group(self.session_key)]
        if user.store_id:
            self.groups_joined.append(store_group(user.store_id))
        self.groups_joined += [f"{group}.{user.store_id}" for group in await self._role_codes(user)]
        # Only an open arrivals board hears its store's "the board changed": the hosts' tablets,
        # most of a store's sockets, are not woken by every check-in.
        if user.store_id and parse_qs(self.scope.get("query_string", b"").decode()).get("board") == ["1"]:
            self.groups_joined.append(board_group(user.store_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def alert_push(self, event):
        if self.signed_out:
            return
        # A tablet left open after its session expired or was ended elsewhere shows nothing more.
        # The session is read again at the first push and then at most every
        # SOCKET_SESSION_RECHECK_SECONDS: a manager has a socket per open tablet and tab, and reading
        # it on every push made each alert cost a query pair per socket. Logging out closes the
        # session's sockets at once anyway; the recheck covers expiry and password resets.
        now = time.monotonic()
        checked = self.session_checked_at
        if checked is None or now - checked >= settings.SOCKET_SESSION_RECHECK_SECONDS:
            if not await database_sync_to_async(session_still_signs_in)(self.session_key, self.user_id):
                await self.sign_out()
                return
            self.session_checked_at = now
        await self.send(text_data=event["html"])

    async def session_ended(self, event):
        await self.sign_out()

    async def sign_out(self):
        if not self.signed_out:
            self.signed_out = True
            await self.close(code=SIGNED_OUT)

    @database_sync_to_async
    def _role_codes(self, user):
        return sorted(user.groups.values_list("name", flat=True))
