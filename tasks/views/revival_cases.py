"""Revival pages: see tasks/revival/."""

urlpatterns = []
