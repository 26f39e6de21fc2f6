"""The handler's queue: mine, my team's, unassigned (and, for the store manager, every open one),
most urgent deadline first, and the feedback calls to make. It refreshes itself when an alert
arrives over the socket (a complaint routed to the user), without polling.
"""

from django.contrib.auth.decorators import permission_required
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from complaints.forms import ComplaintQueueForm
from complaints.models import Complaint, ComplaintSettings, Team
from complaints.views.common import ESCALATED_TO, due_status
from concierge.decorators import store_required
from concierge.forms_params import read_query
from concierge.opening import business_calendar
from concierge.roles import Role
from concierge.views.responses import render_page, wants_partial

State = Complaint.State
Target = Complaint.Target
PAGE_SIZE = 25

# The queue is work still to do before the customer has a solution; resolved cases wait for their
# feedback call on a tab of their own.
OPEN_STATES = tuple(state for state in Complaint.ACTIVE_STATES if state != State.RESOLVED)

TAB_LABELS = {
    "mine": _("Mine"),
    "team": _("My team's"),
    "unassigned": _("Unassigned"),
    "all": _("All open"),
    "feedback": _("Feedback calls"),
}


def my_team_ids(user):
    """The teams whose complaints the user may be given, as routing sees them: those they are in or
    lead, and, for a complaint handler, teams nobody was put in (those go to every handler)."""
    teams = Q(memberships__staff=user) | Q(lead=user)
    if user.has_role(Role.COMPLAINT_HANDLER):
        teams |= Q(memberships__isnull=True)
    return Team.objects.filter(teams, store_id=user.store_id).values("pk")


def tab_filters(user):
    """Each tab as a condition on the store's active complaints."""
    is_manager = user.has_perm("complaints.manage_complaints")
    open_ = Q(state__in=OPEN_STATES)
    filters = {
        "mine": open_ & Q(handler=user),
        "team": open_ & Q(team_id__in=my_team_ids(user)),
        "unassigned": open_ & Q(handler__isnull=True),
        "feedback": Q(state=State.RESOLVED) & (Q() if is_manager else Q(handler=user)),
    }
    if is_manager:
        filters["all"] = open_
    return {tab: filters[tab] for tab in TAB_LABELS if tab in filters}


def ordered(complaints, tab):
    """Most urgent first: the deadline running now; cases waiting on the customer after them (their
    clock is stopped). Feedback calls: the longest waiting first."""
    if tab == "feedback":
        return complaints.order_by(F("resolved_at").asc(nulls_last=True), "pk")
    due = Case(
        When(sla_target=Target.CONTACT, then=F("contact_due_at")),
        When(sla_target=Target.RESOLUTION, then=F("resolve_due_at")),
    )
    waiting = Case(When(state=State.WAITING, then=Value(1)), default=Value(0), output_field=IntegerField())
    return complaints.annotate(sort_due=due, sort_waiting=waiting).order_by(
        "sort_waiting", F("sort_due").asc(nulls_last=True), "recorded_at", "pk"
    )


def queue_context(request, *, tab, offset=0):
    user = request.user
    filters = tab_filters(user)
    if tab not in filters:
        # The store manager starts from every open complaint; a handler from their own.
        tab = "all" if "all" in filters else "mine"
    store_complaints = Complaint.objects.visible_to(user).filter(state__in=Complaint.ACTIVE_STATES)
    counts = store_complaints.aggregate(**{name: Count("pk", filter=q) for name, q in filters.items()})
    offset = min(offset, counts[tab])
    # Ranked on the narrow columns first, then the page's rows loaded whole: sorting the open
    # complaints with their member, category and handler joined cost more than the rest of the page.
    ranked = list(
        ordered(store_complaints.filter(filters[tab]), tab).values_list("pk", flat=True)[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    more = len(ranked) > PAGE_SIZE
    loaded = Complaint.objects.select_related("member", "category", "handler", "team").in_bulk(
        ranked[:PAGE_SIZE]
    )
    rows = [loaded[pk] for pk in ranked[:PAGE_SIZE]]
    now = timezone.now()
    if rows:
        calendar = business_calendar(user.store_id)
        grace = ComplaintSettings.for_store(user.store_id).reopen_grace_days if tab == "feedback" else 7
        for complaint in rows:
            complaint.due = due_status(complaint, now, calendar, grace)
            complaint.escalated_to = ESCALATED_TO.get(complaint.escalation_level, "")
    list_url = reverse("complaints:queue")
    return {
        "active_nav": "complaints",
        "tab": tab,
        "tabs": [(name, TAB_LABELS[name], counts[name]) for name in filters],
        "counts": counts,
        "rows": rows,
        "more": more,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE,
        "list_url": list_url,
        "tab_url": f"{list_url}?tab={tab}",
        "can_record": user.has_perm("complaints.add_complaint"),
        "is_manager": user.has_perm("complaints.manage_complaints"),
    }


@require_GET
@permission_required("complaints.change_complaint", raise_exception=True)
@store_required
def queue(request):
    query = read_query(ComplaintQueueForm, request.GET)
    context = queue_context(request, tab=query["tab"], offset=query["offset"])
    if wants_partial(request) and "offset" in request.GET:
        return render_page(request, "complaints/queue.html", context, partial="rows")
    return render_page(request, "complaints/queue.html", context, partial="queue")


urlpatterns = [path("", queue, name="queue")]
