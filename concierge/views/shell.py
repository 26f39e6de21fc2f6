from django.shortcuts import redirect

from concierge import extensions
from concierge.roles import Role


def home(request):
    """Each role lands where its day starts: the store manager on the overview, a VIP manager on
    the page an app offers for their day (My day), everyone else on member search."""
    if request.user.has_perm("concierge.view_store_overview"):
        return redirect("concierge:overview")
    if request.user.store_id and request.user.has_role(Role.FRONT_DESK):
        return redirect("concierge:board")
    return redirect(extensions.home_url(request.user) or "concierge:member_search")
