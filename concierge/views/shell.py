from django.shortcuts import redirect


def home(request):
    """Each role lands where its day starts."""
    if request.user.has_perm("concierge.view_store_overview"):
        return redirect("concierge:overview")
    return redirect("concierge:member_search")
