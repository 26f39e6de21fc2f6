from tasks.views import (
    member,
    my_day,
    revival_campaigns,
    revival_cases,
    revival_dashboard,
    revival_ledger,
    setup,
    team,
)

app_name = "tasks"

# Each views module lists its own paths, so the pages can grow side by side.
urlpatterns = [
    *my_day.urlpatterns,
    *team.urlpatterns,
    *member.urlpatterns,
    *setup.urlpatterns,
    *revival_campaigns.urlpatterns,
    *revival_cases.urlpatterns,
    *revival_ledger.urlpatterns,
    *revival_dashboard.urlpatterns,
]
