"""The store manager's complaints page: what needs them this morning (late, due soon, waiting for
their approval), and what a period brought (by category and counter over time, repeat
complainers and follow-up cases, each handler's figures, compensation spent); with a CSV export
of the complaints recorded in a date range.

The figures come from complaints/figures.py in a fixed number of grouped queries.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints import figures
from complaints.forms_overview import (
    ComplaintExportForm,
    ComplaintPeriodForm,
    Grouping,
    Preset,
    default_period,
)
from complaints.models import Category, Complaint, Severity
from concierge.decorators import store_required
from concierge.exports import csv_download
from concierge.views.responses import notice, render_page, wants_partial

MANAGE = "complaints.manage_complaints"
EXPORT_ID = "export_%s"


def _query(period, **changes):
    """The query string that names a period (and the chart's grouping)."""
    params = {"period": period["period"], "by": period["by"], **changes}
    if params["period"] == Preset.CUSTOM:
        params.update(start=period["start"].isoformat(), end=period["end"].isoformat())
    return "?" + urlencode(params)


def _period_links(period):
    """The preset periods and the chart's grouping as links, each keeping the other choice. A
    grouping link redraws the period's figures in place and keeps the page's address current."""
    page, part = reverse("complaints:overview"), reverse("complaints:overview_period")
    presets = [
        {
            "label": label,
            "url": page + "?" + urlencode({"period": code, "by": period["by"]}),
            "active": period["period"] == code,
        }
        for code, label in Preset.CHOICES
        if code != Preset.CUSTOM
    ]
    groupings = [
        {
            "label": label,
            "url": page + _query(period, by=code),
            "part": part + _query(period, by=code),
            "active": period["by"] == code,
        }
        for code, label in Grouping.CHOICES
    ]
    return presets, groupings


def overview_context(request, *, query=None, export_form=None, open_now=True, with_figures=False):
    """The page's context: what is open now (unless only the period's figures are drawn), the
    period and its forms, and the period's figures when they are drawn with the page."""
    user = request.user
    today = timezone.localdate()
    query = request.GET if query is None else query
    form = ComplaintPeriodForm(query or None, today=today)
    if form.is_bound and form.is_valid():
        period = form.cleaned_data
    else:
        by = query.get("by") if query.get("by") in dict(Grouping.CHOICES) else Grouping.CATEGORY
        period = default_period(today, by)
    period["days"] = (period["end"] - period["start"]).days + 1
    if not form.errors:
        # The dates box shows the period the figures are for; with errors, what was typed.
        form = ComplaintPeriodForm(initial={"start": period["start"], "end": period["end"]}, today=today)
    presets, groupings = _period_links(period)
    if export_form is None:
        export_form = ComplaintExportForm(
            initial={"start": period["start"], "end": period["end"]}, today=today, auto_id=EXPORT_ID
        )
    return {
        "active_nav": "complaints",
        "today": today,
        "form": form,
        "period": period,
        "period_url": reverse("complaints:overview_period") + _query(period),
        "custom": period["period"] == Preset.CUSTOM,
        "presets": presets,
        "groupings": groupings,
        "export_form": export_form,
        "open": figures.open_figures(user) if open_now else None,
        "figures": (
            figures.period_figures(user, period["start"], period["end"], period["by"])
            if with_figures
            else None
        ),
        "list_size": figures.LIST_SIZE,
    }


TEMPLATE = "complaints/overview.html"


@require_GET
@permission_required(MANAGE, raise_exception=True)
@store_required
def overview(request):
    """What is open now, at once; the period's figures follow from overview_period. A live alert
    has htmx fetch the open part again."""
    return render_page(request, TEMPLATE, overview_context(request), partial="complaints-now")


@require_GET
@permission_required(MANAGE, raise_exception=True)
@store_required
def overview_period(request):
    """The period's figures: the part of the page htmx fetches after it, or (without htmx) the
    whole page with them."""
    partial = wants_partial(request)
    context = overview_context(request, open_now=not partial, with_figures=True)
    return render_page(request, TEMPLATE, context, partial="period-figures")


# ---- the CSV export ------------------------------------------------------------------------------


def export_header():
    return [
        _("Number"),
        _("Recorded at"),
        _("Customer"),
        _("Channel"),
        _("Category"),
        _("Brand or counter"),
        _("Severity"),
        _("Mentions 12315 or the media"),
        _("State"),
        _("Team"),
        _("Handler"),
        _("First contact at"),
        _("Minutes to first contact"),
        _("Resolved at"),
        _("Minutes to resolution"),
        _("Deadlines missed"),
        _("Agreed solution"),
        _("Compensation"),
        _("Compensation value (yuan)"),
        _("Approval"),
        _("Satisfied"),
        _("Satisfaction (1-5)"),
        _("What was wrong"),
        _("Times reopened"),
        _("Follows case"),
    ]


def _labels(choices):
    """Choice labels as text now, in the user's language: rows are written after the view returns."""
    return {value: str(label) for value, label in choices}


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(user, start, end):
    """One row per complaint recorded in the range (cancelled ones left out), oldest first, read
    from the database in chunks as the file is sent."""
    since, until = figures.period_bounds(start, end)
    channels = _labels(Complaint.Channel.choices)
    severities = _labels(Severity.choices)
    states = _labels(Complaint.State.choices)
    kinds = _labels(Complaint.Compensation.choices)
    approvals = _labels(Complaint.Approval.choices)
    categories = {category.pk: category.display_name for category in Category.objects.visible_to(user)}
    yes, no = _("yes"), _("no")
    contact_late, resolve_late = str(Complaint.Target.CONTACT.label), str(Complaint.Target.RESOLUTION.label)
    complaints = (
        Complaint.objects.visible_to(user)
        .exclude(state=Complaint.State.CANCELLED)
        .filter(recorded_at__gte=since, recorded_at__lt=until)
        .select_related("member", "team", "handler")
        .order_by("recorded_at", "pk")
    )
    for c in complaints.iterator(chunk_size=1000):
        customer = f"{c.member.member_no} {c.member.name}" if c.member_id else c.customer_name
        missed = [
            label
            for late, label in ((c.contact_breached, contact_late), (c.resolve_breached, resolve_late))
            if late
        ]
        yield [
            c.number,
            _moment(c.recorded_at),
            customer,
            channels.get(c.channel, c.channel),
            categories.get(c.category_id, ""),
            c.counter,
            severities.get(c.severity, c.severity),
            yes if c.public_risk else "",
            states.get(c.state, c.state),
            c.team.name if c.team_id else "",
            str(c.handler) if c.handler_id else "",
            _moment(c.first_contact_at),
            c.contact_minutes if c.contact_minutes is not None else "",
            _moment(c.resolved_at),
            c.resolve_minutes if c.resolve_minutes is not None else "",
            ", ".join(missed),
            c.solution,
            kinds.get(c.compensation, c.compensation) if c.compensation else "",
            c.compensation_value if c.compensation_value is not None else "",
            approvals.get(c.approval, c.approval) if c.approval else "",
            "" if c.satisfied is None else (yes if c.satisfied else no),
            c.score or "",
            c.feedback_note,
            c.reopen_count,
            f"#{c.follows_id}" if c.follows_id else "",
        ]


@require_GET
@permission_required(MANAGE, raise_exception=True)
@store_required
def export(request):
    today = timezone.localdate()
    form = ComplaintExportForm(request.GET, today=today, auto_id=EXPORT_ID)
    if not form.is_valid():
        # The page again with the export's errors beside its dates (status 200: nothing broke); the
        # browser scrolls to the first date to correct.
        first = next(name for name in form.fields if name in form.errors) if form.errors else None
        if first:
            form.fields[first].widget.attrs["autofocus"] = True
        context = overview_context(request, query={}, export_form=form)
        context["notice"] = notice(refused=_("Check the dates of the export."))
        return render(request, TEMPLATE, context)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    filename = f"complaints-{start.isoformat()}-{end.isoformat()}.csv"
    return csv_download(filename, export_header(), export_rows(request.user, start, end))


urlpatterns = [
    path("overview/", overview, name="overview"),
    path("overview/period/", overview_period, name="overview_period"),
    path("overview/export.csv", export, name="export"),
]
