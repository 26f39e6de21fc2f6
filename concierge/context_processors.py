from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge import extensions
from concierge.alerts import unread_count
from concierge.extensions import NavItem
from concierge.roles import Role


def shell(request):
    """The header's navigation: only the pages the user's roles can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_perm("concierge.view_store_overview"):
        items.append(NavItem("overview", _("Overview"), reverse("concierge:overview")))
    if user.has_perm("concierge.view_member"):
        items.append(NavItem("members", _("Members"), reverse("concierge:member_search")))
    if user.has_perm("concierge.import_data"):
        items.append(NavItem("imports", _("Imports"), reverse("concierge:imports"), rarely_used=True))
    if user.has_perm("concierge.add_assignment"):
        items.append(NavItem("clientbook", _("Client book"), reverse("concierge:client_book")))
    elif user.has_role(Role.VIP_MANAGER):
        items.append(NavItem("my_vips", _("My VIPs"), reverse("concierge:my_vips")))
    # The front desk's day is the arrivals board; a VIP manager's visits are a list of their own.
    if user.store_id and user.has_perm("concierge.change_appointment"):
        if user.has_role(Role.FRONT_DESK, Role.STORE_MANAGER):
            items.append(NavItem("reception", _("Arrivals"), reverse("concierge:board")))
        items.append(NavItem("visits", _("Visits"), reverse("concierge:visit_list")))
    items += extensions.nav_items(user)
    if user.store_id and user.has_perm("concierge.manage_store_setup"):
        items.append(NavItem("setup", _("Settings"), reverse("concierge:setup_staff"), rarely_used=True))
    # Django's admin is for the people who run the installation.
    if user.is_superuser:
        items.append(NavItem("admin", _("Admin site"), reverse("admin:index"), rarely_used=True))
    return {"nav_items": items, "unread_alerts": unread_count(user)}
