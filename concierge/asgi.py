import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
# Django must be set up before the routing imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from concierge.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up loaded (Django, the URLconf, the apps) lives as long as the process: set it aside
# from the garbage collector, whose full passes would otherwise scan it all again and again. Those
# passes were most of the arrivals board's slowest responses (docs/benchmarks.md, "Reception").
gc.collect()
gc.freeze()
