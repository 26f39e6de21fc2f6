"""Working care tasks and handing them out, one function per user intention.

Kernel actions (concierge.workflow): one transaction, the rows locked in the global order, the
transition's permission checked, an AuditEntry per change, and alerts after commit. Refusals raise
ActionRefused with a message for the user; nothing is written then.
"""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

from concierge.appointments.booking import confirm_appointment
from concierge.appointments.visits import follow_up_appointment
from concierge.errors import ActionRefused
from concierge.i18n import Message
from concierge.models import Appointment, ContactLog, Member, Staff
from concierge.roles import Role
from concierge.workflow import action, alert, audit, audit_many, lock, lock_members, transition
from tasks.models import CareTask

ANSWER_FIELDS = ("satisfaction", "suggestions", "dormant_reason", "plan", "note", "message")

# How the contact went, by outcome: the channel written to the member's contact log.
CHANNEL_OF_OUTCOME = {
    ContactLog.Outcome.MESSAGE_SENT: ContactLog.Channel.MESSAGE,
    ContactLog.Outcome.GIFT_GIVEN: ContactLog.Channel.GIFT,
}


def _locked(task):
    return lock(task, related=("member", "store"))


def _transition(task, name, actor, *args):
    return transition(task, name, actor, *args, denied=_("This task is not yours to work on."))


def _audit(code, task, actor, before, **data):
    audit(code, task, actor, before=before, **data)


def _check_answers(task, outcome, answers):
    if task.is_review:
        if not answers.get("plan"):
            raise ActionRefused(_("Write down the plan: when and how to get in touch."))
        return
    if outcome not in task.outcomes:
        raise ActionRefused(_("Choose one of the outcomes offered for this task."))
    reached = outcome == ContactLog.Outcome.REACHED
    if reached and task.kind == CareTask.Kind.NEW_MEMBER_CALL and not answers.get("satisfaction"):
        raise ActionRefused(_("Ask how satisfied the member is (1 to 5)."))
    if reached and task.kind == CareTask.Kind.DORMANT_CALL and not answers.get("dormant_reason"):
        raise ActionRefused(_("Record why the member stopped coming."))


@action
def complete_task(task, *, actor, outcome="", log_contact=True, **answers):
    """Close the task with its outcome and the answers the cadence asks for.

    A reached new-member call needs a satisfaction score; a reached dormant call needs the reason
    the member stopped coming; a dormant review needs the plan. Side effects: task done; for every
    kind but the review (which contacts nobody) a ContactLog row in the member's log, unless the
    caller logs the contact itself (`log_contact=False`: a revival attempt that is this call);
    AuditEntry "care_task.done".
    """
    answers = {
        name: value for name, value in answers.items() if name in ANSWER_FIELDS and value not in (None, "")
    }
    # The visit sorts before the task in the lock order (concierge before tasks): locked first.
    visit = _locked_visit(task)
    task = _locked(task)
    _check_answers(task, outcome, answers)
    before = _transition(task, "complete", actor, actor, {"outcome": outcome, **answers})
    if visit is not None:
        _move_visit(task, visit, actor)
    if log_contact and not task.is_review:
        ContactLog.objects.create(
            member=task.member,
            staff=actor,
            channel=CHANNEL_OF_OUTCOME.get(outcome, ContactLog.Channel.PHONE),
            outcome=outcome,
            summary=_contact_summary(task),
            note=_contact_note(task),
            contacted_at=timezone.now(),
        )
    _audit("care_task.done", task, actor, before, outcome=outcome, **answers)
    return task


def _locked_visit(task):
    """The locked visit of a confirmation or thank-you task, or None (another kind, or gone)."""
    if task.kind not in CareTask.VISIT_KINDS or task.appointment_id is None:
        return None
    try:
        return lock(Appointment(pk=task.appointment_id), related=("member", "store"))
    except ActionRefused:
        return None


def _move_visit(task, visit, actor):
    """A confirmation done confirms the visit; a thank-you call done follows it up. A visit the
    desk confirmed meanwhile just stays so; one cancelled or missed meanwhile is not confirmed."""
    State = Appointment.State
    note = _("Care task #%(number)s") % {"number": task.pk}
    if task.kind == CareTask.Kind.VISIT_CONFIRMATION:
        if visit.state in (State.REQUESTED, State.PREPARED) and visit.confirmed_at is None:
            confirm_appointment(visit, actor=actor, note=note)
        elif visit.state in Appointment.FREED_STATES:
            raise ActionRefused(
                _("This visit is “%(state)s”: there is nothing to confirm. Look at the visit's page.")
                % {"state": visit.get_state_display()}
            )
    elif visit.state == State.COMPLETED:
        follow_up_appointment(visit, actor=actor, note=note, handed_the_call=task.assignee_id == actor.pk)


def _contact_summary(task):
    """The task and its answers, stored as a message so each reader sees them in their language."""
    parts = [task.occasion or Message.label(CareTask.Kind(task.kind).label)]
    if task.satisfaction:
        parts.append(Message(gettext_noop("satisfaction %(score)s/5"), score=task.satisfaction))
    if task.dormant_reason:
        parts.append(Message.label(CareTask.DormantReason(task.dormant_reason).label))
    return Message(gettext_noop("%(parts)s"), parts=parts).to_json()


def _contact_note(task):
    """What the person typed: suggestions, the plan, a note, and the message they sent."""
    note = " · ".join(text for text in (task.suggestions, task.plan, task.note) if text)
    if task.message:
        note = f"{note}\n{task.message}" if note else task.message
    return note


@action
def snooze_task(task, *, actor, until):
    """Put the task off to a later date; tick opens it again that day."""
    if until <= timezone.localdate():
        raise ActionRefused(_("Choose a date after today."))
    task = _locked(task)
    before = _transition(task, "snooze", actor, until)
    _audit("care_task.snoozed", task, actor, before, until=until.isoformat())
    return task


@action
def wake_task(task):
    """tick: a snoozed task whose date has come is open again, due that day, and alerted again.

    Returns the task, or None if another tick woke it first (the row is skipped while locked).
    Side effects: AuditEntry "care_task.woken" with no actor (the system did it).
    """
    task = (
        CareTask.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk=task.pk, state=CareTask.State.SNOOZED)
        .first()
    )
    if task is None:
        return None
    task.due_alerted_at = None
    before = _transition(task, "wake", None)
    _audit("care_task.woken", task, None, before, why="date came")
    return task


@action
def skip_task(task, *, actor, reason):
    """Drop the task with a reason (the member asked not to be called, ...)."""
    if not reason.strip():
        raise ActionRefused(_("Give a reason for skipping."))
    task = _locked(task)
    before = _transition(task, "skip", actor, actor, reason.strip())
    _audit("care_task.skipped", task, actor, before, reason=reason.strip())
    return task


# ---- handing tasks out ---------------------------------------------------------------------------


def task_workers(store_id):
    """The staff of a store who work care tasks: VIP managers and store managers."""
    return (
        Staff.objects.filter(
            store_id=store_id,
            is_active=True,
            groups__name__in=[Role.VIP_MANAGER.value, Role.STORE_MANAGER.value],
        )
        .distinct()
        .order_by("display_name", "username")
    )


def _check_team_manager(actor, store_id):
    if not (actor.has_perm("tasks.manage_team_tasks") and actor.store_id == store_id):
        raise ActionRefused(_("Only the store manager hands out care tasks."))


def _check_receivers(receivers, store_id):
    if not receivers:
        raise ActionRefused(_("Choose at least one colleague."))
    workers = set(task_workers(store_id).values_list("pk", flat=True))
    for receiver in receivers:
        if receiver.pk not in workers:
            raise ActionRefused(_("%(name)s does not work care tasks in this store.") % {"name": receiver})


def _share_out(tasks, receivers):
    """Deal the tasks to the receivers in turn, a member's tasks together, the least loaded first."""
    by_member = {}
    for task in tasks:
        by_member.setdefault(task.member_id, []).append(task)
    load = dict.fromkeys((r.pk for r in receivers), 0)
    for row in (
        CareTask.objects.filter(assignee__in=receivers, state__in=CareTask.ACTIVE_STATES)
        .values_list("assignee_id", flat=True)
        .iterator()
    ):
        load[row] += 1
    plan = {}
    for member_tasks in sorted(by_member.values(), key=len, reverse=True):
        receiver = min(receivers, key=lambda r: (load[r.pk], r.pk))
        for task in member_tasks:
            plan[task.pk] = receiver
        load[receiver.pk] += len(member_tasks)
    return plan


def _assign(tasks, receivers, *, actor, code, reason, from_user=None):
    """Give the locked tasks to the receivers; audit each, alert each receiver once after commit."""
    plan = _share_out(tasks, receivers) if len(receivers) > 1 else {t.pk: receivers[0] for t in tasks}
    now = timezone.now()
    audit_many(
        code,
        tasks,
        actor,
        data_for=lambda task: {"from": task.assignee_id, "to": plan[task.pk].pk, "reason": reason},
    )
    given = {}
    for task in tasks:
        given.setdefault(plan[task.pk].pk, []).append(task.pk)
    today = timezone.localdate()
    for receiver_pk, pks in given.items():
        moved = CareTask.objects.filter(pk__in=pks)
        # The alert below tells the receiver about the tasks already due; the later ones get their
        # own due alert on their day.
        moved.filter(due_date__lte=today).update(assignee_id=receiver_pk, due_alerted_at=now)
        moved.filter(due_date__gt=today).update(assignee_id=receiver_pk, due_alerted_at=None)
    receivers_by_pk = {r.pk: r for r in receivers}
    for receiver_pk, pks in given.items():
        if receiver_pk == actor.pk:
            continue
        if from_user is not None:
            message = Message.counted(
                ngettext_lazy(
                    "%(count)d care task of %(name)s moved to you: %(reason)s",
                    "%(count)d care tasks of %(name)s moved to you: %(reason)s",
                ),
                len(pks),
                name=str(from_user),
                reason=reason,
            )
        else:
            message = Message.counted(
                ngettext_lazy(
                    "%(actor)s gave you %(count)d care task", "%(actor)s gave you %(count)d care tasks"
                ),
                len(pks),
                actor=str(actor),
            )
        alert([receivers_by_pk[receiver_pk]], "care_task.moved", None, message, link=reverse("tasks:my_day"))
    return {receivers_by_pk[pk]: len(pks) for pk, pks in given.items()}


@action
def move_tasks(from_user, *, actor, to_users, reason):
    """Move all of an absent colleague's open and snoozed tasks to others, shared out evenly.

    Side effects: the tasks' assignee changes; an AuditEntry "care_task.moved" per task; one alert
    per receiving colleague after commit. Returns {receiver: number of tasks}.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Give a reason for moving the tasks (leave, sick, left the store...)."))
    _check_team_manager(actor, from_user.store_id)
    receivers = [user for user in to_users if user.pk != from_user.pk]
    _check_receivers(receivers, from_user.store_id)
    tasks = sorted(
        lock(CareTask.objects.filter(assignee=from_user, state__in=CareTask.ACTIVE_STATES)),
        key=lambda task: (task.due_date, task.pk),
    )
    if not tasks:
        raise ActionRefused(_("%(name)s has no open tasks to move.") % {"name": from_user})
    return _assign(tasks, receivers, actor=actor, code="care_task.moved", reason=reason, from_user=from_user)


@action
def hand_out_tasks(tasks, *, actor, to_users):
    """Give tasks from the store's pool (or anyone's) to colleagues, shared out evenly.

    Side effects: assignee set; AuditEntry "care_task.handed_out" per task; one alert per receiver.
    A task that was closed or handed out meanwhile by someone else is refused, and nothing changes.
    """
    if not tasks:
        raise ActionRefused(_("Choose the tasks to hand out."))
    store_id = tasks[0].store_id
    _check_team_manager(actor, store_id)
    _check_receivers(to_users, store_id)
    locked = lock(CareTask.objects.filter(pk__in=[t.pk for t in tasks], store_id=store_id))
    expected = {t.pk: t.assignee_id for t in tasks}
    for task in locked:
        if task.state not in CareTask.ACTIVE_STATES or task.assignee_id != expected[task.pk]:
            raise ActionRefused(
                _("%(task)s changed meanwhile; nothing was handed out. Look again.") % {"task": task}
            )
    if len(locked) != len(tasks):
        raise ActionRefused(_("Some tasks are gone; nothing was handed out. Look again."))
    return _assign(locked, list(to_users), actor=actor, code="care_task.handed_out", reason="")


# ---- outreach pause ------------------------------------------------------------------------------


@action
def pause_outreach(member, *, actor, until, reason):
    """Pause sales-minded outreach to a member until a date (care goes on).

    Side effects: the member's pause fields; the member's open win-back calls, and those snoozed to
    a day inside the pause, snoozed until the day after it (tick opens them then); AuditEntry
    "member.outreach_paused".
    """
    reason = (reason or "").strip()
    if not actor.has_perm("tasks.pause_outreach") or actor.store_id != member.store_id:
        raise ActionRefused(_("You may not pause this member's outreach."))
    if until < timezone.localdate():
        raise ActionRefused(_("Choose today or a later date."))
    if not reason:
        raise ActionRefused(_("Give a reason for the pause."))
    member = lock_members([member.pk])[member.pk]
    _refuse_if_held(member)
    return _pause(member, actor, until, reason)


def _refuse_if_held(member):
    if member.outreach_held:
        raise ActionRefused(
            _(
                "Outreach to %(member)s is paused while their complaint is open; "
                "it resumes when the complaint closes."
            )
            % {"member": member.name}
        )


def _pause(member, actor, until, reason, code="member.outreach_paused"):
    member.outreach_paused_until = until
    member.outreach_pause_reason = reason
    member.save(update_fields=["outreach_paused_until", "outreach_pause_reason", "updated_at"])
    # A call already put off to a day inside the pause would otherwise open during it.
    held = lock(
        CareTask.objects.filter(member=member, kind__in=CareTask.SALES_MINDED).filter(
            Q(state=CareTask.State.OPEN) | Q(state=CareTask.State.SNOOZED, snoozed_until__lte=until)
        )
    )
    wake_on = until + dt.timedelta(days=1)
    for task in held:
        before = task.state
        if before == CareTask.State.OPEN:
            task.snooze(wake_on)
        else:
            task.snoozed_until = wake_on
        task.save()
        _audit("care_task.snoozed", task, actor, before, until=wake_on.isoformat(), why="pause")
    audit(
        code,
        member,
        actor,
        until=until.isoformat(),
        reason=reason,
        held_tasks=[t.pk for t in held],
    )
    return member


@action
def resume_outreach(member, *, actor):
    """End a member's outreach pause now; win-back calls it held are open again today.

    Side effects: the pause fields cleared; held tasks woken; AuditEntry "member.outreach_resumed".
    """
    if not actor.has_perm("tasks.pause_outreach") or actor.store_id != member.store_id:
        raise ActionRefused(_("You may not change this member's outreach."))
    member = lock_members([member.pk])[member.pk]
    if member.outreach_paused_until is None:
        raise ActionRefused(_("Outreach to %(member)s is not paused.") % {"member": member.name})
    _refuse_if_held(member)
    return _resume(member, actor)


def _resume(member, actor, code="member.outreach_resumed"):
    held_until = member.outreach_paused_until + dt.timedelta(days=1)
    member.outreach_paused_until = None
    member.outreach_pause_reason = ""
    member.save(update_fields=["outreach_paused_until", "outreach_pause_reason", "updated_at"])
    today = timezone.localdate()
    for task in lock(
        CareTask.objects.filter(
            member=member,
            kind__in=CareTask.SALES_MINDED,
            state=CareTask.State.SNOOZED,
            snoozed_until=held_until,
        )
    ):
        task.snoozed_until = max(task.due_date, today)
        task.wake()
        task.save()
        _audit("care_task.woken", task, actor, CareTask.State.SNOOZED, why="pause ended")
    audit(code, member, actor)
    return member


@action
def hold_outreach(member, *, actor, reason):
    """Pause a member's sales outreach until further notice, for as long as an open matter (a
    complaint) needs it: set and lifted by that matter, not by hand. The caller has locked the
    member and keeps what the pause was before, to put back with `release_outreach`.
    """
    member = lock_members([member.pk])[member.pk]
    return _pause(member, actor, Member.OUTREACH_HELD, reason[:200], code="member.outreach_held")


@action
def release_outreach(member, *, actor, restore_until=None, restore_reason=""):
    """End a hold: the member's own pause from before comes back if it still runs, else outreach resumes."""
    member = lock_members([member.pk])[member.pk]
    if not member.outreach_held:
        return member
    _resume(member, actor, code="member.outreach_released")
    if restore_until is not None and restore_until >= timezone.localdate():
        _pause(member, actor, restore_until, restore_reason)
    return member


@action
def make_apology_task(member, *, period, reason, due=None):
    """An apology care task for the member's VIP manager (else the pool): a small gift and a second
    chance after a complaint. `reason` is a Message; `period` keeps it to one per complaint.

    Returns the task, or None when the member already has it (the same complaint resolved again).
    """
    from concierge.models import Assignment

    if CareTask.objects.filter(member=member, kind=CareTask.Kind.APOLOGY, period=period).exists():
        return None
    manager_id = (
        Assignment.objects.filter(member=member, state__in=Assignment.CURRENT_STATES, manager__is_active=True)
        .values_list("manager_id", flat=True)
        .first()
    )
    with translation.override(member.store.default_language):
        text = str(reason)
    task = CareTask.objects.create(
        store_id=member.store_id,
        member=member,
        assignee_id=manager_id,
        kind=CareTask.Kind.APOLOGY,
        period=period,
        due_date=due or timezone.localdate(),
        reason=text[:300],
        reason_message=reason.to_json(),
    )
    audit("care_task.created", task, None, kind=task.kind)
    if manager_id:
        alert(
            [Staff.objects.get(pk=manager_id)],
            "care_task.apology",
            task,
            reason,
            link=reverse("tasks:task_detail", args=[task.pk]),
        )
    return task
