from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from concierge.models import Alert

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
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    if request.POST.get("open") and alert.link.startswith("/"):
        return redirect(alert.link)
    return redirect("concierge:alerts")


@require_POST
def mark_all_read(request):
    Alert.objects.filter(Q(recipient=request.user) & Q(read_at__isnull=True)).update(read_at=timezone.now())
    return redirect("concierge:alerts")
