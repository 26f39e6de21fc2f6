"""(being written: each view below is replaced by the real one)"""

from django.http import Http404
from django.urls import path


def board(request, **kwargs):
    raise Http404


def visit_check_in(request, **kwargs):
    raise Http404


def visit_acknowledge(request, **kwargs):
    raise Http404


urlpatterns = [
    path("reception/", board, name="board"),
    path("visits/<int:pk>/check-in/", visit_check_in, name="visit_check_in"),
    path("visits/<int:pk>/on-my-way/", visit_acknowledge, name="visit_acknowledge"),
]
