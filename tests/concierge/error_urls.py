"""The app's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from concierge.root_urls import urlpatterns as app_urlpatterns


def refuse(request):
    raise PermissionDenied("not for this role")


def missing(request):
    raise Http404("no such member")


def crash(request):
    raise RuntimeError("something broke")


urlpatterns = [
    path("test/refuse/", refuse),
    path("test/missing/", missing),
    path("test/crash/", crash),
    *app_urlpatterns,
]
