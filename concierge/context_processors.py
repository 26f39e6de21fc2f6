from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge import extensions
from concierge.alerts import unread_count
from concierge.roles import Role


def shell(request):
    """The header's navigation: only the pages the user's roles can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_perm("concierge.view_store_overview"):
        items.append(("overview", _("Overview"), reverse("concierge:overview")))
    if user.has_perm("concierge.view_member"):
        items.append(("members", _("Members"), reverse("concierge:member_search")))
    if user.has_perm("concierge.import_data"):
        items.append(("imports", _("Imports"), reverse("concierge:imports")))
    if user.has_perm("concierge.add_assignment"):
        items.append(("clientbook", _("Client book"), reverse("concierge:client_book")))
    elif user.has_role(Role.VIP_MANAGER):
        items.append(("my_vips", _("My VIPs"), reverse("concierge:my_vips")))
    items += extensions.nav_items(user)
    # Django's admin is for superusers only (concierge/admin.py).
    if user.is_superuser:
        items.append(("admin", _("Settings"), reverse("admin:index")))
    return {"nav_items": items, "unread_alerts": unread_count(user)}
