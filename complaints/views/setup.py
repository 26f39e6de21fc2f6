"""(filled in below)"""

urlpatterns = []
