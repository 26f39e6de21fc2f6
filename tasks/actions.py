"""Working a care task: complete it with what the contact brought, snooze it, or skip it.

Same pattern as concierge.actions: one transaction, the row locked, the transition's permission
checked here, an AuditEntry, and (on completion) the member's contact log filled in.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from concierge.actions import ActionRefused
from concierge.models import AuditEntry, ContactLog
from tasks.models import CareTask

GREETING_CHANNEL = ContactLog.Channel.MESSAGE
ANSWER_FIELDS = ("satisfaction", "suggestions", "dormant_reason", "plan", "note")


def _locked(task):
    return CareTask.objects.select_for_update(of=("self",)).select_related("member").get(pk=task.pk)


def _transition(task, name, actor, *args):
    method = getattr(task, name)
    if not can_proceed(method):
        raise ActionRefused(_("This task is already “%(state)s”.") % {"state": task.get_state_display()})
    if not has_transition_perm(method, actor):
        raise ActionRefused(_("This task is not yours to work on."))
    before = task.state
    method(*args)
    task.save()
    return before


def _audit(action, task, actor, before, **data):
    AuditEntry.record(
        action, task, actor=actor, store=task.store, from_state=before, to_state=task.state, data=data
    )


def complete_task(task, *, actor, outcome, **answers):
    """Close the task with its outcome and answers; the contact goes into the member's log.

    A reached new-member call needs a satisfaction score; a reached dormant call needs the reason
    the member stopped coming. Side effects: task done, ContactLog row, AuditEntry "care_task.done".
    """
    answers = {
        name: value for name, value in answers.items() if name in ANSWER_FIELDS and value not in (None, "")
    }
    reached = outcome == ContactLog.Outcome.REACHED
    with transaction.atomic():
        task = _locked(task)
        if reached and task.kind == CareTask.Kind.NEW_MEMBER_CALL and not answers.get("satisfaction"):
            raise ActionRefused(_("Ask how satisfied the member is (1 to 5)."))
        if reached and task.kind == CareTask.Kind.DORMANT_CALL and not answers.get("dormant_reason"):
            raise ActionRefused(_("Record why the member stopped coming."))
        before = _transition(task, "complete", actor, actor, {"outcome": outcome, **answers})
        ContactLog.objects.create(
            member=task.member,
            staff=actor,
            channel=ContactLog.Channel.PHONE if task.is_call else GREETING_CHANNEL,
            outcome=outcome,
            note=_contact_note(task),
            contacted_at=timezone.now(),
        )
        _audit("care_task.done", task, actor, before, outcome=outcome, **answers)
    return task


def _contact_note(task):
    parts = [task.get_kind_display()]
    if task.satisfaction:
        parts.append(_("satisfaction %(score)s/5") % {"score": task.satisfaction})
    if task.dormant_reason:
        parts.append(task.get_dormant_reason_display())
    parts += [text for text in (task.suggestions, task.plan, task.note) if text]
    return " · ".join(str(part) for part in parts)


def snooze_task(task, *, actor, until):
    """Put the task off to a later date; tick opens it again that day."""
    if until <= timezone.localdate():
        raise ActionRefused(_("Choose a date after today."))
    with transaction.atomic():
        task = _locked(task)
        before = _transition(task, "snooze", actor, until)
        _audit("care_task.snoozed", task, actor, before, until=until.isoformat())
    return task


def skip_task(task, *, actor, reason):
    """Drop the task with a reason (the member asked not to be called, ...)."""
    if not reason.strip():
        raise ActionRefused(_("Give a reason for skipping."))
    with transaction.atomic():
        task = _locked(task)
        before = _transition(task, "skip", actor, actor, reason.strip())
        _audit("care_task.skipped", task, actor, before, reason=reason.strip())
    return task
