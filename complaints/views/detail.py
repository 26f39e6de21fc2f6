"""One complaint: everything about it, its history in sentences, and a form for each next step the
user may take now. Each step posts to its own URL, through its form, to its action; a refusal is a
notice, htmx gets the page's part drawn again, a plain post a redirect.
"""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints import actions
from complaints.forms import (
    ApproveCompensationForm,
    CancelComplaintForm,
    CloseWithoutFeedbackForm,
    CustomerAnsweredForm,
    DeclineCompensationForm,
    FeedbackCallForm,
    FirstContactForm,
    ReassignComplaintForm,
    ReopenComplaintForm,
    RerouteComplaintForm,
    ResolveComplaintForm,
    WaitOnCustomerForm,
)
from complaints.models import Complaint, ComplaintSettings, Team
from complaints.models.complaint import may_handle
from complaints.timeline import timeline
from complaints.views.common import ESCALATED_TO, due_status, moment
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.models.members import mask_phone
from concierge.opening import business_calendar
from concierge.views.responses import render_page, respond

State = Complaint.State
# Handing on (re-route, reassign) makes sense while someone still has to act on it.
HANDED_ON_IN = (State.NEW, State.ROUTED, State.IN_PROGRESS, State.WAITING, State.REOPENED)

FORMS = {
    "contact": FirstContactForm,
    "wait": WaitOnCustomerForm,
    "answered": CustomerAnsweredForm,
    "resolve": ResolveComplaintForm,
    "approve": ApproveCompensationForm,
    "decline": DeclineCompensationForm,
    "feedback": FeedbackCallForm,
    "close": CloseWithoutFeedbackForm,
    "reopen": ReopenComplaintForm,
    "cancel": CancelComplaintForm,
    "reroute": RerouteComplaintForm,
    "reassign": ReassignComplaintForm,
}
# The steps whose form needs to know the complaint (its store's teams and colleagues, its number).
NEEDS_COMPLAINT = {"cancel", "reroute", "reassign"}


def complaint_for(user, pk):
    """The complaint if it is in the user's store (404 otherwise), with what the page shows."""
    return Complaint.objects.select_related(
        "member",
        "member__tier",
        "category",
        "team",
        "handler",
        "recorded_by",
        "approval_by",
        "resolved_by",
        "follows",
        "duplicate_of",
    ).get_for(user, pk=pk)


def available_steps(complaint, user):
    """The steps this user may take now: from the state machine's own guards, so the page and the
    actions never disagree."""
    transitions = {t.name for t in complaint.get_available_user_state_transitions(user)}
    steps = set()
    if "take" in transitions or complaint.may_be_taken_by(user):
        steps.add("take")
    if "contact" in transitions:
        steps.add("contact")
    if "wait_on_customer" in transitions:
        steps.add("wait")
    if "customer_answered" in transitions:
        steps.add("answered")
    if "resolve" in transitions:
        steps.add("resolve")
    if "approve" in transitions:
        steps |= {"approve", "decline"}
    if "close" in transitions:
        steps |= {"feedback", "close"}
    if "reopen" in transitions:
        steps.add("reopen")
    if "cancel" in transitions:
        steps.add("cancel")
    if complaint.state in HANDED_ON_IN and user.has_perm("complaints.change_complaint"):
        if (
            may_handle(complaint, user)
            and Team.objects.filter(store_id=complaint.store_id).exclude(pk=complaint.team_id).exists()
        ):
            steps.add("reroute")
        if user.has_perm("complaints.manage_complaints"):
            steps.add("reassign")
    return steps


def make_form(step, complaint, user, data=None):
    kwargs = {"auto_id": f"{step}-%s"}
    if step in NEEDS_COMPLAINT:
        kwargs["complaint"] = complaint
    if step == "cancel":
        kwargs["user"] = user
    return FORMS[step](data, **kwargs)


def _deadline(complaint, target, due, done_at, now, calendar):
    """One SLA line: the deadline, and whether it was met, is running, or is late."""
    if due is None:
        return None
    running = complaint.sla_target == target and complaint.state not in Complaint.ENDED_STATES
    if done_at is not None and not running:
        late = done_at > due
        return {
            "kind": "late" if late else "met",
            "text": (_("Done %(when)s, late") if late else _("Done %(when)s"))
            % {"when": moment(done_at, now)},
            "note": _("was due %(when)s") % {"when": moment(due, now)},
        }
    if running and complaint.paused_at is not None:
        return {
            "kind": "paused",
            "text": _("Due %(when)s") % {"when": moment(due, now)},
            "note": _("moves on when the customer answers"),
        }
    if running:
        status = due_status(complaint, now, calendar)
        return {"kind": status.kind, "text": status.text, "note": status.note}
    return {"kind": "ok", "text": _("Due %(when)s") % {"when": moment(due, now)}}


def detail_context(request, complaint, *, sent=None, notice=None):
    """The page. `sent` is (step, form) for a form that came back with its errors or a refusal."""
    user = request.user
    now = timezone.now()
    steps = available_steps(complaint, user)
    forms = {step: make_form(step, complaint, user) for step in steps if step in FORMS}
    if sent and sent[0] in forms:
        forms[sent[0]] = sent[1]
    calendar = business_calendar(complaint.store_id)
    grace = ComplaintSettings.for_store(complaint.store_id).reopen_grace_days
    member = complaint.member
    if member is not None:
        phone = member.phone_for(user)
    elif user.has_perm("concierge.view_member_phone"):
        phone = complaint.customer_phone
    else:
        phone = mask_phone(complaint.customer_phone)
    resolved_at = complaint.resolved_at or (
        complaint.closed_at
        if complaint.state == State.CLOSED and complaint.resolve_minutes is not None
        else None
    )
    # The rarer steps wait under "Other steps", opened when one of their forms came back.
    more_steps = steps & {"wait", "close", "reroute", "cancel"}
    if complaint.state != State.CLOSED:
        more_steps |= steps & {"reopen"}
    if complaint.handler_id:
        more_steps |= steps & {"reassign"}
    context = {
        "active_nav": "complaints",
        "complaint": complaint,
        "more_steps": more_steps,
        "more_open": bool(sent and sent[0] in more_steps),
        "member": member,
        "phone": phone,
        "can_call": user.has_perm("concierge.view_member_phone"),
        "steps": steps,
        "forms": forms,
        "sent_step": sent[0] if sent else "",
        "notice": notice,
        "status": due_status(complaint, now, calendar, grace),
        "contact_line": _deadline(
            complaint,
            Complaint.Target.CONTACT,
            complaint.contact_due_at,
            complaint.first_contact_at,
            now,
            calendar,
        ),
        "resolve_line": _deadline(
            complaint, Complaint.Target.RESOLUTION, complaint.resolve_due_at, resolved_at, now, calendar
        ),
        "escalated_to": ESCALATED_TO.get(complaint.escalation_level, ""),
        "feedback_by": complaint.resolved_at + dt.timedelta(days=grace)
        if complaint.state == State.RESOLVED and complaint.resolved_at
        else None,
        "grace_days": grace,
        "follow_ups": list(complaint.follow_ups.order_by("pk").only("pk", "state", "recorded_at")),
        "duplicates": list(complaint.duplicates.order_by("pk").only("pk", "state", "recorded_at")),
        "timeline": timeline(complaint),
        "can_work": user.has_perm("complaints.change_complaint"),
    }
    if "resolve" in steps or complaint.state == State.AWAITING_APPROVAL:
        context["budget"] = actions.budget_for(complaint)
    return context


def _draw(request, pk, *, sent=None):
    """Draws the complaint's part again (fresh from the database) with a notice."""

    def draw(notice):
        complaint = complaint_for(request.user, pk)
        context = detail_context(request, complaint, sent=sent, notice=notice)
        return render_page(request, "complaints/detail.html", context, partial="complaint")

    return draw


@require_GET
@permission_required("complaints.view_complaint", raise_exception=True)
@store_required
def detail(request, pk):
    complaint = complaint_for(request.user, pk)
    return render_page(
        request, "complaints/detail.html", detail_context(request, complaint), partial="complaint"
    )


# ---- the steps -----------------------------------------------------------------------------------


def _when(value):
    return moment(value, timezone.now()) if value else "—"


def _after_reopen(complaint, original):
    if complaint.pk != original.pk:
        return _("The grace period is over: new case %(number)s was opened, linked to this one.") % {
            "number": complaint.number
        }
    if complaint.handler_id:
        return _("Reopened: %(handler)s has it again. First contact due %(when)s.") % {
            "handler": complaint.handler,
            "when": _when(complaint.contact_due_at),
        }
    return _("Reopened. Nobody is available to take it now: it waits unassigned.")


def _take(complaint, user, data):
    done = actions.take(complaint, actor=user)
    return done, _("It is yours. First contact due %(when)s.") % {"when": _when(done.contact_due_at)}


def _contact(complaint, user, data):
    done = actions.record_contact(complaint, actor=user, channel=data["channel"], note=data["note"])
    return done, _("First contact recorded. Resolution due %(when)s.") % {"when": _when(done.resolve_due_at)}


def _wait(complaint, user, data):
    done = actions.wait_on_customer(complaint, actor=user, note=data["note"])
    return done, _("Waiting on the customer: the clock is stopped until they answer.")


def _answered(complaint, user, data):
    done = actions.customer_answered(complaint, actor=user, note=data["note"])
    return done, _("The clock runs again. Resolution due %(when)s.") % {"when": _when(done.resolve_due_at)}


def _resolve(complaint, user, data):
    done = actions.resolve(
        complaint,
        actor=user,
        solution=data["solution"],
        compensation=data["compensation"],
        value=data["value"],
        details=data["details"],
    )
    if done.state == State.AWAITING_APPROVAL:
        return done, _("Above the budget: the store manager has been asked to approve the compensation.")
    return done, _("Resolved. Call the customer back for feedback within %(days)s days.") % {
        "days": ComplaintSettings.for_store(done.store_id).reopen_grace_days
    }


def _approve(complaint, user, data):
    done = actions.approve(complaint, actor=user, note=data["note"])
    return done, _("Approved: %(handler)s tells the customer.") % {"handler": done.handler or "—"}


def _decline(complaint, user, data):
    done = actions.decline(complaint, actor=user, note=data["note"])
    return done, _("Declined: %(handler)s has been told why.") % {"handler": done.handler or "—"}


def _feedback(complaint, user, data):
    done = actions.record_feedback(
        complaint, actor=user, satisfied=data["satisfied"], score=data["score"], note=data["note"]
    )
    if data["satisfied"]:
        return done, _("Closed: the customer is satisfied.")
    return done, _after_reopen(done, complaint)


def _close(complaint, user, data):
    done = actions.close_without_feedback(complaint, actor=user, note=data["note"])
    return done, _("Closed without feedback.")


def _reopen(complaint, user, data):
    done = actions.reopen(complaint, actor=user, reason=data["reason"])
    return done, _after_reopen(done, complaint)


def _cancel(complaint, user, data):
    done = actions.cancel(complaint, actor=user, reason=data["reason"], duplicate_of=data["original"])
    if data["original"] is not None:
        return done, _("Cancelled as a duplicate of %(number)s.") % {"number": data["original"].number}
    return done, _("Cancelled.")


def _reroute(complaint, user, data):
    done = actions.reroute(complaint, actor=user, team=data["team"], reason=data["reason"])
    if done.handler_id:
        return done, _("Sent to %(team)s: %(handler)s has it now.") % {
            "team": data["team"],
            "handler": done.handler,
        }
    return done, _("Sent to %(team)s. Nobody there is available now: it waits unassigned.") % {
        "team": data["team"]
    }


def _reassign(complaint, user, data):
    done = actions.reassign(complaint, actor=user, handler=data["handler"], reason=data["reason"])
    return done, _("Given to %(handler)s.") % {"handler": done.handler}


def step_view(step, run, permission):
    """The POST view of one step: the form, then the action, then the answer."""

    @require_POST
    @permission_required(permission, raise_exception=True)
    @store_required
    def view(request, pk):
        user = request.user
        complaint = complaint_for(user, pk)
        url = reverse("complaints:detail", args=[complaint.pk])
        form = make_form(step, complaint, user, request.POST) if step in FORMS else None
        if form is not None and not form.is_valid():
            return respond(request, render=_draw(request, pk, sent=(step, form)), form_sent_back=True)
        try:
            done, text = run(complaint, user, form.cleaned_data if form is not None else {})
        except ActionRefused as refused:
            sent = (step, form) if form is not None else None
            return respond(
                request, render=_draw(request, pk, sent=sent), fallback=url, refused=refused.message
            )
        if done.pk != complaint.pk:
            # A new linked case goes on: the user is taken there.
            return respond(request, fallback=reverse("complaints:detail", args=[done.pk]), done=text)
        # Said as a warning when it now waits for someone: the store manager's approval, a handler.
        waits = done.state == State.AWAITING_APPROVAL or (done.state in HANDED_ON_IN and not done.handler_id)
        level = "warning" if waits else "success"
        return respond(request, render=_draw(request, pk), fallback=url, done=text, level=level)

    view.__name__ = step
    return view


CHANGE = "complaints.change_complaint"
MANAGE = "complaints.manage_complaints"
STEPS = (
    ("take", _take, CHANGE),
    ("contact", _contact, CHANGE),
    ("wait", _wait, CHANGE),
    ("answered", _answered, CHANGE),
    ("resolve", _resolve, CHANGE),
    ("approve", _approve, MANAGE),
    ("decline", _decline, MANAGE),
    ("feedback", _feedback, CHANGE),
    ("close", _close, CHANGE),
    ("reopen", _reopen, CHANGE),
    ("cancel", _cancel, CHANGE),
    ("reroute", _reroute, CHANGE),
    ("reassign", _reassign, MANAGE),
)

urlpatterns = [
    path("<int:pk>/", detail, name="detail"),
    *(
        path(f"<int:pk>/{step}/", step_view(step, run, permission), name=step)
        for step, run, permission in STEPS
    ),
]
