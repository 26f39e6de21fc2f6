"""A visit's history in sentences: its audit entries, read in the reader's language.

The reception's actions write `appointment.*` codes with their data; this turns each into who did
what, so the page never shows a code. What a person typed (a reason, a note, what the member
said) is shown as typed, beside the sentence. A code this module does not know yet is told by the
state it led to.
"""

from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from concierge.models import Appointment, AuditEntry, Department


class Step(NamedTuple):
    at: object
    who: str
    text: str
    note: str = ""
    kind: str = ""  # a css hint: booked, ready, arrived, done, late, cancelled


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _state(value):
    return _label(Appointment.State, value)


def _department(value):
    return _label(Department, value)


def _item(data):
    return _("%(item)s (%(department)s)") % {
        "item": data.get("item", ""),
        "department": _department(data.get("department")),
    }


def describe(entry):
    """(sentence, note, kind) for one audit entry."""
    data = entry.data or {}
    code = entry.action.removeprefix("appointment.")
    note = data.get("reason") or data.get("note") or ""
    sentences = {
        "booked": (_("Booked the visit."), "booked"),
        "walked_in": (_("Checked in a walk-in."), "arrived"),
        "rescheduled": (_("Moved the visit to another time."), ""),
        "needs_changed": (_("Changed what the member needs."), ""),
        "confirmed": (_("The member confirmed the visit."), ""),
        "cancelled": (_("Cancelled the visit."), "cancelled"),
        "checked_in": (_("Checked the member in."), "arrived"),
        "acknowledged": (_("On the way to greet the member."), ""),
        "escalated": (
            _("Nobody answered the arrival in time: the backup host and the manager were alerted."),
            "late",
        ),
        "prepared": (_("Everything is ready."), "ready"),
        "unprepared": (_("Not ready any more: an item is open again."), ""),
        "prep_warned": (_("Warned: the checklist is still open before the visit."), "late"),
        "service_started": (_("Started the service."), ""),
        "service_recorded": (_("Wrote the service notes."), ""),
        "followed_up": (_("Followed up after the visit."), "done"),
        "no_show": (_("The member did not come: marked as a no-show."), "late"),
        "no_show_undone": (_("Undid the no-show."), ""),
    }
    if code == "rescheduled" and data.get("old_when") and data.get("new_when") != data.get("old_when"):
        return (
            _("Moved the visit from %(old)s to %(new)s.")
            % {
                "old": data["old_when"],
                "new": data["new_when"],
            },
            note,
            "",
        )
    if code in sentences:
        text, kind = sentences[code]
        return text, note, kind
    if code == "item_done":
        return _("Done: %(item)s.") % {"item": _item(data)}, "", ""
    if code == "item_reopened":
        return _("Not done after all: %(item)s.") % {"item": _item(data)}, "", ""
    if code == "item_added":
        return _("Added to the checklist: %(item)s.") % {"item": _item(data)}, "", ""
    if code == "seen_off":
        if data.get("gift_given"):
            text = _("Saw the member off, with a gift.")
            note = data.get("gift") or note
        else:
            text = _("Saw the member off.")
        return text, note, "done"
    if entry.to_state and entry.to_state != entry.from_state:
        return _("Now “%(state)s”.") % {"state": _state(entry.to_state)}, note, ""
    return _("Changed the visit."), note, ""


def timeline(appointment):
    """The visit's steps, oldest first, from its audit entries: one query."""
    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Appointment), object_id=str(appointment.pk)
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    steps = []
    for entry in entries:
        text, note, kind = describe(entry)
        who = str(entry.actor) if entry.actor_id else _("System")
        steps.append(Step(entry.at, who, text, note, kind))
    return steps
