"""A complaint's history in sentences: its audit entries, read in the reader's language.

Actions write `complaint.*` codes with their data (complaints/actions.py, complaints/jobs.py); this
turns each into who did what, so the page never shows a code. What a person typed (a reason, a
note) is shown as typed, beside the sentence.
"""

from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from complaints.models import Complaint, Severity
from concierge.models import AuditEntry


class Step(NamedTuple):
    at: object
    who: str
    text: str
    note: str = ""
    kind: str = ""  # a css hint: recorded, late, warned, resolved, closed, reopened, cancelled


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _target(value):
    return _("first contact") if value == Complaint.Target.CONTACT else _("resolution")


def _money(value):
    return f"¥{value}" if value not in (None, "", "None") else ""


def describe(entry, note=""):
    """(sentence, note, kind) for one audit entry."""
    data = entry.data or {}
    code = entry.action
    if code == "complaint.recorded":
        if data.get("follows"):
            return (
                _("Opened as a new case: the customer was unhappy again after #%(number)s was resolved.")
                % {"number": data["follows"]},
                "",
                "reopened",
            )
        text = _("Recorded, severity %(severity)s.") % {"severity": _label(Severity, data.get("severity"))}
        if data.get("public_risk"):
            text += " " + _("Mentions 12315 or the media.")
        return text, "", "recorded"
    if code == "complaint.routed":
        if data.get("team"):
            return (
                _("Given to %(handler)s (%(team)s).")
                % {"handler": data.get("handler", ""), "team": data["team"]},
                "",
                "",
            )
        return _("Given to %(handler)s.") % {"handler": data.get("handler", "")}, "", ""
    if code == "complaint.unassigned":
        return (
            _("Nobody in %(team)s was available: waiting to be assigned.")
            % {"team": data.get("team") or "—"},
            "",
            "late",
        )
    if code == "complaint.taken":
        return _("Took the complaint."), "", ""
    if code == "complaint.rerouted":
        return _("Sent it to %(team)s.") % {"team": data.get("to_team", "")}, data.get("reason", ""), ""
    if code == "complaint.reassigned":
        return _("Gave it to %(handler)s.") % {"handler": data.get("handler", "")}, data.get("reason", ""), ""
    if code == "complaint.contacted":
        minutes = data.get("minutes")
        if not minutes:
            return _("First contact with the customer."), note, ""
        return (
            _("First contact with the customer, %(minutes)s business minutes after recording.")
            % {"minutes": minutes},
            note,
            "",
        )
    if code == "complaint.waiting":
        return _("Waiting on the customer: the clock stopped."), data.get("note", ""), "paused"
    if code == "complaint.answered":
        return _("The customer came back: the clock runs again."), data.get("note", ""), ""
    if code == "complaint.approval_asked":
        return (
            _("Asked the store manager to approve %(value)s (the budget is %(budget)s).")
            % {"value": _money(data.get("value")), "budget": _money(data.get("budget"))},
            "",
            "",
        )
    if code == "complaint.approved":
        return (
            _("Approved the compensation of %(value)s.") % {"value": _money(data.get("value"))},
            "",
            "resolved",
        )
    if code == "complaint.declined":
        return _("Declined the compensation."), data.get("note", ""), "late"
    if code == "complaint.resolved":
        kind = data.get("compensation")
        if kind:
            return (
                _("Resolved, with compensation: %(kind)s %(value)s.")
                % {"kind": _label(Complaint.Compensation, kind), "value": _money(data.get("value"))},
                "",
                "resolved",
            )
        return _("Resolved."), "", "resolved"
    if code == "complaint.feedback":
        return (
            _("Feedback call: not satisfied (%(score)s/5).") % {"score": data.get("score") or "—"},
            data.get("note", ""),
            "late",
        )
    if code == "complaint.closed":
        if data.get("without_feedback"):
            if entry.actor_id is None:
                return _("Closed without feedback: nobody called back within the grace period."), "", "closed"
            return _("Closed without feedback."), data.get("note", ""), "closed"
        if data.get("satisfied"):
            return (
                _("Feedback call: satisfied (%(score)s/5). Closed.") % {"score": data.get("score") or "—"},
                "",
                "closed",
            )
        return _("Closed: the customer's new complaint is a linked case."), "", "closed"
    if code == "complaint.reopened":
        return _("Reopened."), data.get("reason", ""), "reopened"
    if code == "complaint.cancelled":
        if data.get("duplicate_of"):
            return (
                _("Cancelled as a duplicate of #%(number)s.") % {"number": data["duplicate_of"]},
                data.get("reason", ""),
                "cancelled",
            )
        return _("Cancelled."), data.get("reason", ""), "cancelled"
    if code == "complaint.warned":
        return (
            _("Warning: the %(deadline)s is due soon.") % {"deadline": _target(data.get("target"))},
            "",
            "warned",
        )
    if code == "complaint.escalated":
        level = data.get("level")
        who = {1: _("the handler"), 2: _("the team lead"), 3: _("the store manager")}.get(level, "—")
        return (
            _("Late for the %(deadline)s: escalated to %(who)s.")
            % {"deadline": _target(data.get("target")), "who": who},
            "",
            "late",
        )
    return code, "", ""


def timeline(complaint):
    """The complaint's steps, oldest first, from its audit entries: one query."""
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint), object_id=str(complaint.pk)
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    steps = []
    for entry in entries:
        text, typed, kind = describe(entry, (entry.data or {}).get("note", ""))
        if typed and steps and steps[-1].note == typed:
            typed = ""  # an unhappy feedback call reopens with its own words: said once

        who = str(entry.actor) if entry.actor_id else _("System")
        steps.append(Step(entry.at, who, text, typed, kind))
    return steps
