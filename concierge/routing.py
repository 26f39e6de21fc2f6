from django.urls import path

from concierge.consumers import AlertConsumer

websocket_urlpatterns = [path("ws/alerts/", AlertConsumer.as_asgi())]
