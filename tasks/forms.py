"""Forms for working care tasks. They validate input only; tasks/actions.py decides and writes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms import NoteField
from concierge.forms_params import BoundedDateField, IdField, ModelMultipleChoiceByIdField
from concierge.models import ContactLog
from tasks.models import CareTask


class StaffMultipleChoiceField(ModelMultipleChoiceByIdField):
    def label_from_instance(self, obj):
        return str(obj)


class CompleteForm(forms.Form):
    """What the contact brought. On the tablet one tap both answers and submits: a score button
    (`score`) means reached with that satisfaction, a reason button (`why`) means reached with that
    reason for staying away; other buttons send `outcome` itself."""

    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    score = forms.TypedChoiceField(
        label=_("How satisfied (1-5)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, str(n)) for n in range(1, 6)],
    )
    why = forms.ChoiceField(
        label=_("Why they stopped coming"), required=False, choices=CareTask.DormantReason.choices
    )
    suggestions = NoteField(
        label=_("Suggestions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What they would like us to do better")}),
    )
    plan = NoteField(
        label=_("Plan"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("When and how to get in touch, and what to offer")}
        ),
    )
    note = NoteField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Anything to remember next time")}),
    )
    message = NoteField(label=_("Message"), required=False)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields["outcome"].choices = [(o.value, o.label) for o in task.outcomes]

    def clean(self):
        data = super().clean()
        task = self.task
        if data.get("score"):
            data["outcome"] = ContactLog.Outcome.REACHED
        if data.get("why"):
            data["outcome"] = ContactLog.Outcome.REACHED
        outcome = data.get("outcome") or ""
        if task.is_review:
            if not data.get("plan"):
                self.add_error("plan", _("Write down the plan: when and how to get in touch."))
            return data
        if not outcome:
            self.add_error("outcome", _("Choose the outcome."))
        elif outcome == ContactLog.Outcome.REACHED:
            if task.kind == CareTask.Kind.NEW_MEMBER_CALL and not data.get("score"):
                self.add_error("score", _("Ask how satisfied the member is (1 to 5)."))
            if task.kind == CareTask.Kind.DORMANT_CALL and not data.get("why"):
                self.add_error("why", _("Record why the member stopped coming."))
        return data

    def answers(self):
        data = self.cleaned_data
        return {
            "outcome": data.get("outcome") or "",
            "satisfaction": data.get("score"),
            "dormant_reason": data.get("why") or "",
            "suggestions": data.get("suggestions", ""),
            "plan": data.get("plan", ""),
            "note": data.get("note", ""),
            # The draft is kept only when it went out: a greeting done by phone sent no message.
            "message": data.get("message", "")
            if data.get("outcome") == ContactLog.Outcome.MESSAGE_SENT
            else "",
        }


class SnoozeForm(forms.Form):
    until = BoundedDateField(
        label=_("Snooze until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose the date to come back to it."), "invalid": _("Enter a date.")},
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today."))
        return until


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why skip it"),
        max_length=200,
        error_messages={"required": _("Give a reason for skipping.")},
        widget=forms.TextInput(attrs={"list": "skip-reasons", "autocomplete": "off"}),
    )


class MoveTasksForm(forms.Form):
    to_users = StaffMultipleChoiceField(
        label=_("Share out among"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one colleague.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={
            "required": _("Give a reason for moving the tasks (leave, sick, left the store...).")
        },
        widget=forms.TextInput(attrs={"placeholder": _("On leave until Friday")}),
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_users"].queryset = workers


class HandOutForm(forms.Form):
    tasks = ModelMultipleChoiceByIdField(
        label=_("Tasks"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the tasks to hand out.")},
    )
    to_users = StaffMultipleChoiceField(
        label=_("Give to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one colleague.")},
    )

    def __init__(self, *args, tasks, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = tasks
        self.fields["to_users"].queryset = workers


class PauseForm(forms.Form):
    until = BoundedDateField(
        label=_("No outreach until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose until when."), "invalid": _("Enter a date.")},
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        error_messages={"required": _("Give a reason for the pause.")},
        widget=forms.TextInput(attrs={"placeholder": _("Open complaint; bereavement; asked for a break")}),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return until


class TaskPlaceForm(forms.Form):
    """Where a task was opened from (`from`: My day or the pool) and shown (`page`: a panel in the
    list, or the task's own page): it decides what follows a completion."""

    page = forms.ChoiceField(choices=[("", ""), ("panel", "panel"), ("detail", "detail")], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added by name.
        self.fields["from"] = forms.ChoiceField(
            choices=[("", ""), ("day", "day"), ("pool", "pool")], required=False
        )


class TeamQueryForm(forms.Form):
    """The colleague whose move form is opened (a link that works without htmx)."""

    move = IdField(required=False)


class DraftCheckForm(forms.Form):
    """The text in a task's draft box, checked as the user edits it."""

    task = IdField()
    message = forms.CharField(required=False, max_length=2000, strip=False)
