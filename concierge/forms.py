from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.models import ContactLog


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search members"), max_length=100, required=False, strip=True)


class ContactForm(forms.Form):
    """A contact with a member, as staff record it on the profile. Validates input only."""

    channel = forms.ChoiceField(
        label=_("How"),
        choices=ContactLog.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you were in touch.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactLog.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("What was said, what they asked for, what to do next")}
        ),
    )
