"""Forms for the complaint pages. They validate input only; complaints/actions.py decides and writes.

Choices that depend on the store (categories, teams, colleagues) are offered as ids the form knows
already, so a tampered id is "not one of the choices" before any query is made with it.
"""

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Complaint, Severity, Team
from concierge.forms import NoteField
from concierge.forms_params import MAX_ID, MAX_OFFSET, IdField
from concierge.models import ContactLog, Member, Staff
from concierge.roles import Role

# A reason is one line that the timeline and the alerts repeat.
REASON_MAX_LENGTH = 200


class ObjectChoiceField(forms.TypedChoiceField):
    """One of a few rows, by id: `objects` is {id: row}; `cleaned_data` holds the row itself."""

    def __init__(self, *, objects=None, empty_label=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.set_objects(objects or {})

    def set_objects(self, objects, label=str):
        self.objects = objects
        # A select starts on "choose...", so that nobody is picked by not looking.
        empty = [("", self.empty_label)] if self.empty_label else []
        self.choices = [*empty, *((pk, label(obj)) for pk, obj in objects.items())]

    def clean(self, value):
        pk = super().clean(value)
        return self.objects.get(pk) if pk not in (None, "") else None


def _reason(label, required_message, placeholder=""):
    attrs = {"autocomplete": "off"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": required_message},
        widget=forms.TextInput(attrs=attrs),
    )


# ---- recording ------------------------------------------------------------------------------------


class RecordQueryForm(forms.Form):
    """What the record page reads from its address: the member chosen (from their profile, or kept
    while searching) and the search typed so far."""

    member = IdField(required=False)
    q = forms.CharField(required=False, max_length=100, strip=True)


phone_number = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{4,30}$", _("Enter the phone number in digits (spaces and dashes are fine).")
)


class ComplaintRecordForm(forms.Form):
    """One screen: who, how it came in, what about, how bad, what happened and what they want."""

    MEMBER, WALK_IN = "member", "walk_in"

    who = forms.ChoiceField(
        label=_("Customer"),
        choices=[(MEMBER, _("A member")), (WALK_IN, _("Walk-in customer"))],
        initial=MEMBER,
        widget=forms.RadioSelect,
        required=False,
    )
    member = IdField(required=False, widget=forms.HiddenInput)
    # Opened from the member's profile: the profile is where the user goes back to.
    back = forms.ChoiceField(
        choices=[("", ""), ("profile", "profile")], required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(
        label=_("Customer's name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Ms Li")}),
    )
    customer_phone = forms.CharField(
        label=_("Customer's phone"),
        max_length=32,
        required=False,
        validators=[phone_number],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    channel = forms.ChoiceField(
        label=_("Came in by"),
        choices=Complaint.Channel.choices,
        initial=Complaint.Channel.COUNTER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the complaint came in.")},
    )
    category = ObjectChoiceField(
        label=_("Category"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the complaint is about."),
            "invalid_choice": _("Choose one of the categories offered."),
        },
    )
    counter = forms.CharField(
        label=_("Brand or counter"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "known-counters",
                "autocomplete": "off",
                "placeholder": _("e.g. Lancôme, 3F shoes"),
            }
        ),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how serious it is.")},
    )
    public_risk = forms.BooleanField(
        label=_("Mentions 12315 or the media"),
        required=False,
        help_text=_("Flagged and made critical: the store manager sees it at once."),
    )
    description = NoteField(
        label=_("What happened"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("In the customer's words: what, where, when")}
        ),
        error_messages={"required": _("Write down what happened.")},
    )
    wish = NoteField(
        label=_("What the customer wants"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("A refund, an exchange, an apology...")}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        categories = Category.objects.visible_to(user).filter(active=True).order_by("position", "pk")
        self.fields["category"].set_objects({category.pk: category for category in categories})
        self.chosen_member = None

    def clean_member(self):
        pk = self.cleaned_data.get("member")
        if pk is None:
            return None
        member = Member.objects.visible_to(self.user).select_related("tier").filter(pk=pk).first()
        if member is None:
            raise forms.ValidationError(_("Choose the member again: this one is not in your store."))
        self.chosen_member = member
        return member

    def clean(self):
        data = super().clean()
        who = data.get("who") or self.MEMBER
        data["who"] = who
        if who == self.WALK_IN:
            data["member"] = None
            if not data.get("customer_name", "").strip() and "customer_name" not in self.errors:
                self.add_error("customer_name", _("Give the customer's name."))
        else:
            data["customer_name"] = data["customer_phone"] = ""
            if data.get("member") is None and "member" not in self.errors:
                self.add_error(
                    "member", _("Find the member and tap their name, or choose “Walk-in customer”.")
                )
        return data

    def action_arguments(self):
        data = self.cleaned_data
        return {
            "member": data["member"],
            "customer_name": data["customer_name"],
            "customer_phone": data["customer_phone"],
            "channel": data["channel"],
            "category": data["category"],
            "counter": data["counter"],
            "severity": data["severity"],
            "public_risk": data["public_risk"],
            "description": data["description"],
            "wish": data["wish"],
        }


# ---- the queue ------------------------------------------------------------------------------------


class ComplaintQueueForm(forms.Form):
    """Which tab of the queue, and where "show more" goes on from."""

    TABS = ("mine", "team", "unassigned", "all", "feedback")

    tab = forms.ChoiceField(choices=[(tab, tab) for tab in TABS], required=False)
    offset = forms.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)

    def clean_offset(self):
        return self.cleaned_data["offset"] or 0


# ---- working a complaint --------------------------------------------------------------------------


class FirstContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Reached by"),
        choices=[
            (value, label) for value, label in ContactLog.Channel.choices if value != ContactLog.Channel.GIFT
        ],
        initial=ContactLog.Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you reached the customer.")},
    )
    note = NoteField(
        label=_("What was said"),
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Apologised, agreed to look into it by...")}
        ),
        error_messages={"required": _("Write down what was said.")},
    )


class WaitOnCustomerForm(forms.Form):
    note = _reason(
        _("Waiting for"),
        _("Say what the customer is to come back with."),
        _("The receipt, a date for the repair..."),
    )


class CustomerAnsweredForm(forms.Form):
    note = forms.CharField(
        label=_("What they brought"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ResolveComplaintForm(forms.Form):
    solution = NoteField(
        label=_("Agreed solution"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What was agreed with the customer")}),
        error_messages={"required": _("Write down the solution agreed with the customer.")},
    )
    compensation = forms.ChoiceField(
        label=_("Compensation"),
        choices=Complaint.Compensation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    value = forms.DecimalField(
        label=_("Value (yuan)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    details = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Voucher number, gift, ...")}),
    )

    def clean(self):
        data = super().clean()
        kind, value = data.get("compensation"), data.get("value")
        if kind and value is None and "value" not in self.errors:
            self.add_error("value", _("Give the compensation's value in yuan (0 for none)."))
        if not kind and value and "compensation" not in self.errors:
            self.add_error("compensation", _("Choose what kind of compensation this value is for."))
        return data


class ApproveCompensationForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the handler"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DeclineCompensationForm(forms.Form):
    note = forms.CharField(
        label=_("Why not"),
        max_length=300,
        error_messages={"required": _("Say why, so the handler can agree another solution.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("Too much for this case; offer...")}
        ),
    )


class FeedbackCallForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"),
        choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the customer is satisfied.")},
    )
    score = forms.TypedChoiceField(
        label=_("Score (1-5)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Ask for a score from 1 to 5.")},
    )
    note = NoteField(
        label=_("What was wrong"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("satisfied") is False and not data.get("note") and "note" not in self.errors:
            self.add_error("note", _("Write down what the customer is still unhappy about."))
        return data


class CloseWithoutFeedbackForm(forms.Form):
    note = forms.CharField(
        label=_("Why"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Not reached three times")}),
    )


class ReopenComplaintForm(forms.Form):
    reason = _reason(
        _("What the customer is unhappy about"), _("Write down what the customer is unhappy about.")
    )


class CancelComplaintForm(forms.Form):
    reason = _reason(_("Why cancel it"), _("Say why it is cancelled."), _("Recorded twice, by mistake..."))
    original = forms.CharField(
        label=_("Duplicate of complaint number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "#"}),
    )

    def __init__(self, *args, complaint, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint, self.user = complaint, user

    def clean_original(self):
        text = self.cleaned_data["original"].strip().lstrip("#").strip()
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_ID:
            raise forms.ValidationError(_("Enter the original complaint's number, as #123."))
        pk = int(text)
        if pk == self.complaint.pk:
            raise forms.ValidationError(_("A complaint cannot be a duplicate of itself."))
        original = Complaint.objects.visible_to(self.user).filter(pk=pk).first()
        if original is None:
            raise forms.ValidationError(_("No complaint #%(number)s in this store.") % {"number": pk})
        return original


class RerouteComplaintForm(forms.Form):
    team = ObjectChoiceField(
        label=_("Send to team"),
        empty_label=_("Choose a team"),
        error_messages={
            "required": _("Choose the team it goes to."),
            "invalid_choice": _("Choose one of your store's teams."),
        },
    )
    reason = _reason(_("Why"), _("Say why it goes to another team."), _("It is about the counter's stock"))

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(store_id=complaint.store_id).exclude(pk=complaint.team_id)
        self.fields["team"].set_objects({team.pk: team for team in teams})


def colleagues_who_handle(store_id):
    """Who a complaint can be given to: the store's active complaint handlers and store managers."""
    return (
        Staff.objects.filter(
            store_id=store_id,
            is_active=True,
            groups__name__in=[Role.COMPLAINT_HANDLER.value, Role.STORE_MANAGER.value],
        )
        .distinct()
        .order_by("display_name", "username")
    )


class ReassignComplaintForm(forms.Form):
    handler = ObjectChoiceField(
        label=_("Give to"),
        empty_label=_("Choose a colleague"),
        error_messages={
            "required": _("Choose the colleague who takes it."),
            "invalid_choice": _("Choose an active colleague of this store."),
        },
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        people = colleagues_who_handle(complaint.store_id).exclude(pk=complaint.handler_id or 0)
        self.fields["handler"].set_objects({person.pk: person for person in people})
