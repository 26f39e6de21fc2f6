"""(filled in below)"""

urlpatterns = []


def member_sections(request, member):
    return []
