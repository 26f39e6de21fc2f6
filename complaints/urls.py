from complaints.views import detail, member, overview, queue, record, setup

app_name = "complaints"

# Each views module lists its own paths, so the pages can grow side by side.
urlpatterns = [
    *queue.urlpatterns,
    *record.urlpatterns,
    *detail.urlpatterns,
    *overview.urlpatterns,
    *member.urlpatterns,
    *setup.urlpatterns,
]
