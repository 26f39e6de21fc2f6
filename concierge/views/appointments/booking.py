"""(being written: each view below is replaced by the real one)"""

from django.http import Http404
from django.urls import path


def visit_list(request, **kwargs):
    raise Http404


def book(request, **kwargs):
    raise Http404


def visit_edit(request, **kwargs):
    raise Http404


def visit_confirm(request, **kwargs):
    raise Http404


def visit_cancel(request, **kwargs):
    raise Http404


urlpatterns = [
    path("visits/", visit_list, name="visit_list"),
    path("visits/new/", book, name="book"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/<int:pk>/confirm/", visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/cancel/", visit_cancel, name="visit_cancel"),
]
