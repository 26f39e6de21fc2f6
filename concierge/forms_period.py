"""The period a figures page covers, and an export's date range: query strings, validated like any
input, so a bad date is a field error on the page. Complaints and reception share them."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField

# Longer than any review a store manager does by hand, short enough that a chart and a CSV stay
# readable.
MAX_PERIOD_DAYS = 731
EARLIEST = dt.date(2000, 1, 1)
CUSTOM = "custom"


def date_input():
    # A date box takes ISO dates whatever the language; the localised format would leave it empty.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def check_range(form, start, end, today, *, future=False):
    """Field errors for a range that is backwards, too old or too long, or (unless `future`, for
    what is booked ahead) reaches past today."""
    if start and start < EARLIEST:
        form.add_error("start", _("Choose a date from %(year)d on.") % {"year": EARLIEST.year})
    if not future and end and end > today:
        form.add_error("end", _("Choose today or an earlier day."))
    if start and end and start > end:
        form.add_error("end", _("The last day comes before the first."))
    elif start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
        form.add_error(
            "end",
            _("Choose at most %(days)d days (two years); export longer spans in parts.")
            % {"days": MAX_PERIOD_DAYS},
        )


class PeriodForm(forms.Form):
    """A preset period or two dates. Subclasses give `period`'s choices (CUSTOM among them),
    `default` (a preset) and `preset_range(preset, today)`; `future` lets the end lie ahead."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    start = BoundedDateField(label=_("From"), required=False, widget=date_input())
    end = BoundedDateField(label=_("To"), required=False, widget=date_input())

    default = None
    future = False
    abstract = True  # used through its subclasses (tests/test_fuzz.py)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    @staticmethod
    def preset_range(preset, today):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        preset = data.get("period") or (CUSTOM if start or end else self.default)
        data["period"] = preset
        if preset != CUSTOM:
            data["start"], data["end"] = self.preset_range(preset, self.today)
            return data
        if not start and "start" not in self.errors:
            self.add_error("start", _("Choose the first day."))
        if not end and "end" not in self.errors:
            self.add_error("end", _("Choose the last day."))
        check_range(self, start, end, self.today, future=self.future)
        return data


class DateRangeForm(forms.Form):
    """From one day to another, both included."""

    start = BoundedDateField(label=_("From"), widget=date_input())
    end = BoundedDateField(label=_("To"), widget=date_input())

    future = False
    abstract = True  # used through its subclasses (tests/test_fuzz.py)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        check_range(self, data.get("start"), data.get("end"), self.today, future=self.future)
        return data
