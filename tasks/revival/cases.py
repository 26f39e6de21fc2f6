"""Working revival cases: the attempts a staff member records on the tablet, and what the store
manager does in the daily review (guidance, reassigning a case, closing it as lost for good).

Kernel actions (concierge.workflow): one transaction; the member locked first, then the staff whose
quotas change, then the care task the attempt closes, then the case and the quotas (the global
order); the transition's permission checked; an AuditEntry per change; alerts and the dashboards'
live refresh after commit. Refusals raise ActionRefused and write nothing.
"""

import math

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.i18n import Message
from concierge.models import Appointment, ContactLog, Staff
from concierge.roles import Role
from concierge.workflow import (
    ActionRefused,
    action,
    alert,
    audit,
    lock,
    lock_members,
    lock_staff,
    transition,
)
from tasks import actions as care_actions
from tasks.models import CareTask, RevivalAttempt, RevivalCampaign, RevivalCase, RevivalQuota
from tasks.revival import credit
from tasks.revival.live import revival_changed

NOT_YOURS = gettext_noop("This case is not yours to work on.")


def _case_url(case):
    return reverse("tasks:revival_case", args=[case.pk])


def _check_open(case):
    campaign = case.campaign
    if campaign.state != RevivalCampaign.State.OPEN:
        raise ActionRefused(
            _("The campaign “%(name)s” is not open: its cases can no longer be worked.") % {"name": campaign}
        )


def _check_active(case):
    if case.state not in RevivalCase.ACTIVE_STATES:
        raise ActionRefused(
            _("This case is “%(state)s”: there is nothing more to do on it.")
            % {"state": case.get_state_display()}
        )


def _check_manager(case, actor):
    if not (actor.has_perm("tasks.manage_revival") and actor.store_id == case.store_id):
        raise ActionRefused(_("Only the store manager can do this."))


def _locked_case(case):
    return lock(case, related=("campaign", "member", "staff", "store"))


def contact_outcome(channel, reached):
    """The contact log's outcome for an attempt (also the dormant call's, which it closes)."""
    if reached:
        return ContactLog.Outcome.REACHED
    if channel == ContactLog.Channel.MESSAGE:
        return ContactLog.Outcome.MESSAGE_SENT
    return ContactLog.Outcome.NOT_REACHED


def _contact_summary(attempt):
    parts = [Message(gettext_noop("Revival attempt"))]
    if attempt.reason:
        parts.append(Message.label(CareTask.DormantReason(attempt.reason).label))
    if attempt.remedy:
        parts.append(Message.label(RevivalAttempt.Remedy(attempt.remedy).label))
    return Message(gettext_noop("%(parts)s"), parts=parts).to_json()


def _contact_note(attempt):
    note = attempt.note
    if attempt.next_step:
        step = attempt.next_step
        if attempt.next_step_on:
            step = f"{attempt.next_step_on.isoformat()} {step}"
        note = f"{note}\n{step}" if note else step
    return note


def _dormant_calls(member, actor):
    """The member's open dormant calls on the actor's day, locked: the attempt is that call."""
    return lock(
        CareTask.objects.filter(
            member=member, assignee=actor, kind=CareTask.Kind.DORMANT_CALL, state=CareTask.State.OPEN
        ),
        related=("member", "store"),
    )


def _check_attempt(case, *, channel, reached, reason, remedy, next_step_on, appointment):
    if channel not in ContactLog.Channel.values:
        raise ActionRefused(_("Choose how you got in touch."))
    if reason and reason not in CareTask.DormantReason.values:
        raise ActionRefused(_("Choose one of the reasons offered."))
    if remedy and remedy not in RevivalAttempt.Remedy.values:
        raise ActionRefused(_("Choose one of the remedies offered."))
    if reached and not reason:
        raise ActionRefused(_("Record why the member stopped coming."))
    if next_step_on is not None and next_step_on < timezone.localdate():
        raise ActionRefused(_("Choose today or a later date for the next step."))
    if appointment is not None and (
        appointment.member_id != case.member_id or appointment.state in Appointment.FREED_STATES
    ):
        raise ActionRefused(_("Choose one of the member's upcoming visits."))


@action
def record_attempt(
    case,
    actor,
    *,
    channel,
    reached,
    reason="",
    remedy="",
    note="",
    next_step="",
    next_step_on=None,
    appointment=None,
    over_sold=False,
):
    """Record one try at winning the member back, by the case's staff member or the store manager.

    A reached attempt needs the reason the member stopped coming. Side effects: a RevivalAttempt
    (with the case's campaign); the case contacted, its counters (attempts made, reached, the
    latest reason: what the dashboard reads) and next step moved (transition "record_attempt"); a
    ContactLog row in the member's history; the member's open dormant call on the actor's day done
    with the same outcome and reason; AuditEntry "revival.attempt_recorded"; the dashboards refresh.
    Returns the attempt.
    """
    reason, remedy = reason or "", remedy or ""
    note, next_step = (note or "").strip(), (next_step or "").strip()
    member = lock_members([case.member_id])[case.member_id]
    calls = _dormant_calls(member, actor)
    case = _locked_case(case)
    _check_open(case)
    _check_attempt(
        case,
        channel=channel,
        reached=reached,
        reason=reason,
        remedy=remedy,
        next_step_on=next_step_on,
        appointment=appointment,
    )
    attempt = RevivalAttempt(
        store_id=case.store_id,
        case=case,
        campaign_id=case.campaign_id,
        staff=actor,
        at=timezone.now(),
        channel=channel,
        reached=reached,
        reason=reason,
        remedy=remedy,
        note=note,
        next_step=next_step,
        next_step_on=next_step_on,
        appointment=appointment,
        over_sold=over_sold,
    )
    before = transition(case, "record_attempt", actor, attempt, denied=_(NOT_YOURS))
    attempt.save()
    outcome = contact_outcome(channel, reached)
    ContactLog.objects.create(
        member=member,
        staff=actor,
        channel=channel,
        outcome=outcome,
        summary=_contact_summary(attempt),
        note=_contact_note(attempt),
        contacted_at=attempt.at,
    )
    for call in calls:
        care_actions.complete_task(
            call, actor=actor, outcome=outcome, dormant_reason=reason, note=note, log_contact=False
        )
    audit(
        "revival.attempt_recorded",
        case,
        actor,
        before=before,
        attempt=attempt.pk,
        channel=channel,
        reached=reached,
        reason=reason,
        remedy=remedy,
        over_sold=over_sold,
        next_step_on=next_step_on.isoformat() if next_step_on else None,
        appointment=appointment.pk if appointment else None,
        calls_done=[call.pk for call in calls],
    )
    revival_changed(case.store_id, [case.staff_id, actor.pk])
    return attempt


@action
def add_guidance(case, actor, text):
    """The store manager's guidance on a case, kept with the date, for the staff member to read.

    Side effects: the case's guidance grows by a dated line; AuditEntry "revival.guidance_added";
    the staff member is alerted with a link to the case.
    """
    text = (text or "").strip()
    _check_manager(case, actor)
    if not text:
        raise ActionRefused(_("Write the guidance."))
    lock_members([case.member_id])
    case = _locked_case(case)
    _check_open(case)
    _check_active(case)
    line = f"{timezone.localdate().isoformat()} {actor}: {text}"
    case.guidance = f"{case.guidance}\n{line}" if case.guidance else line
    case.save(update_fields=["guidance"])
    audit("revival.guidance_added", case, actor, text=text)
    if case.staff_id != actor.pk:
        alert(
            [case.staff],
            "revival.guidance",
            case,
            Message(
                gettext_noop("%(actor)s left guidance on the revival case of %(member)s: %(text)s"),
                actor=str(actor),
                member=case.member.name,
                text=text[:120],
            ),
            link=_case_url(case),
        )
    revival_changed(case.store_id, [case.staff_id])
    return case


def revival_workers(store_id):
    """The staff of a store who may be given revival cases: active VIP managers and store managers."""
    return (
        Staff.objects.filter(
            store_id=store_id,
            is_active=True,
            groups__name__in=[Role.VIP_MANAGER.value, Role.STORE_MANAGER.value],
        )
        .distinct()
        .order_by("display_name", "username")
    )


def quota_target(share, percent):
    """Revivals to reach for a share of members: the campaign's percentage, rounded up (one member
    is a target of one)."""
    return math.ceil(share * percent / 100)


@action
def reassign_case(case, actor, staff):
    """Give a case to another staff member: their quota grows by the member, the former one's shrinks.

    Side effects: the case's staff; both RevivalQuota shares and targets (a quota made for someone
    who had none); AuditEntry "revival.case_reassigned"; both people alerted; dashboards refresh.
    """
    _check_manager(case, actor)
    if staff.pk == case.staff_id:
        raise ActionRefused(_("The case is already with %(name)s.") % {"name": staff})
    if not revival_workers(case.store_id).filter(pk=staff.pk).exists():
        raise ActionRefused(_("%(name)s does not work revival cases in this store.") % {"name": staff})
    lock_members([case.member_id])
    people = lock_staff([case.staff_id, staff.pk])
    bonuses = credit.lock_bonus_entries(case.campaign_id, list(people))
    expected = case.staff_id
    case = _locked_case(case)
    if case.staff_id != expected:
        raise ActionRefused(_("The case moved to someone else meanwhile; nothing was changed. Look again."))
    _check_open(case)
    _check_active(case)
    former, receiver = people[case.staff_id], people[staff.pk]
    campaign = case.campaign
    quotas = {quota.staff_id: quota for quota in lock(campaign.quotas.filter(staff__in=[former, receiver]))}
    given = quotas.get(receiver.pk)
    if given is None:
        given = RevivalQuota.objects.create(campaign=campaign, staff=receiver, share=0, target=0)
    taken = quotas.get(former.pk)
    if taken is not None and taken.share:
        taken.share -= 1
        taken.target = quota_target(taken.share, campaign.target_percent)
        taken.save(update_fields=["share", "target"])
    given.share += 1
    given.target = quota_target(given.share, campaign.target_percent)
    given.save(update_fields=["share", "target"])
    case.staff = receiver
    case.own_manager = False
    case.save(update_fields=["staff", "own_manager"])
    audit("revival.case_reassigned", case, actor, **{"from": former.pk, "to": receiver.pk})
    # Both targets moved: a bonus follows them now, as it would at either person's next credit.
    credit.settle_bonuses_after_a_move(case.store, campaign, [former, receiver], bonuses)
    member = case.member.name
    if receiver.pk != actor.pk:
        alert(
            [receiver],
            "revival.case_reassigned",
            case,
            Message(
                gettext_noop("%(actor)s gave you the revival case of %(member)s (from %(name)s)"),
                actor=str(actor),
                member=member,
                name=str(former),
            ),
            link=_case_url(case),
        )
    if former.pk != actor.pk:
        alert(
            [former],
            "revival.case_reassigned",
            case,
            Message(
                gettext_noop("The revival case of %(member)s moved to %(name)s"),
                member=member,
                name=str(receiver),
            ),
            link=reverse("tasks:revival_my_cases"),
        )
    revival_changed(case.store_id, [former.pk, receiver.pk])
    return case


@action
def mark_lost(case, actor, reason):
    """Close a case as lost for good, with the reason (moved abroad, asked never to be called...).

    Side effects: the case lost (transition "mark_lost"); AuditEntry "revival.case_lost"; the staff
    member alerted; dashboards refresh.
    """
    reason = (reason or "").strip()
    _check_manager(case, actor)
    if not reason:
        raise ActionRefused(_("Give the reason the member is lost for good."))
    lock_members([case.member_id])
    case = _locked_case(case)
    _check_open(case)
    before = transition(
        case, "mark_lost", actor, reason[:200], denied=_("Only the store manager can close a case as lost.")
    )
    audit("revival.case_lost", case, actor, before=before, reason=reason[:200])
    if case.staff_id != actor.pk:
        alert(
            [case.staff],
            "revival.case_lost",
            case,
            Message(
                gettext_noop("%(actor)s closed the revival case of %(member)s as lost for good: %(reason)s"),
                actor=str(actor),
                member=case.member.name,
                reason=reason[:120],
            ),
            link=_case_url(case),
        )
    revival_changed(case.store_id, [case.staff_id])
    return case
