import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
application = get_wsgi_application()

# As in concierge/asgi.py: what start-up loaded lives as long as the worker, and the garbage
# collector's full passes need not scan it again and again.
gc.collect()
gc.freeze()
