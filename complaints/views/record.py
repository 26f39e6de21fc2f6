"""Recording a complaint: one screen, on a tablet, in under a minute. The member is found as on the
member search (name, member number, last four digits of the phone), or a walk-in customer gives a
name and a phone; everything else has a sensible default or is one tap.
"""

from django.contrib.auth.decorators import permission_required
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints import actions
from complaints.forms import ComplaintRecordForm, RecordQueryForm
from complaints.models import Complaint, RoutingRule
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.forms_params import read_query
from concierge.models import Member
from concierge.views.members import search_members
from concierge.views.responses import render_page, respond, wants_partial

SEARCH_LIMIT = 8
# The brands and counters offered as the user types: those this store's complaints and routing
# rules already name, so one counter is not spelt three ways.
KNOWN_COUNTERS = 300


def known_counters(user):
    used = (
        Complaint.objects.visible_to(user)
        .exclude(counter="")
        .order_by("counter")
        .values_list("counter", flat=True)
        .distinct()[:KNOWN_COUNTERS]
    )
    ruled = RoutingRule.objects.visible_to(user).exclude(counter="").values_list("counter", flat=True)
    return sorted({*used, *ruled}, key=str.casefold)


def member_choices(user, query, chosen):
    """The members to tap: the one chosen so far first, then the best matches of the search."""
    found = []
    if query:
        members = Member.objects.visible_to(user).select_related("tier")
        found = [
            m
            for m in search_members(members, query)[: SEARCH_LIMIT + 1]
            if chosen is None or m.pk != chosen.pk
        ]
    more = len(found) > SEARCH_LIMIT
    return {"chosen": chosen, "found": found[:SEARCH_LIMIT], "more_found": more, "query": query}


def _visible_member(user, pk):
    if pk is None:
        return None
    return Member.objects.visible_to(user).select_related("tier").filter(pk=pk).first()


def record_context(request, form, *, chosen=None, query=""):
    return {
        "active_nav": "complaints",
        "form": form,
        "counters": known_counters(request.user),
        "from_profile": form["back"].value() == "profile",
        **member_choices(request.user, query, chosen),
    }


def done_text(complaint, actor):
    """Who the complaint went to, in a sentence, for whoever recorded it."""
    number = complaint.number
    if complaint.handler_id == actor.pk:
        text = _("Complaint %(number)s recorded: it is yours.") % {"number": number}
    elif complaint.handler_id:
        text = _("Complaint %(number)s recorded and given to %(handler)s (%(team)s).") % {
            "number": number,
            "handler": complaint.handler,
            "team": complaint.team.name if complaint.team_id else "—",
        }
    else:
        text = _(
            "Complaint %(number)s recorded. Nobody is available to take it now: it waits unassigned, "
            "and the team lead and the store manager have been told."
        ) % {"number": number}
    if complaint.public_risk:
        text += " " + _("Flagged as a 12315 or media risk, and made critical.")
    return text


@require_http_methods(["GET", "POST"])
@permission_required("complaints.add_complaint", raise_exception=True)
@store_required
def record(request):
    user = request.user
    if request.method == "GET":
        query = read_query(RecordQueryForm, request.GET)
        chosen = _visible_member(user, query["member"])
        if wants_partial(request) and "q" in request.GET:
            context = member_choices(user, query["q"], chosen)
            return render_page(request, "complaints/record.html", context, partial="member-results")
        initial = {"member": chosen.pk if chosen else None, "back": "profile" if chosen else ""}
        form = ComplaintRecordForm(user=user, initial=initial)
        return render_page(request, "complaints/record.html", record_context(request, form, chosen=chosen))

    form = ComplaintRecordForm(request.POST, user=user)
    if not form.is_valid():
        context = record_context(request, form, chosen=form.chosen_member)
        context["notice"] = {"level": "error", "text": _("Check the fields marked below.")}
        return render_page(request, "complaints/record.html", context)
    try:
        complaint = actions.record_complaint(actor=user, store=user.store, **form.action_arguments())
    except ActionRefused as refused:
        context = record_context(request, form, chosen=form.chosen_member)
        context["notice"] = {"level": "error", "text": refused.message}
        return render_page(request, "complaints/record.html", context)
    member = form.cleaned_data["member"]
    if form.cleaned_data["back"] == "profile" and member is not None:
        fallback = reverse("concierge:member_detail", args=[member.pk])
    else:
        fallback = reverse("complaints:detail", args=[complaint.pk])
    return respond(
        request,
        fallback=fallback,
        done=done_text(complaint, user),
        level="success" if complaint.handler_id else "warning",
    )


urlpatterns = [path("new/", record, name="record")]
