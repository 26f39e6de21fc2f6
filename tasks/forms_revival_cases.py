"""Forms for working revival cases and the store manager's review. They validate input only;
tasks/revival/cases.py decides and writes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms import NoteField
from concierge.forms_params import MAX_OFFSET, BoundedDateField, _in_id_range
from concierge.models import Appointment, ContactLog
from tasks.models import CareTask, RevivalAttempt, RevivalCampaign, RevivalCase
from tasks.revival.cases import revival_workers

REACHED_CHOICES = [("yes", _("Reached")), ("no", _("Not reached"))]


class _ChoiceById(forms.ModelChoiceField):
    """A row chosen by id; an id outside the database's range is an invalid choice, not a query."""

    def to_python(self, value):
        if value not in self.empty_values and not _in_id_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class _StaffById(_ChoiceById):
    def label_from_instance(self, obj):
        return str(obj)


class _VisitById(_ChoiceById):
    def label_from_instance(self, obj):
        starts = timezone.localtime(obj.starts_at)
        return f"{starts:%m-%d %H:%M} · {obj.get_purpose_display()} · {obj.host or ''}".rstrip(" ·")


def upcoming_visits(case):
    """The member's visits still to come that an attempt can point to."""
    return (
        Appointment.objects.filter(
            store_id=case.store_id, member_id=case.member_id, starts_at__gte=timezone.now()
        )
        .exclude(state__in=Appointment.FREED_STATES)
        .select_related("host")
        .order_by("starts_at")
    )


class RevivalAttemptForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How"),
        choices=ContactLog.Channel.choices,
        initial=ContactLog.Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you got in touch.")},
    )
    reached = forms.ChoiceField(
        label=_("Did you reach them?"),
        choices=REACHED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you reached the member.")},
    )
    reason = forms.ChoiceField(
        label=_("Why they stopped coming"),
        choices=[("", _("Not known yet")), *CareTask.DormantReason.choices],
        required=False,
    )
    remedy = forms.ChoiceField(
        label=_("Remedy offered"),
        choices=[("", "—"), *RevivalAttempt.Remedy.choices],
        required=False,
    )
    over_sold = forms.BooleanField(label=_("They felt pushed to buy before"), required=False)
    note = NoteField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What they said, in their words")}),
    )
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Call back after the trip, taxi booked...")}),
    )
    next_step_on = BoundedDateField(
        label=_("Next step on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date.")},
    )
    appointment = _VisitById(
        label=_("Visit booked"),
        queryset=Appointment.objects.none(),
        required=False,
        empty_label=_("No visit"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["appointment"].queryset = upcoming_visits(case)

    def clean_reached(self):
        return self.cleaned_data["reached"] == "yes"

    def clean_next_step_on(self):
        day = self.cleaned_data.get("next_step_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date for the next step."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("reached") and not data.get("reason"):
            self.add_error("reason", _("Record why the member stopped coming."))
        return data

    def arguments(self):
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "reached": data["reached"],
            "reason": data.get("reason") or "",
            "remedy": data.get("remedy") or "",
            "note": data.get("note") or "",
            "next_step": data.get("next_step") or "",
            "next_step_on": data.get("next_step_on"),
            "appointment": data.get("appointment"),
            "over_sold": bool(data.get("over_sold")),
        }


class RevivalScriptForm(forms.Form):
    """Which script to show: the reason chosen so far ("" for the opening)."""

    reason = forms.ChoiceField(choices=[("", ""), *CareTask.DormantReason.choices], required=False)


class RevivalGuidanceForm(forms.Form):
    text = NoteField(
        label=_("Guidance for the staff member"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Offer the taxi; call in the evening")}),
        error_messages={"required": _("Write the guidance.")},
    )


class RevivalReassignForm(forms.Form):
    staff = _StaffById(
        label=_("Give the case to"),
        queryset=None,
        empty_label=_("Choose a colleague"),
        error_messages={"required": _("Choose a colleague.")},
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = revival_workers(case.store_id).exclude(pk=case.staff_id)


class RevivalLostForm(forms.Form):
    reason = forms.CharField(
        label=_("Why lost for good"),
        max_length=200,
        error_messages={"required": _("Give the reason the member is lost for good.")},
        widget=forms.TextInput(attrs={"placeholder": _("Moved abroad; asked not to be called again")}),
    )


ACTIVE = "active"


class RevivalCasesQueryForm(forms.Form):
    """The filters of the cases list: state, campaign, and (for the store manager) whose cases."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[(ACTIVE, _("Still to win back")), ("", _("All")), *RevivalCase.State.choices],
        required=False,
    )
    campaign = _ChoiceById(
        label=_("Campaign"),
        queryset=RevivalCampaign.objects.none(),
        required=False,
        empty_label=_("All open"),
    )
    staff = _StaffById(label=_("Staff member"), queryset=None, required=False, empty_label=_("Everyone"))
    offset = forms.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)

    def __init__(self, data=None, *, user, **kwargs):
        if data is not None and "state" not in data:
            # A link without the filter means the cases still to win back; "All" is sent empty.
            data = data.copy()
            data["state"] = ACTIVE
        super().__init__(data, **kwargs)
        self.fields["campaign"].queryset = RevivalCampaign.objects.visible_to(user).filter(
            state=RevivalCampaign.State.OPEN
        )
        if user.has_perm("tasks.manage_revival"):
            self.fields["staff"].queryset = revival_workers(user.store_id)
        else:
            del self.fields["staff"]


class RevivalReviewQueryForm(forms.Form):
    campaign = _ChoiceById(
        label=_("Campaign"),
        queryset=RevivalCampaign.objects.none(),
        required=False,
        empty_label=_("All open"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = RevivalCampaign.objects.visible_to(user).filter(
            state=RevivalCampaign.State.OPEN
        )
