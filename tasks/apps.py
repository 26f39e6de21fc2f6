from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.roles import Role


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Care tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concierge.roles import sync_role_groups

        # The role groups name this app's permissions too, which exist only after its own post_migrate.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="tasks.sync_role_groups")

    # Hooks the core asks for (concierge/extensions.py).

    # What each role may do with care tasks and the care set-up: merged with the core's in the groups.
    role_permissions = {
        Role.VIP_MANAGER: [
            "tasks.view_caretask",
            "tasks.change_caretask",
            "tasks.pause_outreach",
            "tasks.work_revival",
            "tasks.view_revivalcase",
        ],
        Role.COMPLAINT_HANDLER: [
            "tasks.pause_outreach",
        ],
        Role.STORE_MANAGER: [
            "tasks.view_caretask",
            "tasks.change_caretask",
            "tasks.manage_team_tasks",
            "tasks.pause_outreach",
            "tasks.view_holiday",
            "tasks.add_holiday",
            "tasks.change_holiday",
            "tasks.delete_holiday",
            "tasks.view_messagetemplate",
            "tasks.add_messagetemplate",
            "tasks.change_messagetemplate",
            "tasks.delete_messagetemplate",
            "tasks.view_etiquettewords",
            "tasks.add_etiquettewords",
            "tasks.change_etiquettewords",
            "tasks.delete_etiquettewords",
            "tasks.manage_revival",
            "tasks.work_revival",
            "tasks.view_revivalcampaign",
            "tasks.view_revivalcase",
            "tasks.view_incentiveentry",
            "tasks.view_revivalsettings",
            "tasks.change_revivalsettings",
        ],
        Role.ADMIN: [
            "tasks.view_caretask",
            "tasks.view_holiday",
            "tasks.view_messagetemplate",
            "tasks.view_etiquettewords",
        ],
    }

    # The store's Settings (concierge.extensions): the revival settings page and its changes.
    setup_changes = {
        "revival_setup.changed": _("Revival settings changed"),
    }

    def setup_pages(self, user):
        if user.store_id and user.has_perm("tasks.change_revivalsettings"):
            return [("revival", _("Dormant revival"), reverse("tasks:revival_setup"))]
        return []

    def setup_change_details(self, entry):
        from tasks.views.revival_campaigns import change_details

        return change_details(entry)

    def setup_change_subject(self, entry):
        from tasks.views.revival_campaigns import change_subject

        return change_subject(entry)

    def nav_items(self, user):
        items = []
        # The store manager's own tasks are a row of the team view: one link keeps the header on one row.
        if user.has_perm("tasks.manage_team_tasks"):
            items.append(("team", _("Team tasks"), reverse("tasks:team")))
        elif user.has_perm("tasks.change_caretask"):
            items.append(("my_day", _("My day"), reverse("tasks:my_day")))
        # The store manager's revival dashboard (leaderboard, what works, progress); a VIP manager's
        # own revival cases (the store manager reaches everyone's from the dashboard).
        if user.has_perm("tasks.manage_revival"):
            items.append(("revival", _("Revival"), reverse("tasks:revival_dashboard")))
        elif user.has_perm("tasks.work_revival"):
            items.append(("revival_cases", _("Revival"), reverse("tasks:revival_my_cases")))
        return items

    def home_url(self, user):
        return reverse("tasks:my_day") if user.has_perm("tasks.change_caretask") else None

    def next_steps(self, user, member_ids):
        """The user's next open care task with each of these members, in one query."""
        from django.utils import timezone

        from concierge.extensions import NextStep
        from tasks.models import CareTask

        if not user.has_perm("tasks.change_caretask"):
            return {}
        today = timezone.localdate()
        steps = {}
        for task in (
            CareTask.objects.visible_to(user)
            .filter(assignee=user, member_id__in=member_ids, state=CareTask.State.OPEN)
            .only("member_id", "kind", "due_date")
            .order_by("member_id", "due_date", "pk")
        ):
            if task.member_id not in steps:
                late = task.due_date < today
                steps[task.member_id] = NextStep(task.due_date, task.get_kind_display(), late)
        return steps

    def purchases_recorded(self, store, purchase_ids, members=None):
        from tasks.revival.credit import credit_purchases

        credit_purchases(store, purchase_ids, members=members)

    def seed_demo(self, store, today):
        from tasks.demo import seed_demo
        from tasks.revival.demo import seed_demo as seed_revival

        seed_demo(store, today)
        seed_revival(store, today)

    def wipe_demo(self, store):
        from tasks.models import RevivalCampaign

        # A campaign takes its quotas, cases, attempts, credits and ledger with it.
        RevivalCampaign.objects.filter(store=store).delete()

    def member_sections(self, request, member):
        from tasks.views.member import member_sections
        from tasks.views.revival_cases import member_revival_sections

        return [*member_sections(request, member), *member_revival_sections(request, member)]
