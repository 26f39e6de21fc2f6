"""(being written: each view below is replaced by the real one)"""

from django.http import Http404
from django.urls import path


def reception_stats(request, **kwargs):
    raise Http404


urlpatterns = [
    path("reception/figures/", reception_stats, name="reception_stats"),
]
