from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from concierge import actions
from concierge.forms_params import OpenAlertForm
from concierge.models import Alert
from concierge.views.responses import respond

LIST_SIZE = 100


@require_GET
def alert_list(request):
    """The user's alerts, newest first: what a tablet missed while it slept is here."""
    alerts = Alert.objects.filter(recipient=request.user)[:LIST_SIZE]
    return render(request, "concierge/alerts.html", {"alerts": alerts, "active_nav": "alerts"})


@require_POST
def mark_read(request, pk):
    """Mark one alert read, then follow its link (tapping an alert opens what it is about)."""
    alert = get_object_or_404(Alert, pk=pk, recipient=request.user)
    actions.read_alerts(request.user, pks=[alert.pk])
    form = OpenAlertForm(request.POST)
    opens = form.is_valid() and form.cleaned_data["open"]
    # Links are written by the app, but only a path on this site is followed.
    if opens and alert.link.startswith("/") and url_has_allowed_host_and_scheme(alert.link, None):
        return respond(request, fallback=alert.link)
    return respond(request, fallback="concierge:alerts")


@require_POST
def mark_all_read(request):
    actions.read_alerts(request.user)
    return respond(request, fallback="concierge:alerts")
