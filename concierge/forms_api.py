"""Forms of the till connection page (Settings): naming a new token, and confirming a revoke."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Till"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Which till will use it, e.g. “Till 1, ground floor”."),
    )


class RevokeApiTokenForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes: the till using this token can send no more purchases."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
