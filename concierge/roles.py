"""Staff roles. Each role is a Django group of the same name, kept in step with ROLE_PERMISSIONS."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIP_MANAGER = "vip_manager", _("VIP manager")
    FRONT_DESK = "front_desk", _("Front desk")
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")
    STORE_MANAGER = "store_manager", _("Store manager")
    ADMIN = "admin", _("Administrator")


# The core's own permissions each role's group carries, as "app_label.codename". Each workflow app
# adds its own through its AppConfig's `role_permissions` (concierge/extensions.py).
ROLE_PERMISSIONS = {
    Role.VIP_MANAGER: [
        "concierge.view_member",
        "concierge.view_member_phone",
        "concierge.view_purchase",
        "concierge.view_contactlog",
        "concierge.add_contactlog",
        "concierge.view_assignment",
        "concierge.view_appointment",
        "concierge.add_appointment",
        "concierge.change_appointment",
    ],
    Role.FRONT_DESK: [
        "concierge.view_member",
        "concierge.view_purchase",
        "concierge.view_contactlog",
        "concierge.add_contactlog",
        "concierge.view_appointment",
        "concierge.add_appointment",
        "concierge.change_appointment",
    ],
    Role.COMPLAINT_HANDLER: [
        "concierge.view_member",
        "concierge.view_member_phone",
        "concierge.view_purchase",
        "concierge.view_contactlog",
        "concierge.add_contactlog",
    ],
    Role.STORE_MANAGER: [
        "concierge.view_member",
        "concierge.view_member_phone",
        "concierge.view_purchase",
        "concierge.view_contactlog",
        "concierge.add_contactlog",
        "concierge.view_store_overview",
        "concierge.import_data",
        "concierge.view_assignment",
        "concierge.add_assignment",
        "concierge.change_assignment",
        "concierge.manage_store_setup",
        "concierge.view_appointment",
        "concierge.add_appointment",
        "concierge.change_appointment",
        "concierge.manage_appointments",
        "concierge.setup_reception",
    ],
    Role.ADMIN: [
        "concierge.view_member",
        "concierge.view_member_phone",
        "concierge.view_purchase",
        "concierge.view_contactlog",
        "concierge.add_contactlog",
        "concierge.view_store_overview",
        "concierge.import_data",
        "concierge.view_auditentry",
        "concierge.view_assignment",
        "concierge.manage_store_setup",
        "concierge.view_store",
        "concierge.change_store",
        "concierge.view_staff",
        "concierge.add_staff",
        "concierge.change_staff",
        "concierge.view_tierprogram",
        "concierge.add_tierprogram",
        "concierge.change_tierprogram",
        "concierge.view_tier",
        "concierge.add_tier",
        "concierge.change_tier",
        "concierge.delete_tier",
        "concierge.view_tag",
        "concierge.add_tag",
        "concierge.change_tag",
        "concierge.view_appointment",
        "concierge.setup_reception",
    ],
}


def sync_role_groups(**kwargs):
    """Give each role's group exactly the permissions listed above.

    Runs after every migrate (and after the flush between transactional tests), so adding a
    permission to a role here reaches existing databases without a data migration.
    """
    from django.contrib.auth.models import Group, Permission

    from concierge import extensions

    rows = Permission.objects.values_list("pk", "content_type__app_label", "codename")
    known = {f"{app_label}.{codename}": pk for pk, app_label, codename in rows}
    for role, dotted_names in extensions.role_permissions(ROLE_PERMISSIONS).items():
        group, _created = Group.objects.get_or_create(name=role.value)
        # Another app's permissions appear at its own post_migrate, which runs this again (see
        # TasksConfig.ready): the last run sees them all.
        group.permissions.set([known[name] for name in dotted_names if name in known])
