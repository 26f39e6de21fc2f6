from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from concierge.alerts import store_group, user_group


class AlertConsumer(AsyncWebsocketConsumer):
    """Forwards pushed alert HTML to one signed-in member of staff's open pages."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = [user_group(user.pk)]
        if user.store_id:
            self.groups_joined.append(store_group(user.store_id))
        self.groups_joined += [f"{group}.{user.store_id}" for group in await self._role_codes(user)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def alert_push(self, event):
        await self.send(text_data=event["html"])

    @database_sync_to_async
    def _role_codes(self, user):
        return sorted(user.groups.values_list("name", flat=True))
