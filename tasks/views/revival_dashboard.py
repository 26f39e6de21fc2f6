"""The store manager's revival dashboard: per person quota, contacted, reached, revived, conversion
and reward earned (a leaderboard and its chart), why members stopped coming and which remedies won
them back, the members nobody has tried yet, and the day-by-day progress against the period.

The figures (tasks/revival/figures.py) sit in one region that reloads itself when the store's
revival figures change: tasks/revival/live.py pushes a bare "something changed" to the store
managers' sockets and static/js/revival.js has htmx fetch the region again (no polling).
"""

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from concierge.decorators import store_required
from concierge.views.responses import render_page
from tasks.forms_revival_dashboard import CampaignPickForm
from tasks.models import RevivalCampaign
from tasks.revival.figures import campaign_figures
from tasks.views.team import chart_axis

TEMPLATE = "tasks/revival/dashboard.html"

# The progress chart's drawing area, in SVG units (it scales with the card).
WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30


def default_campaign(campaigns):
    """The store's open campaign (the latest, should there be two), else its latest one."""
    open_ = [c for c in campaigns if c.state == RevivalCampaign.State.OPEN]
    return (open_ or list(campaigns) or [None])[0]


def progress_chart(progress):
    """The SVG geometry of the cumulative revivals against the straight target line."""
    axis = chart_axis(max(int(progress["target"] + 0.999), progress["revived"], 1), most_steps=4)
    top, length = axis["top"], progress["length"]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index):
        return round(LEFT + plot_w * index / length, 1)

    def y(value):
        return round(TOP + plot_h * (1 - value / top), 1)

    done = [
        (x(i + 1), y(row["revived"])) for i, row in enumerate(progress["days"]) if row["revived"] is not None
    ]
    line = [(x(0), y(0)), *done]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": y(0),
        "top": TOP,
        "target_line": {"x1": x(0), "y1": y(0), "x2": x(length), "y2": y(progress["target"])},
        "points": " ".join(f"{px},{py}" for px, py in line),
        "area": " ".join(f"{px},{py}" for px, py in [*line, (line[-1][0], y(0))]) if done else "",
        "last": line[-1] if done else None,
        "ticks": [{"value": value, "y": y(value)} for value, _position in axis["ticks"]],
        "first_x": x(0),
        "last_x": x(length),
        "label_y": HEIGHT - 8,
    }


def dashboard_context(request):
    # One query for the picker's choices, which also names the default campaign.
    campaigns = list(RevivalCampaign.objects.visible_to(request.user).order_by("-start", "-pk"))
    form = CampaignPickForm(request.GET or None, campaigns=campaigns)
    chosen = None
    if form.is_bound and form.is_valid() and form.cleaned_data["campaign"]:
        chosen = next((c for c in campaigns if c.pk == form.cleaned_data["campaign"]), None)
        if chosen is None:
            raise Http404
    if chosen is None:
        chosen = default_campaign(campaigns)
    if chosen is not None and not form.errors:
        form = CampaignPickForm(initial={"campaign": chosen.pk}, campaigns=campaigns)
    today = timezone.localdate()
    context = {
        "active_nav": "revival",
        "today": today,
        "form": form,
        "campaigns": campaigns,
        "campaign": chosen,
        "figures": None,
    }
    if chosen is not None:
        figures = campaign_figures(chosen, today)
        context.update(figures=figures, chart=progress_chart(figures["progress"]))
    return context


@require_GET
@permission_required("tasks.manage_revival", raise_exception=True)
@store_required
def dashboard(request):
    """The whole page, or (for htmx: the live refresh) only its figures."""
    return render_page(request, TEMPLATE, dashboard_context(request), partial="revival-figures")


urlpatterns = [
    path("revival/", dashboard, name="revival_dashboard"),
]
