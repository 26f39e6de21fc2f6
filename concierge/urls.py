from django.urls import path

from concierge.views import (
    alerts,
    api,
    assignments,
    imports,
    members,
    overview,
    profile,
    setup_api,
    setup_hours,
    shell,
    store_setup,
)
from concierge.views.appointments import board as appointment_board
from concierge.views.appointments import booking as appointment_booking
from concierge.views.appointments import setup as appointment_setup
from concierge.views.appointments import stats as appointment_stats
from concierge.views.appointments import visit as appointment_visit

app_name = "concierge"

urlpatterns = [
    # First: the tills' API answers many requests a second, and URLs are tried in order (the
    # patterns before it were a few percent of a till request's CPU); no other pattern matches it.
    *api.urlpatterns,
    path("", shell.home, name="home"),
    path("overview/", overview.store_overview, name="overview"),
    path("members/", members.member_search, name="member_search"),
    path("members/<int:pk>/", members.member_detail, name="member_detail"),
    path("members/<int:pk>/contacts/", members.add_contact, name="add_contact"),
    path("members/<int:member_pk>/assign/", assignments.assign, name="assign"),
    path("imports/", imports.import_page, name="imports"),
    path("profile/", profile.my_profile, name="profile"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/read/", alerts.mark_all_read, name="alerts_read_all"),
    path("alerts/<int:pk>/read/", alerts.mark_read, name="alert_read"),
    path("clientbook/", assignments.client_book, name="client_book"),
    path("clientbook/spread/", assignments.spread, name="spread"),
    path("clientbook/managers/<int:manager_pk>/move/", assignments.move_book, name="move_book"),
    path("my-vips/", assignments.my_vips, name="my_vips"),
    path("assignments/<int:pk>/accept/", assignments.accept, name="accept"),
    path("assignments/<int:pk>/decline/", assignments.decline, name="decline"),
    path("assignments/<int:pk>/handover/", assignments.request_handover, name="request_handover"),
    path("assignments/<int:pk>/handover/accept/", assignments.accept_handover, name="accept_handover"),
    path("assignments/<int:pk>/handover/decline/", assignments.decline_handover, name="decline_handover"),
    path("assignments/<int:pk>/handover/withdraw/", assignments.withdraw_handover, name="withdraw_handover"),
    path("assignments/<int:pk>/release/", assignments.release, name="release"),
    *store_setup.urlpatterns,
    *setup_hours.urlpatterns,
    *setup_api.urlpatterns,
    *appointment_booking.urlpatterns,
    *appointment_board.urlpatterns,
    *appointment_visit.urlpatterns,
    *appointment_stats.urlpatterns,
    *appointment_setup.urlpatterns,
]
