"""The store manager's reception figures: visits per host and per day for a period, no-shows,
the hosts' answer times, conversion and sales during visits; and the visits as a CSV file.

The figures come from concierge/appointments/stats.py in a fixed number of grouped queries.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concierge.appointments import stats
from concierge.appointments.stats_forms import (
    Preset,
    ReceptionExportForm,
    ReceptionPeriodForm,
    default_period,
)
from concierge.decorators import store_required
from concierge.exports import csv_download
from concierge.models import Appointment
from concierge.views.responses import notice

MANAGE = "concierge.manage_appointments"
TEMPLATE = "concierge/appointments/stats.html"
EXPORT_ID = "export_%s"


def _period_links(period):
    page = reverse("concierge:reception_stats")
    return [
        {
            "label": label,
            "url": page + "?" + urlencode({"period": code}),
            "active": period["period"] == code,
        }
        for code, label in Preset.CHOICES
        if code != Preset.CUSTOM
    ]


def stats_context(request, *, query=None, export_form=None):
    user = request.user
    today = timezone.localdate()
    query = request.GET if query is None else query
    form = ReceptionPeriodForm(query or None, today=today)
    period = form.cleaned_data if form.is_bound and form.is_valid() else default_period(today)
    period["days"] = (period["end"] - period["start"]).days + 1
    if not form.errors:
        # The dates box shows the period the figures are for; with errors, what was typed.
        form = ReceptionPeriodForm(initial={"start": period["start"], "end": period["end"]}, today=today)
    if export_form is None:
        export_form = ReceptionExportForm(
            initial={"start": period["start"], "end": period["end"]}, today=today, auto_id=EXPORT_ID
        )
    return {
        "active_nav": "overview",
        "today": today,
        "form": form,
        "period": period,
        "presets": _period_links(period),
        "custom": period["period"] == Preset.CUSTOM,
        "export_form": export_form,
        "figures": stats.period_figures(user, period["start"], period["end"]),
    }


@require_GET
@permission_required(MANAGE, raise_exception=True)
@store_required
def reception_stats(request):
    return render(request, TEMPLATE, stats_context(request))


# ---- the CSV export ------------------------------------------------------------------------------


def export_header():
    return [
        _("Number"),
        _("Date"),
        _("Starts"),
        _("Ends"),
        _("Member number"),
        _("Member"),
        _("Host"),
        _("Backup host"),
        _("Room or lounge"),
        _("Purpose"),
        _("Booked by"),
        _("Walk-in"),
        _("State"),
        _("Party size"),
        _("Arrived at"),
        _("Host answered at"),
        _("Minutes to answer"),
        _("Seen off at"),
        _("Gift given"),
        _("Why cancelled"),
        _("Purchases during the visit"),
        _("Sales during the visit (yuan)"),
    ]


def _labels(choices):
    """Choice labels as text now, in the user's language: rows are written after the view returns."""
    return {value: str(label) for value, label in choices}


@require_GET
@permission_required(MANAGE, raise_exception=True)
@store_required
def reception_export(request):
    today = timezone.localdate()
    form = ReceptionExportForm(request.GET, today=today, auto_id=EXPORT_ID)
    if not form.is_valid():
        # The page again with the export's errors beside its dates (status 200: nothing broke).
        context = stats_context(request, query={}, export_form=form)
        context["notice"] = notice(refused=_("Check the dates of the export."))
        return render(request, TEMPLATE, context)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    labels = {
        "purpose": _labels(Appointment.Purpose.choices),
        "channel": _labels(Appointment.Channel.choices),
        "state": _labels(Appointment.State.choices),
        "yes": _("yes"),
    }
    filename = f"visits-{start.isoformat()}-{end.isoformat()}.csv"
    return csv_download(filename, export_header(), stats.export_rows(request.user, start, end, labels))


urlpatterns = [
    path("reception/figures/", reception_stats, name="reception_stats"),
    path("reception/figures/export/", reception_export, name="reception_export"),
]
