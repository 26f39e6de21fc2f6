"""The store manager's complaint figures: which period they cover, and the CSV export's date range.
Both are query strings, validated like any input: a bad date is a field error on the page."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField

# Longer than any review a store manager does by hand, short enough that a chart of months and a
# CSV stay readable.
MAX_PERIOD_DAYS = 731
EARLIEST = dt.date(2000, 1, 1)
DEFAULT_DAYS = 90


class Preset:
    LAST_90 = "90d"
    THIS_MONTH = "month"
    LAST_MONTH = "last_month"
    LAST_12 = "12m"
    CUSTOM = "custom"

    CHOICES = [
        (LAST_90, _("Last 90 days")),
        (THIS_MONTH, _("This month")),
        (LAST_MONTH, _("Last month")),
        (LAST_12, _("Last 12 months")),
        (CUSTOM, _("Dates")),
    ]


class Grouping:
    CATEGORY = "category"
    COUNTER = "counter"
    CHOICES = [(CATEGORY, _("By category")), (COUNTER, _("By counter"))]


def months_before(day, months):
    """The same day `months` calendar months earlier (the 31st falls on the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def preset_range(preset, today):
    """(first day, last day) of a preset period, both included."""
    if preset == Preset.THIS_MONTH:
        return today.replace(day=1), today
    if preset == Preset.LAST_MONTH:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if preset == Preset.LAST_12:
        # Twelve whole months on the monthly chart, and this month so far.
        return months_before(today.replace(day=1), 12), today
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def check_range(form, start, end, today):
    """Field errors for a date range that is backwards, in the future, too old or too long."""
    if start and start < EARLIEST:
        form.add_error("start", _("Choose a date from %(year)d on.") % {"year": EARLIEST.year})
    if end and end > today:
        form.add_error("end", _("Choose today or an earlier day."))
    if start and end and start > end:
        form.add_error("end", _("The last day comes before the first."))
    elif start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
        form.add_error(
            "end",
            _("Choose at most %(days)d days (two years); export longer spans in parts.")
            % {"days": MAX_PERIOD_DAYS},
        )


def date_input():
    # A date box takes ISO dates whatever the language; the localised format would leave it empty.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ComplaintPeriodForm(forms.Form):
    """What the figures cover: a preset, or two dates; and how the chart groups complaints."""

    period = forms.ChoiceField(label=_("Period"), choices=Preset.CHOICES, required=False)
    start = BoundedDateField(label=_("From"), required=False, widget=date_input())
    end = BoundedDateField(label=_("To"), required=False, widget=date_input())
    by = forms.ChoiceField(label=_("Chart"), choices=Grouping.CHOICES, required=False)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        data["by"] = data.get("by") or Grouping.CATEGORY
        start, end = data.get("start"), data.get("end")
        preset = data.get("period") or (Preset.CUSTOM if start or end else Preset.LAST_90)
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


def default_period(today, by=Grouping.CATEGORY):
    start, end = preset_range(Preset.LAST_90, today)
    return {"period": Preset.LAST_90, "start": start, "end": end, "by": by}


class ComplaintExportForm(forms.Form):
    """The complaints recorded from one day to another, both included."""

    start = BoundedDateField(label=_("From"), widget=date_input())
    end = BoundedDateField(label=_("To"), widget=date_input())

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        check_range(self, data.get("start"), data.get("end"), self.today)
        return data
