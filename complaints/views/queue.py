"""(being built)"""

from django.http import Http404
from django.urls import path


def queue(request, **kwargs):
    raise Http404


urlpatterns = [path("", queue, name="queue")]
