"""(being built)"""

from django.http import Http404
from django.urls import path


def overview(request, **kwargs):
    raise Http404


urlpatterns = [path("overview/", overview, name="overview")]
