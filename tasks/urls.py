from tasks.views import member, my_day, setup, team

app_name = "tasks"

# Each views module lists its own paths, so the pages can grow side by side.
urlpatterns = [*my_day.urlpatterns, *team.urlpatterns, *member.urlpatterns, *setup.urlpatterns]
