from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConciergeConfig(AppConfig):
    name = "concierge"
    verbose_name = _("VIP concierge")
    default_auto_field = "django.db.models.BigAutoField"
