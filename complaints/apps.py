from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.roles import Role


def start_store(sender, instance, created, raw=False, **kwargs):
    """A new store starts with the built-in categories and one default team."""
    if created and not raw:
        from complaints.defaults import give_store_defaults

        give_store_defaults(instance.pk)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concierge.models import Store
        from concierge.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="complaints.sync_role_groups")
        post_save.connect(start_store, sender=Store, dispatch_uid="complaints.start_store")

    # Hooks the core asks for (concierge/extensions.py).

    role_permissions = {
        Role.VIP_MANAGER: ["complaints.view_complaint", "complaints.add_complaint"],
        Role.FRONT_DESK: ["complaints.view_complaint", "complaints.add_complaint"],
        Role.COMPLAINT_HANDLER: [
            "complaints.view_complaint",
            "complaints.add_complaint",
            "complaints.change_complaint",
        ],
        Role.STORE_MANAGER: [
            "complaints.view_complaint",
            "complaints.add_complaint",
            "complaints.change_complaint",
            "complaints.manage_complaints",
            "complaints.setup_complaints",
        ],
        Role.ADMIN: ["complaints.view_complaint", "complaints.setup_complaints"],
    }

    def nav_items(self, user):
        if user.has_perm("complaints.manage_complaints"):
            return [("complaints", _("Complaints"), reverse("complaints:overview"))]
        if user.has_perm("complaints.change_complaint"):
            return [("complaints", _("Complaints"), reverse("complaints:queue"))]
        return []

    def home_url(self, user):
        # The handler's day starts on their queue; a store manager's stays where the core puts it.
        if user.has_perm("complaints.change_complaint") and not user.has_perm("complaints.manage_complaints"):
            return reverse("complaints:queue")
        return None

    # The store's Settings (concierge.extensions): the complaint set-up pages and their changes.
    setup_changes = {
        "complaint_setup.category_added": _("Complaint category added"),
        "complaint_setup.category_renamed": _("Complaint category renamed"),
        "complaint_setup.category_hidden": _("Complaint category hidden"),
        "complaint_setup.category_shown": _("Complaint category offered again"),
        "complaint_setup.category_moved": _("Complaint category moved"),
        "complaint_setup.category_deleted": _("Complaint category deleted"),
        "complaint_setup.team_added": _("Complaint team added"),
        "complaint_setup.team_changed": _("Complaint team changed"),
        "complaint_setup.team_deleted": _("Complaint team removed"),
        "complaint_setup.rule_added": _("Routing rule added"),
        "complaint_setup.rule_changed": _("Routing rule changed"),
        "complaint_setup.rule_deleted": _("Routing rule removed"),
        "complaint_setup.sla_changed": _("Complaint time limits changed"),
        "complaint_setup.settings_changed": _("Complaint warning, escalation or reopening changed"),
        "complaint_setup.budgets_changed": _("Compensation budgets changed"),
    }

    def setup_pages(self, user):
        if user.store_id and user.has_perm("complaints.setup_complaints"):
            return [("complaints", _("Complaints"), reverse("complaints:setup"))]
        return []

    def setup_change_details(self, entry):
        from complaints.views.setup import change_details

        return change_details(entry)

    def setup_change_subject(self, entry):
        from complaints.views.setup import change_subject

        return change_subject(entry)

    def member_sections(self, request, member):
        from complaints.views.member import member_sections

        return member_sections(request, member)

    def member_alerts(self, user, member):
        from complaints.views.member import member_alerts

        return member_alerts(user, member)

    def care_task_sections(self, request, task):
        from complaints.views.member import care_task_sections

        return care_task_sections(request, task)

    def seed_demo(self, store, today):
        from complaints.demo import seed_demo

        seed_demo(store, today)
