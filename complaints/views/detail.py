"""(being built)"""

from django.http import Http404
from django.urls import path


def detail(request, **kwargs):
    raise Http404


urlpatterns = [path("<int:pk>/", detail, name="detail")]
