from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "concierge"
    verbose_name = _("VIP concierge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concierge.roles import sync_role_groups

        # For our own app, after auth has created its permissions (handlers run in INSTALLED_APPS order).
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="concierge.sync_role_groups")

        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from concierge.middleware import mark_seen_at_login
        from concierge.sessions import end_session_sockets

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="concierge.mark_seen_at_login")
        user_logged_out.connect(end_session_sockets, dispatch_uid="concierge.end_session_sockets")

        from django.db.backends.signals import connection_created

        from concierge.aggregates import register_sqlite_median

        connection_created.connect(register_sqlite_median, dispatch_uid="concierge.sqlite_median")
