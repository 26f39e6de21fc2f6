from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import ModelMultipleChoiceByIdField
from concierge.models import ContactLog

NOTE_MAX_LENGTH = 2000


class NoteField(forms.CharField):
    """Free text with a limit. The page shows the limit as a live counter; text over it is refused
    with a message, never cut: the browser's own maxlength would drop a long paste without a word."""

    widget = forms.Textarea
    show_counter = True

    def __init__(self, *, max_length=NOTE_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.error_messages["max_length"] = _(
            "Keep it to %(limit_value)d characters: this text has %(show_value)d."
        )

    def to_python(self, value):
        # Counted as the page counts it: a line break is one character, whatever the browser sends.
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["data-maxlength"] = attrs.pop("maxlength")
        return attrs


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
    note = NoteField(
        label=_("Note"),
        required=False,
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
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give a reason.")},
        widget=forms.TextInput(attrs={"placeholder": _("Leaving, long leave, ...")}),
    )

    def __init__(self, *args, store_id, exclude_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_managers"].queryset = vip_managers_of(store_id).exclude(pk=exclude_id)


class HandoverForm(forms.Form):
    colleague = StaffChoiceField(
        label=_("Hand over to"),
        queryset=None,
        empty_label=_("Choose a colleague"),
        error_messages={"required": _("Choose the colleague who takes the member over.")},
    )
    note = NoteField(
        label=_("Handover note"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Why, what the member likes, open matters")}
        ),
        error_messages={"required": _("Write a handover note for your colleague.")},
    )

    def __init__(self, *args, store_id, exclude_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = vip_managers_of(store_id).exclude(pk=exclude_id)


class ReasonForm(forms.Form):
    """Why a member leaves their VIP manager (release)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give a reason.")},
        widget=forms.TextInput(attrs={"placeholder": _("Downgraded, moved away, ...")}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class LanguageForm(forms.Form):
    """A member of staff's language on their profile page; blank is the store's language."""

    language = forms.ChoiceField(label=_("Show the pages in"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, store_language, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [
            ("", _("The store's language (%(language)s)") % {"language": names.get(store_language, "")}),
            *settings.LANGUAGES,
        ]
