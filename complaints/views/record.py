"""(being built)"""

from django.http import Http404
from django.urls import path


def record(request, **kwargs):
    raise Http404


urlpatterns = [path("new/", record, name="record")]
