from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from concierge.views import login
from concierge.views.profile import set_language

urlpatterns = [
    path("accounts/login/", login.Login.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works before login too, on the login page; signed in, it is saved.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("tasks/", include("tasks.urls")),
    path("complaints/", include("complaints.urls")),
    path("", include("concierge.urls")),
]
