"""WebSocket routes; the alert consumer joins here."""

websocket_urlpatterns = []
