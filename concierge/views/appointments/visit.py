"""The visit's page: who comes, when and why, the checklist by department, the steps the user may
take now, the history in sentences and the purchases made during the visit; and its .ics file.

Each step posts to its own URL, through its form, to its action; a refusal is a notice in the
page, htmx gets the visit's part drawn again, a plain post a redirect.
"""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge.appointments import ics, visits
from concierge.appointments.timeline import timeline
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.forms_visit import (
    VisitFarewellForm,
    VisitFollowUpForm,
    VisitItemForm,
    VisitServiceForm,
    VisitTickForm,
    VisitUndoNoShowForm,
)
from concierge.models import Appointment, Department
from concierge.models.appointments import may_receive, may_serve
from concierge.views.responses import render_page, respond

State = Appointment.State
TEMPLATE = "concierge/appointments/visit.html"

FORMS = {
    "item": VisitItemForm,
    "service": VisitServiceForm,
    "farewell": VisitFarewellForm,
    "follow_up": VisitFollowUpForm,
    "undo_no_show": VisitUndoNoShowForm,
}


def visit_for(user, pk):
    """The visit if it is in the user's store (404 otherwise), with what the page shows."""
    return Appointment.objects.select_related(
        "store",
        "member",
        "member__tier",
        "host",
        "backup_host",
        "room",
        "booked_by",
        "checked_in_by",
        "cancelled_by",
        "acknowledged_by",
    ).get_for(user, pk=pk)


def available_steps(appointment, user):
    """What this user may do now: from the state machine's own guards, so the page and the
    actions never disagree."""
    transitions = {t.name for t in appointment.get_available_user_state_transitions(user)}
    steps = set()
    for name, step in (
        ("confirm", "confirm"),
        ("cancel", "cancel"),
        ("check_in", "check_in"),
        ("start_service", "start"),
        ("see_off", "farewell"),
        ("follow_up", "follow_up"),
        ("undo_no_show", "undo_no_show"),
    ):
        if name in transitions:
            steps.add(step)
    receiving = may_receive(appointment, user)
    if receiving and appointment.is_upcoming:
        steps.add("edit")
    if receiving and appointment.state in visits.CHECKLIST_OPEN_STATES:
        steps |= {"tick", "item"}
    serving = may_serve(appointment, user)
    if serving and appointment.waiting_for_host:
        steps.add("acknowledge")
    if serving and appointment.state in (State.IN_SERVICE, State.COMPLETED, State.FOLLOWED_UP):
        steps.add("service")
    return steps


def make_form(step, appointment, data=None):
    initial = None
    if step == "service":
        initial = {"notes": appointment.service_notes, "feedback": appointment.feedback}
    return FORMS[step](data, initial=initial, auto_id=f"{step}-%s")


def checklist(appointment):
    """[(department label, [items])] in the checklist's order, departments in their first item's."""
    groups = {}
    for item in appointment.preparation.select_related("done_by"):
        groups.setdefault(item.department, []).append(item)
    labels = dict(Department.choices)
    return [(labels.get(dep, dep), items) for dep, items in groups.items()]


def detail_context(request, appointment, *, sent=None, notice=None):
    user = request.user
    steps = available_steps(appointment, user)
    forms = {step: make_form(step, appointment) for step in steps if step in FORMS}
    if sent and sent[0] in forms:
        forms[sent[0]] = sent[1]
    groups = checklist(appointment)
    items = [item for _dep, rows in groups for item in rows]
    purchases = list(appointment.purchases.order_by("purchased_at", "pk"))
    return {
        "active_nav": "reception",
        "visit": appointment,
        "member": appointment.member,
        "steps": steps,
        "forms": forms,
        "sent_step": sent[0] if sent else "",
        "notice": notice,
        "checklist": groups,
        "items_done": sum(item.is_done for item in items),
        "items_total": len(items),
        "timeline": timeline(appointment),
        "purchases": purchases,
        "purchases_total": sum((p.amount for p in purchases), start=0),
        "can_see_member": user.has_perm("concierge.view_member"),
    }


def _draw(request, pk, *, sent=None):
    def draw(notice):
        appointment = visit_for(request.user, pk)
        context = detail_context(request, appointment, sent=sent, notice=notice)
        return render_page(request, TEMPLATE, context, partial="visit")

    return draw


@require_GET
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def visit_detail(request, pk):
    appointment = visit_for(request.user, pk)
    return render_page(request, TEMPLATE, detail_context(request, appointment), partial="visit")


@require_GET
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def visit_ics(request, pk):
    appointment = visit_for(request.user, pk)
    host = request.get_host().split(":")[0] or "vip-concierge"
    response = HttpResponse(
        ics.visit_calendar(appointment, domain=host), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(appointment)}"'
    return response


# ---- the steps -----------------------------------------------------------------------------------


def _tick(appointment, user, data):
    item = appointment.preparation.filter(pk=data["item"]).first()
    if item is None:
        raise ActionRefused(_("This was removed meanwhile."))
    visits.tick_item(item, actor=user, done=data["done"])
    return (
        _("Done: %(item)s.") % {"item": item.text}
        if data["done"]
        else _("Open again: %(item)s.") % {"item": item.text}
    )


def _item(appointment, user, data):
    visits.add_item(appointment, actor=user, department=data["department"], text=data["text"])
    return _("Added to the checklist; the department has been told.")


def _start(appointment, user, data):
    visits.start_service(appointment, actor=user)
    return _("Service started.")


def _service(appointment, user, data):
    visits.record_service(appointment, actor=user, notes=data["notes"], feedback=data["feedback"])
    return _("Notes saved.")


def _farewell(appointment, user, data):
    done = visits.see_off(appointment, actor=user, gift_given=data["gift_given"], gift_note=data["gift_note"])
    count = done.purchases.count()
    if count:
        return _("Seen off. Purchases during the visit: %(count)s.") % {"count": count}
    return _("Seen off.")


def _follow_up(appointment, user, data):
    visits.follow_up_appointment(appointment, actor=user, note=data["note"])
    return _("Follow-up recorded.")


def _undo_no_show(appointment, user, data):
    done = visits.undo_no_show(appointment, actor=user, reason=data["reason"])
    return _("The no-show is undone: the visit is “%(state)s” again.") % {"state": done.get_state_display()}


STEP_FORMS = {**FORMS, "tick": VisitTickForm}


def step_view(step, run):
    """The POST view of one step: the form, then the action, then the answer."""

    @require_POST
    @permission_required("concierge.change_appointment", raise_exception=True)
    @store_required
    def view(request, pk):
        user = request.user
        appointment = visit_for(user, pk)
        url = reverse("concierge:visit_detail", args=[appointment.pk])
        form = STEP_FORMS[step](request.POST, auto_id=f"{step}-%s") if step in STEP_FORMS else None
        sent = (step, form) if step in FORMS else None
        if form is not None and not form.is_valid():
            return respond(request, render=_draw(request, pk, sent=sent), form_sent_back=True)
        try:
            text = run(appointment, user, form.cleaned_data if form is not None else {})
        except ActionRefused as refused:
            draw = _draw(request, pk, sent=sent)
            return respond(request, render=draw, fallback=url, refused=refused.message)
        return respond(request, render=_draw(request, pk), fallback=url, done=text)

    view.__name__ = f"visit_{step}"
    return view


STEPS = (
    ("tick", "checklist/tick/", _tick),
    ("item", "checklist/", _item),
    ("start", "start/", _start),
    ("service", "service/", _service),
    ("farewell", "farewell/", _farewell),
    ("follow_up", "follow-up/", _follow_up),
    ("undo_no_show", "undo-no-show/", _undo_no_show),
)

urlpatterns = [
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/calendar.ics", visit_ics, name="visit_ics"),
    *(
        path(f"visits/<int:pk>/{suffix}", step_view(step, run), name=f"visit_{step}")
        for step, suffix, run in STEPS
    ),
]
