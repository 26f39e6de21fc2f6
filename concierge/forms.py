from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import ModelMultipleChoiceByIdField
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


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def vip_managers_of(store_id):
    from concierge.models import Staff
    from concierge.roles import Role

    return Staff.objects.filter(
        store_id=store_id, groups__name=Role.VIP_MANAGER.value, is_active=True
    ).order_by("display_name", "username")


class AssignForm(forms.Form):
    manager = StaffChoiceField(label=_("VIP manager"), queryset=None, empty_label=_("Choose a VIP manager"))
    direct = forms.BooleanField(
        label=_("Assign at once (no acceptance needed)"), required=False, initial=True
    )

    def __init__(self, *args, store_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = vip_managers_of(store_id)


class SpreadForm(forms.Form):
    value_class = forms.ChoiceField(
        label=_("Unassigned members of value class"),
        choices=[("A", "A"), ("B", "B"), ("C", "C"), ("*", _("any class"))],
        initial="A",
    )
    managers = ModelMultipleChoiceByIdField(
        label=_("Spread across"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one VIP manager.")},
    )

    def __init__(self, *args, store_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managers"].queryset = vip_managers_of(store_id)


class MoveBookForm(forms.Form):
    to_managers = ModelMultipleChoiceByIdField(
        label=_("Move to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one colleague to take the book.")},
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, error_messages={"required": _("Give a reason.")}
    )

    def __init__(self, *args, store_id, exclude_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_managers"].queryset = vip_managers_of(store_id).exclude(pk=exclude_id)


class HandoverForm(forms.Form):
    colleague = StaffChoiceField(label=_("Hand over to"), queryset=None, empty_label=_("Choose a colleague"))
    note = forms.CharField(
        label=_("Handover note"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Why, what the member likes, open matters")}
        ),
        error_messages={"required": _("Write a handover note for your colleague.")},
    )

    def __init__(self, *args, store_id, exclude_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = vip_managers_of(store_id).exclude(pk=exclude_id)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, error_messages={"required": _("Give a reason.")}
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
