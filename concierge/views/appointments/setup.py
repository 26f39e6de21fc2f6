"""(being written: each view below is replaced by the real one)"""

urlpatterns = []
