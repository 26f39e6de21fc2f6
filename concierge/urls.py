from django.urls import path

from concierge.views import imports, members, overview, shell

app_name = "concierge"

urlpatterns = [
    path("", shell.home, name="home"),
    path("overview/", overview.store_overview, name="overview"),
    path("members/", members.member_search, name="member_search"),
    path("members/<int:pk>/", members.member_detail, name="member_detail"),
    path("members/<int:pk>/contacts/", members.add_contact, name="add_contact"),
    path("imports/", imports.import_page, name="imports"),
]
