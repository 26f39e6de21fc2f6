"""The complaint jobs `manage.py tick` runs.

- `warn_complaints` and `escalate_complaints`, every minute: partial indexes hold the few rows whose
  moment has come. Each complaint is locked and checked again before its alert, so however many
  ticks run at once, a warning and each escalation level are sent exactly once.
- `close_unanswered_complaints`, daily: resolved complaints whose grace period ended without
  feedback are closed (a later complaint then opens a linked case).
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaints.actions import _release, _store_managers
from complaints.clock import Clock
from complaints.models import Complaint, ComplaintSettings
from concierge.i18n import Message
from concierge.jobs import job
from concierge.workflow import action, alert, audit, lock, lock_members

Target = Complaint.Target


def _link(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def _deadline_label(complaint):
    if complaint.sla_target == Target.CONTACT:
        return Message.label(Complaint.Target.CONTACT.label)
    return Message.label(Complaint.Target.RESOLUTION.label)


def _fallback(complaint):
    """The level above the handler: the team's lead, else (no lead, or the lead is the handler
    themselves) the store managers."""
    lead = complaint.team.lead if complaint.team_id and complaint.team.lead_id else None
    if lead is not None and lead.is_active and lead.pk != complaint.handler_id:
        return [lead]
    return _store_managers(complaint.store_id)


@action
def warn(complaint, now):
    complaint = lock(complaint, related=("handler", "team", "team__lead"))
    if (
        complaint.state not in Complaint.WORKING_STATES
        or complaint.warned_at is not None
        or complaint.paused_at is not None
        or complaint.warn_at is None
        or complaint.warn_at > now
    ):
        return False
    complaint.warned_at = now
    complaint.save(update_fields=["warned_at"])
    audit("complaint.warned", complaint, None, target=complaint.sla_target)
    due = timezone.localtime(complaint.due_at)
    alert(
        [complaint.handler] if complaint.handler_id else _fallback(complaint),
        "complaint.warning",
        complaint,
        Message(
            gettext_noop("Complaint %(number)s: %(deadline)s due at %(time)s."),
            number=complaint.number,
            deadline=_deadline_label(complaint),
            time=due.strftime("%m-%d %H:%M"),
        ),
        link=_link(complaint),
    )
    return True


@action
def escalate(complaint, now):
    complaint = lock(complaint, related=("handler", "team", "team__lead", "store"))
    if (
        complaint.state not in Complaint.WORKING_STATES
        or complaint.paused_at is not None
        or complaint.next_escalation_at is None
        or complaint.next_escalation_at > now
        or complaint.escalation_level >= 3
    ):
        return False
    if complaint.sla_target == Target.CONTACT:
        complaint.contact_breached = True
    elif complaint.sla_target == Target.RESOLUTION:
        complaint.resolve_breached = True
    Clock(complaint.store_id).escalated(complaint, now)
    level = complaint.escalation_level
    complaint.save(
        update_fields=["escalation_level", "next_escalation_at", "contact_breached", "resolve_breached"]
    )
    audit("complaint.escalated", complaint, None, level=level, target=complaint.sla_target)
    if level == 1:
        recipients = [complaint.handler] if complaint.handler_id else _fallback(complaint)
        text = gettext_noop("Complaint %(number)s is late: the %(deadline)s was due at %(time)s.")
    elif level == 2:
        recipients = _fallback(complaint)
        text = gettext_noop(
            "Complaint %(number)s (%(handler)s) is late: the %(deadline)s was due at %(time)s. "
            "Escalated to you."
        )
    else:
        recipients = _store_managers(complaint.store_id)
        text = gettext_noop(
            "Complaint %(number)s (%(handler)s) is still late: the %(deadline)s was due at %(time)s. "
            "Escalated to the store manager."
        )
    alert(
        recipients,
        f"complaint.escalation.{level}",
        complaint,
        Message(
            text,
            number=complaint.number,
            handler=str(complaint.handler) if complaint.handler_id else "-",
            deadline=_deadline_label(complaint),
            time=timezone.localtime(complaint.due_at).strftime("%m-%d %H:%M"),
        ),
        link=_link(complaint),
    )
    return True


@job
def warn_complaints(*, as_of):
    now = timezone.now()
    due = Complaint.objects.filter(
        warned_at__isnull=True,
        paused_at__isnull=True,
        warn_at__isnull=False,
        warn_at__lte=now,
        state__in=Complaint.WORKING_STATES,
    ).only("pk")
    sent = sum(1 for complaint in due if warn(complaint, now))
    return {"warned": sent} if sent else {}


@job
def escalate_complaints(*, as_of):
    now = timezone.now()
    due = Complaint.objects.filter(
        next_escalation_at__isnull=False,
        paused_at__isnull=True,
        next_escalation_at__lte=now,
        state__in=Complaint.WORKING_STATES,
    ).only("pk")
    sent = sum(1 for complaint in due if escalate(complaint, now))
    return {"escalated": sent} if sent else {}


@action
def close_unanswered(complaint, now):
    if complaint.member_id:
        lock_members([complaint.member_id])
    complaint = lock(complaint, related=("member", "store"))
    grace = ComplaintSettings.for_store(complaint.store_id).reopen_grace_days
    if complaint.state != Complaint.State.RESOLVED or now - complaint.resolved_at < dt.timedelta(days=grace):
        return False
    before = complaint.state
    complaint.close(True)
    _release(complaint, None)
    complaint.save()
    audit("complaint.closed", complaint, None, before=before, without_feedback=True)
    return True


@job(daily=True)
def close_unanswered_complaints(*, as_of):
    now = timezone.now()
    # The shortest grace any store may set is a day; each case is checked against its own store's.
    due = Complaint.objects.filter(
        state=Complaint.State.RESOLVED, resolved_at__lte=now - dt.timedelta(days=1)
    ).only("pk", "member_id")
    closed = sum(1 for complaint in due if close_unanswered(complaint, now))
    return {"closed": closed} if closed else {}
