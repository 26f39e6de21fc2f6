"""The reception figures' period and the CSV export's date range (concierge.forms_period)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.forms_period import CUSTOM, DateRangeForm, PeriodForm


class Preset:
    THIS_WEEK = "week"
    THIS_MONTH = "month"
    LAST_30 = "30d"
    CUSTOM = CUSTOM

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


class ReceptionPeriodForm(PeriodForm):
    period = forms.ChoiceField(label=_("Period"), choices=Preset.CHOICES, required=False)

    default = Preset.LAST_30
    # The visits booked for the rest of the month are part of it.
    future = True
    preset_range = staticmethod(preset_range)


class ReceptionExportForm(DateRangeForm):
    """The visits whose slot starts from one day to another, both included."""

    future = True
