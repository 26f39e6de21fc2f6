"""(being written: each view below is replaced by the real one)"""

from django.http import Http404
from django.urls import path


def visit_detail(request, **kwargs):
    raise Http404


def visit_ics(request, **kwargs):
    raise Http404


urlpatterns = [
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/calendar.ics", visit_ics, name="visit_ics"),
]
