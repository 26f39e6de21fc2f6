"""The reception figures' period and the CSV export's date range. Both are query strings, validated
like any input: a bad date is a field error on the page."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField

# Two years: longer than any review by hand, short enough that the chart and the CSV stay readable.
MAX_PERIOD_DAYS = 731
EARLIEST = dt.date(2000, 1, 1)


class Preset:
    THIS_WEEK = "week"
    THIS_MONTH = "month"
    LAST_30 = "30d"
    CUSTOM = "custom"

    CHOICES = [
        (THIS_WEEK, _("This week")),
        (THIS_MONTH, _("This month")),
        (LAST_30, _("Last 30 days")),
        (CUSTOM, _("Dates")),
    ]


def preset_range(preset, today):
    """(first day, last day) of a preset period, both included; a week starts on Monday."""
    if preset == Preset.THIS_WEEK:
        return today - dt.timedelta(days=today.weekday()), today
    if preset == Preset.THIS_MONTH:
        return today.replace(day=1), today
    return today - dt.timedelta(days=29), today


def default_period(today):
    start, end = preset_range(Preset.LAST_30, today)
    return {"period": Preset.LAST_30, "start": start, "end": end}


def date_input():
    # A date box takes ISO dates whatever the language; the localised format would leave it empty.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def check_range(form, start, end, today):
    """Field errors for a range that is backwards, too old or too long. The end may lie ahead:
    the visits booked for the rest of the month are part of it."""
    if start and start < EARLIEST:
        form.add_error("start", _("Choose a date from %(year)d on.") % {"year": EARLIEST.year})
    if start and end and start > end:
        form.add_error("end", _("The last day comes before the first."))
    elif start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
        form.add_error(
            "end",
            _("Choose at most %(days)d days (two years); export longer spans in parts.")
            % {"days": MAX_PERIOD_DAYS},
        )


class ReceptionPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Preset.CHOICES, required=False)
    start = BoundedDateField(label=_("From"), required=False, widget=date_input())
    end = BoundedDateField(label=_("To"), required=False, widget=date_input())

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        preset = data.get("period") or (Preset.CUSTOM if start or end else Preset.LAST_30)
        data["period"] = preset
        if preset != Preset.CUSTOM:
            data["start"], data["end"] = preset_range(preset, self.today)
            return data
        if not start and "start" not in self.errors:
            self.add_error("start", _("Choose the first day."))
        if not end and "end" not in self.errors:
            self.add_error("end", _("Choose the last day."))
        check_range(self, start, end, self.today)
        return data


class ReceptionExportForm(forms.Form):
    """The visits whose slot starts from one day to another, both included."""

    start = BoundedDateField(label=_("From"), widget=date_input())
    end = BoundedDateField(label=_("To"), widget=date_input())

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        check_range(self, data.get("start"), data.get("end"), self.today)
        return data
