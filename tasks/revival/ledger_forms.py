"""The forms of the incentive ledger and the payout statements (tasks/views/revival_ledger.py)."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField, ModelMultipleChoiceByIdField
from tasks.models import IncentiveEntry
from tasks.revival.ledger import MAX_CORRECTION

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class RowChoiceField(forms.TypedChoiceField):
    """One of a few rows of the user's store, by id: `rows` is {id: row}; cleans to the row."""

    def __init__(self, *, rows=None, empty_label=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.set_rows(rows or {})

    def set_rows(self, rows):
        self.rows = rows
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = [*empty, *((pk, str(row)) for pk, row in rows.items())]

    def clean(self, value):
        pk = super().clean(value)
        return self.rows.get(pk) if pk not in (None, "") else None


class LedgerFilterForm(forms.Form):
    """What the ledger shows: every field may be left blank."""

    campaign = RowChoiceField(label=_("Campaign"), required=False, empty_label=_("All campaigns"))
    staff = RowChoiceField(label=_("Person"), required=False, empty_label=_("Everyone"))
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *IncentiveEntry.State.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *IncentiveEntry.Kind.choices]
    )

    def __init__(self, *args, campaigns, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].set_rows(campaigns)
        self.fields["staff"].set_rows(people)


class LedgerSelectionForm(forms.Form):
    """The entries ticked on the ledger, to approve or to mark paid (then on which day)."""

    entries = ModelMultipleChoiceByIdField(
        label=_("Entries"),
        queryset=IncentiveEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the entries first.")},
    )
    paid_on = BoundedDateField(
        label=_("Paid on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date.")},
    )

    def __init__(self, *args, entries, needs_date=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries
        self.needs_date = needs_date

    def clean_paid_on(self):
        paid_on = self.cleaned_data.get("paid_on")
        if self.needs_date:
            if paid_on is None:
                raise forms.ValidationError(_("Choose the day it was paid."), code="required")
            if paid_on > timezone.localdate():
                raise forms.ValidationError(_("A payment cannot be dated in the future."), code="future")
        return paid_on


class CorrectionForm(forms.Form):
    """A correction entry: who, in which campaign, how much (plus or minus) and why."""

    staff = RowChoiceField(label=_("Person"), empty_label=_("Choose a person"))
    campaign = RowChoiceField(label=_("Campaign"), empty_label=_("Choose a campaign"))
    amount = forms.DecimalField(
        label=_("Amount (yuan; minus to take off)"),
        max_digits=12,
        decimal_places=2,
        min_value=-MAX_CORRECTION,
        max_value=MAX_CORRECTION,
    )
    reason = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args, campaigns, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].set_rows(campaigns)
        self.fields["staff"].set_rows(people)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == Decimal("0"):
            raise forms.ValidationError(_("A correction is an amount other than zero."), code="zero")
        return amount


class MonthField(forms.CharField):
    """A month as YYYY-MM; cleans to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        match = MONTH.match(text)
        year, month = (int(match[1]), int(match[2])) if match else (0, 0)
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-12."), code="invalid")
        return dt.date(year, month, 1)


class StatementForm(forms.Form):
    """Whose statement, for which month (this month when left out)."""

    staff = RowChoiceField(label=_("Person"), required=False)
    month = MonthField(
        label=_("Month"),
        required=False,
        # Not every tablet browser offers a month picker; the text works everywhere.
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "autocomplete": "off"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].set_rows(people)
