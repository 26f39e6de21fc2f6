"""The store manager's complaint figures: which period they cover, and the CSV export's date range
(concierge.forms_period)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.forms_period import CUSTOM, DateRangeForm, PeriodForm

DEFAULT_DAYS = 90


class Preset:
    LAST_90 = "90d"
    THIS_MONTH = "month"
    LAST_MONTH = "last_month"
    LAST_12 = "12m"
    CUSTOM = CUSTOM

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


class ComplaintPeriodForm(PeriodForm):
    """What the figures cover: a preset, or two dates; and how the chart groups complaints."""

    period = forms.ChoiceField(label=_("Period"), choices=Preset.CHOICES, required=False)
    by = forms.ChoiceField(label=_("Chart"), choices=Grouping.CHOICES, required=False)

    default = Preset.LAST_90

    @staticmethod
    def preset_range(preset, today):
        return preset_range(preset, today)

    def clean(self):
        data = super().clean()
        data["by"] = data.get("by") or Grouping.CATEGORY
        return data


def default_period(today, by=Grouping.CATEGORY):
    start, end = preset_range(Preset.LAST_90, today)
    return {"period": Preset.LAST_90, "start": start, "end": end, "by": by}


class ComplaintExportForm(DateRangeForm):
    """The complaints recorded from one day to another, both included."""
