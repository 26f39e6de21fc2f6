"""Forms of the visit's page. They validate input only; concierge/appointments/visits.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.forms import NoteField
from concierge.forms_params import IdField
from concierge.models import Department


class VisitTickForm(forms.Form):
    """A tap on a checklist item: done, or open again."""

    item = IdField()
    done = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class VisitItemForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    text = forms.CharField(
        label=_("What to prepare"),
        max_length=200,
        error_messages={"required": _("Say what is to be prepared.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("A cake, a brand's new piece, ...")}
        ),
    )


class VisitServiceForm(forms.Form):
    notes = NoteField(label=_("Service notes"), max_length=4000, required=False)
    feedback = NoteField(label=_("What the member said"), max_length=2000, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("notes") or data.get("feedback")):
            raise forms.ValidationError(_("Write the notes, or what the member said."))
        return data


class VisitFarewellForm(forms.Form):
    gift_given = forms.BooleanField(label=_("Gift or souvenir given"), required=False)
    gift_note = forms.CharField(
        label=_("Which gift"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("gift_given") and not data.get("gift_note"):
            self.add_error("gift_note", _("Say which gift was given."))
        return data


class VisitFollowUpForm(forms.Form):
    note = NoteField(label=_("How the call went"), max_length=2000, required=False)


class VisitUndoNoShowForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        error_messages={"required": _("Say why the no-show is undone.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("Came late, marked by mistake, ...")}
        ),
    )
