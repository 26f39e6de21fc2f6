"""Complaints, one function per user intention, through the workflow kernel.

Lock order (concierge.workflow): the team a complaint is routed to (store-level set-up, so routing
within a team is one at a time and least-loaded stays fair), then the member, then the complaint.
Every action that can hold or release the member's outreach pause locks the member first, so two
complaints of one member never race over it.
"""

import re

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import routing
from complaints.clock import Clock
from complaints.models import CompensationBudget, Complaint, ComplaintSettings, Severity
from complaints.models.complaint import may_handle
from complaints.models.setup import CATEGORY_LABELS
from concierge.i18n import Message
from concierge.models import Assignment, ContactLog, Staff
from concierge.opening import staff_off
from concierge.roles import Role
from concierge.workflow import (
    ActionRefused,
    Level,
    action,
    alert,
    already,
    audit,
    lock,
    lock_members,
    transition,
)
from tasks import actions as care

State = Complaint.State

# Words that mean the customer may go public: the consumer hotline, the press, social media.
PUBLIC_RISK = re.compile(
    r"12315|媒体|记者|曝光|电视台|报社|微博|抖音|media|journalist|press|newspaper|reporter", re.I
)


def mentions_public_risk(*texts):
    return any(PUBLIC_RISK.search(text or "") for text in texts)


def _link(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def _vip_manager(member_id):
    if member_id is None:
        return None
    row = (
        Assignment.objects.filter(
            member_id=member_id, state__in=Assignment.CURRENT_STATES, manager__is_active=True
        )
        .select_related("manager")
        .first()
    )
    return row.manager if row else None


def _store_managers(store_id):
    return list(
        Staff.objects.filter(store_id=store_id, is_active=True, groups__name=Role.STORE_MANAGER.value)
    )


def _locked(complaint):
    """The member (if any), then the complaint: fresh, locked, with what the pages read."""
    if complaint.member_id:
        lock_members([complaint.member_id])
    return lock(complaint, related=("member", "member__tier", "store", "handler", "team", "category"))


def _transition(complaint, name, actor, *args):
    return transition(complaint, name, actor, *args, denied=_("This complaint is not yours to work on."))


def _same_store(actor, store_id):
    if actor is not None and actor.store_id != store_id:
        raise ActionRefused(_("This complaint belongs to another store."))


# ---- the outreach hold ---------------------------------------------------------------------------


def _hold(complaint, actor):
    member = complaint.member
    if member is None or member.outreach_held:
        return
    complaint.pause_before_until = member.outreach_paused_until
    complaint.pause_before_reason = member.outreach_pause_reason
    complaint.holds_outreach = True
    with_store_language = Message(gettext_noop("Open complaint %(number)s"), number=complaint.number)
    with translation.override(complaint.store.default_language):
        reason = str(with_store_language)
    care.hold_outreach(member, actor=actor, reason=reason)
    member.refresh_from_db(fields=["outreach_paused_until", "outreach_pause_reason"])


def _release(complaint, actor):
    """The complaint ended: pass the hold to the member's next open complaint, else lift it."""
    if not complaint.holds_outreach:
        return
    complaint.holds_outreach = False
    other = (
        Complaint.objects.filter(member_id=complaint.member_id, state__in=Complaint.ACTIVE_STATES)
        .exclude(pk=complaint.pk)
        .order_by("pk")
        .first()
    )
    if other is not None:
        # The member is locked, and every action on this member's complaints locks it first.
        Complaint.objects.filter(pk=other.pk).update(
            holds_outreach=True,
            pause_before_until=complaint.pause_before_until,
            pause_before_reason=complaint.pause_before_reason,
        )
    else:
        care.release_outreach(
            complaint.member,
            actor=actor,
            restore_until=complaint.pause_before_until,
            restore_reason=complaint.pause_before_reason,
        )
    complaint.pause_before_until = None
    complaint.pause_before_reason = ""


# ---- recording and routing -----------------------------------------------------------------------


@action
def record_complaint(
    *,
    actor,
    store,
    category,
    channel,
    severity,
    description,
    member=None,
    customer_name="",
    customer_phone="",
    counter="",
    wish="",
    public_risk=False,
):
    """Record a complaint, start its SLA clock and route it.

    A 12315 referral, a ticked "mentions 12315 or the media", or those words in what happened or
    what the customer wants, flag it and make it critical. Side effects: the complaint; routed to
    the least-loaded available handler of the matching team (alerted), or left unassigned (the team
    lead and store managers alerted); the member's sales outreach held; their VIP manager alerted;
    AuditEntries "complaint.recorded" and "complaint.routed".
    """
    if not actor.has_perm("complaints.add_complaint"):
        raise ActionRefused(_("You may not record complaints."))
    _same_store(actor, store.pk)
    if category.store_id != store.pk or not category.active:
        raise ActionRefused(_("Choose one of the categories offered."))
    if member is not None and member.store_id != store.pk:
        raise ActionRefused(_("This member belongs to another store."))
    if member is None and not customer_name.strip():
        raise ActionRefused(_("Choose the member, or give the customer's name."))
    public_risk = bool(
        public_risk or channel == Complaint.Channel.HOTLINE_12315 or mentions_public_risk(description, wish)
    )
    if public_risk:
        severity = Severity.CRITICAL
    team = routing.team_for(store.pk, category.pk, counter)
    if team is not None:
        team = lock(team, level=Level.STORE)
    if member is not None:
        member = lock_members([member.pk])[member.pk]
    now = timezone.now()
    complaint = Complaint(
        store=store,
        member=member,
        customer_name="" if member else customer_name.strip(),
        customer_phone="" if member else customer_phone.strip(),
        channel=channel,
        category=category,
        counter=counter.strip(),
        severity=severity,
        public_risk=public_risk,
        description=description.strip(),
        wish=wish.strip(),
        team=team,
        recorded_at=now,
        recorded_by=actor,
    )
    Clock(store.pk).start(complaint, now)
    complaint.save()
    audit("complaint.recorded", complaint, actor, severity=severity, public_risk=public_risk)
    _hold(complaint, actor)
    _route(complaint, team, actor=None, now=now)
    complaint.save()
    manager = _vip_manager(complaint.member_id)
    if manager is not None:
        alert(
            [manager],
            "complaint.member",
            complaint,
            Message(
                gettext_noop("%(member)s made a complaint (%(category)s): %(number)s."),
                member=member.name,
                category=category_label(complaint.category),
                number=complaint.number,
            ),
            link=_link(complaint),
        )
    return complaint


def _route(complaint, team, *, actor, now, exclude=()):
    """Give the complaint to the team's least-loaded available handler, or leave it unassigned and
    tell the people who can hand it out."""
    handler = routing.least_loaded(team, complaint.store_id, exclude=exclude)
    complaint.team = team
    if handler is None:
        complaint.handler = None
        audit("complaint.unassigned", complaint, actor, team=team.name if team else "")
        leads = [team.lead] if team is not None and team.lead_id else []
        alert(
            leads + _store_managers(complaint.store_id),
            "complaint.unassigned",
            complaint,
            Message(
                gettext_noop("Nobody is available for complaint %(number)s (%(team)s): please assign it."),
                number=complaint.number,
                team=team.name if team else "-",
            ),
            link=_link(complaint),
        )
        return None
    before = complaint.state
    if complaint.state == State.NEW:
        complaint.route(team, handler)
    else:
        complaint.handler = handler
        complaint.assigned_at = now
    audit(
        "complaint.routed",
        complaint,
        actor,
        before=before,
        handler=str(handler),
        team=team.name if team else "",
    )
    _tell_handler(complaint, handler)
    return handler


def _tell_handler(complaint, handler):
    alert(
        [handler],
        "complaint.routed",
        complaint,
        Message(
            gettext_noop("Complaint %(number)s is yours: %(customer)s, %(category)s (%(severity)s)."),
            number=complaint.number,
            customer=complaint.customer,
            category=category_label(complaint.category),
            severity=Message.label(Severity(complaint.severity).label),
        ),
        link=_link(complaint),
    )


def _check_working(complaint):
    if complaint.state in (State.RESOLVED, State.CLOSED, State.CANCELLED, State.AWAITING_APPROVAL):
        raise ActionRefused(already(complaint))


@action
def take(complaint, *, actor):
    """An unassigned complaint taken by a handler of the store: a new one, or one a re-route or a
    reopening left without a handler, which keeps the state it had got to."""
    complaint = _locked(complaint)
    if complaint.state == State.NEW:
        before = _transition(complaint, "take", actor, actor)
    else:
        if not complaint.may_be_taken_by(actor):
            raise ActionRefused(already(complaint))
        before = complaint.state
        complaint.handler = actor
        complaint.assigned_at = timezone.now()
        complaint.save()
    audit("complaint.taken", complaint, actor, before=before)
    return complaint


@action
def reroute(complaint, *, actor, team, reason):
    """The handler sends it to another team (its least-loaded available handler) with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Say why it goes to another team."))
    if team.store_id != complaint.store_id:
        raise ActionRefused(_("Choose one of your store's teams."))
    team = lock(team, level=Level.STORE)
    complaint = _locked(complaint)
    _check_working(complaint)
    if not may_handle(complaint, actor):
        raise ActionRefused(_("This complaint is not yours to work on."))
    before_handler = complaint.handler
    audit("complaint.rerouted", complaint, actor, reason=reason, to_team=team.name)
    handler = _route(complaint, team, actor=actor, now=timezone.now(), exclude=[actor.pk])
    if handler is None and complaint.state != State.NEW:
        # Nobody there: it waits in the team's unassigned list, wherever it had got to.
        complaint.handler = None
    complaint.save()
    if before_handler is not None and before_handler != handler and before_handler != actor:
        alert(
            [before_handler],
            "complaint.rerouted",
            complaint,
            Message(
                gettext_noop("Complaint %(number)s went to %(team)s: %(reason)s"),
                number=complaint.number,
                team=team.name,
                reason=reason,
            ),
            link=_link(complaint),
        )
    return complaint


@action
def reassign(complaint, *, actor, handler, reason=""):
    """The store manager gives the complaint to a handler of their choice."""
    if not actor.has_perm("complaints.manage_complaints"):
        raise ActionRefused(_("Only the store manager reassigns complaints."))
    _same_store(actor, complaint.store_id)
    if handler.store_id != complaint.store_id or not handler.is_active:
        raise ActionRefused(_("Choose an active colleague of this store."))
    complaint = _locked(complaint)
    _check_working(complaint)
    if complaint.handler_id == handler.pk:
        raise ActionRefused(_("%(handler)s already has this complaint.") % {"handler": handler})
    before = complaint.state
    previous = complaint.handler
    if complaint.state == State.NEW:
        complaint.route(complaint.team, handler)
    else:
        complaint.handler = handler
        complaint.assigned_at = timezone.now()
    complaint.save()
    audit(
        "complaint.reassigned", complaint, actor, before=before, handler=str(handler), reason=reason.strip()
    )
    _tell_handler(complaint, handler)
    if previous is not None and previous != actor:
        alert(
            [previous],
            "complaint.reassigned",
            complaint,
            Message(
                gettext_noop("Complaint %(number)s now goes to %(handler)s."),
                number=complaint.number,
                handler=str(handler),
            ),
            link=_link(complaint),
        )
    return complaint


# ---- working it ----------------------------------------------------------------------------------


@action
def record_contact(complaint, *, actor, channel, note):
    """First contact with the customer (again, after a reopening): the resolution clock is watched next.
    Side effects: the member's contact log; AuditEntry "complaint.contacted"."""
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("Write down what was said."))
    complaint = _locked(complaint)
    now = timezone.now()
    before = _transition(complaint, "contact", actor, now)
    Clock(complaint.store_id).contacted(complaint, now)
    complaint.save()
    _log_contact(complaint, actor, channel, gettext_noop("Complaint %(number)s: first contact"), note)
    audit(
        "complaint.contacted",
        complaint,
        actor,
        before=before,
        minutes=complaint.contact_minutes,
        channel=channel,
        note=note,
    )
    return complaint


def _log_contact(complaint, actor, channel, summary, note, outcome=ContactLog.Outcome.REACHED):
    if complaint.member_id is None:
        return
    ContactLog.objects.create(
        member_id=complaint.member_id,
        staff=actor,
        channel=channel,
        outcome=outcome,
        summary=Message(summary, number=complaint.number).to_json(),
        note=note,
        contacted_at=timezone.now(),
    )


@action
def wait_on_customer(complaint, *, actor, note):
    """The next move is the customer's (a receipt to find, a date to agree): the clock stops."""
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("Say what the customer is to come back with."))
    complaint = _locked(complaint)
    now = timezone.now()
    before = _transition(complaint, "wait_on_customer", actor, now)
    Clock(complaint.store_id).stop(complaint, now)
    complaint.save()
    audit("complaint.waiting", complaint, actor, before=before, note=note)
    return complaint


@action
def customer_answered(complaint, *, actor, note=""):
    """The customer came back: the clock runs again from where it stopped."""
    complaint = _locked(complaint)
    now = timezone.now()
    paused = complaint.paused_at
    before = _transition(complaint, "customer_answered", actor)
    # The transition cleared it; the clock needs the moment it stopped.
    complaint.paused_at = paused
    Clock(complaint.store_id).restart(complaint, now)
    complaint.save()
    audit("complaint.answered", complaint, actor, before=before, note=(note or "").strip())
    return complaint


def budget_for(complaint):
    """What the handler may give this customer without approval: their tier's budget, else the store's."""
    tier_id = complaint.member.tier_id if complaint.member_id else None
    budgets = dict(
        CompensationBudget.objects.filter(store_id=complaint.store_id).values_list("tier_id", "amount")
    )
    if tier_id in budgets:
        return budgets[tier_id]
    if None in budgets:
        return budgets[None]
    return ComplaintSettings.for_store(complaint.store_id).default_budget


@action
def resolve(complaint, *, actor, solution, compensation="", value=None, details=""):
    """The agreed solution, told to the customer, with any compensation.

    Compensation above the budget for the customer's tier waits for the store manager (alerted,
    with approve and decline on the complaint); otherwise it is resolved now: the resolution time
    is kept, and the member's VIP manager gets an apology care task.
    """
    solution = (solution or "").strip()
    if not solution:
        raise ActionRefused(_("Write down the solution agreed with the customer."))
    if compensation and (value is None or value < 0):
        raise ActionRefused(_("Give the compensation's value in yuan (0 for none)."))
    if not compensation and value:
        raise ActionRefused(_("Choose what kind of compensation this value is for."))
    complaint = _locked(complaint)
    complaint.solution = solution
    complaint.compensation = compensation or ""
    complaint.compensation_value = value if compensation else None
    complaint.compensation_note = (details or "").strip()
    # A declined request is history (in the audit trail); this solution is judged on its own.
    complaint.approval = Complaint.Approval.NOT_NEEDED
    complaint.approval_by = None
    complaint.approval_note = ""
    budget = budget_for(complaint)
    if compensation and value is not None and value > budget:
        before = _transition(complaint, "ask_approval", actor)
        complaint.save()
        audit(
            "complaint.approval_asked", complaint, actor, before=before, value=str(value), budget=str(budget)
        )
        alert(
            _store_managers(complaint.store_id),
            "complaint.approval",
            complaint,
            Message(
                gettext_noop(
                    "%(handler)s asks you to approve %(value)s yuan (%(kind)s) for complaint %(number)s; "
                    "the budget is %(budget)s."
                ),
                handler=str(actor),
                value=str(value),
                kind=Message.label(Complaint.Compensation(compensation).label),
                number=complaint.number,
                budget=str(budget),
            ),
            link=_link(complaint),
        )
        return complaint
    before = _transition(complaint, "resolve", actor)
    _resolved(complaint, actor, resolver=actor)
    audit(
        "complaint.resolved",
        complaint,
        actor,
        before=before,
        compensation=compensation,
        value=str(value or ""),
    )
    return complaint


def _resolved(complaint, actor, *, resolver):
    now = timezone.now()
    complaint.resolved_at = now
    complaint.resolved_by = resolver
    Clock(complaint.store_id).resolved(complaint, now)
    complaint.save()
    if complaint.member_id:
        care.make_apology_task(
            complaint.member,
            period=f"complaint:{complaint.pk}",
            reason=Message(
                gettext_noop(
                    "Complaint %(number)s resolved (%(category)s): a small apology gift and a second chance."
                ),
                number=complaint.number,
                category=category_label(complaint.category),
            ),
        )


def category_label(category):
    """A category for a stored message: a built-in one the store did not rename is translated for
    each reader (the VIP manager may read the apology task in another language than the handler's)."""
    if not category.name and category.code in CATEGORY_LABELS:
        return Message.label(CATEGORY_LABELS[category.code])
    return category.display_name


@action
def approve(complaint, *, actor, note=""):
    """The store manager approves compensation above the budget: the complaint is resolved."""
    _same_store(actor, complaint.store_id)
    complaint = _locked(complaint)
    before = transition(
        complaint,
        "approve",
        actor,
        actor,
        (note or "").strip(),
        denied=_("Only the store manager approves compensation."),
    )
    _resolved(complaint, actor, resolver=complaint.handler or actor)
    audit("complaint.approved", complaint, actor, before=before, value=str(complaint.compensation_value))
    alert(
        [complaint.handler],
        "complaint.approved",
        complaint,
        Message(
            gettext_noop(
                "%(manager)s approved the compensation for complaint %(number)s: tell the customer."
            ),
            manager=str(actor),
            number=complaint.number,
        ),
        link=_link(complaint),
    )
    return complaint


@action
def decline(complaint, *, actor, note):
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("Say why, so the handler can agree another solution."))
    _same_store(actor, complaint.store_id)
    complaint = _locked(complaint)
    before = transition(
        complaint, "decline", actor, actor, note, denied=_("Only the store manager declines compensation.")
    )
    complaint.save()
    audit("complaint.declined", complaint, actor, before=before, note=note)
    alert(
        [complaint.handler],
        "complaint.declined",
        complaint,
        Message(
            gettext_noop("%(manager)s declined the compensation for complaint %(number)s: %(note)s"),
            manager=str(actor),
            number=complaint.number,
            note=note,
        ),
        link=_link(complaint),
    )
    return complaint


# ---- feedback, closing, reopening ----------------------------------------------------------------


def _within_grace(complaint, now):
    if complaint.resolved_at is None:
        return True
    grace = ComplaintSettings.for_store(complaint.store_id).reopen_grace_days
    return (now - complaint.resolved_at).days < grace


@action
def record_feedback(complaint, *, actor, satisfied, score, note=""):
    """The call back: satisfied closes the case; not satisfied reopens it (within the grace period)
    or opens a new case linked to it (after). Returns the case that goes on: this one or the new one."""
    note = (note or "").strip()
    if not satisfied and not note:
        raise ActionRefused(_("Write down what the customer is still unhappy about."))
    complaint = _locked(complaint)
    if complaint.state != State.RESOLVED:
        raise ActionRefused(already(complaint))
    complaint.feedback_at = timezone.now()
    complaint.satisfied = bool(satisfied)
    complaint.score = score
    complaint.feedback_note = note
    _log_contact(
        complaint, actor, ContactLog.Channel.PHONE, gettext_noop("Complaint %(number)s: feedback call"), note
    )
    if satisfied:
        before = _transition(complaint, "close", actor)
        _release(complaint, actor)
        complaint.save()
        audit("complaint.closed", complaint, actor, before=before, score=score, satisfied=True)
        return complaint
    audit(
        "complaint.feedback",
        complaint,
        actor,
        before=complaint.state,
        score=score,
        satisfied=False,
        note=note,
    )
    return _reopen(complaint, actor, note)


@action
def reopen(complaint, *, actor, reason):
    """The customer is unhappy again: the same case within the grace period, a linked new one after."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Write down what the customer is unhappy about."))
    complaint = _locked(complaint)
    if complaint.state not in (State.RESOLVED, State.CLOSED):
        raise ActionRefused(already(complaint))
    return _reopen(complaint, actor, reason)


def _reopen(complaint, actor, reason):
    now = timezone.now()
    if _within_grace(complaint, now):
        before = _transition(complaint, "reopen", actor)
        Clock(complaint.store_id).start(complaint, now)
        complaint.contact_minutes = complaint.resolve_minutes = None
        complaint.resolved_at = None
        complaint.contact_breached = complaint.resolve_breached = False
        audit("complaint.reopened", complaint, actor, before=before, reason=reason)
        _hold(complaint, actor)
        handler = complaint.handler
        if handler is not None and handler.is_active and handler.pk not in _off_today([handler.pk]):
            _tell_handler(complaint, handler)
        else:
            _route(complaint, complaint.team, actor=None, now=now)
        complaint.save()
        return complaint
    # After the grace period the old case keeps its resolution; the new one is counted on its own.
    if complaint.state == State.RESOLVED:
        before = _transition(complaint, "close", actor, True)
        audit("complaint.closed", complaint, actor, before=before, satisfied=False)
    _release(complaint, actor)
    complaint.save()
    follow_up = Complaint(
        store_id=complaint.store_id,
        member=complaint.member,
        customer_name=complaint.customer_name,
        customer_phone=complaint.customer_phone,
        channel=complaint.channel,
        category=complaint.category,
        counter=complaint.counter,
        severity=complaint.severity,
        public_risk=complaint.public_risk,
        description=reason,
        wish=complaint.wish,
        team=complaint.team,
        recorded_at=now,
        recorded_by=actor,
        follows=complaint,
    )
    Clock(complaint.store_id).start(follow_up, now)
    follow_up.save()
    audit("complaint.recorded", follow_up, actor, follows=complaint.pk)
    _hold(follow_up, actor)
    handler = complaint.handler
    if handler is not None and handler.is_active and handler.pk not in _off_today([handler.pk]):
        follow_up.route(follow_up.team, handler)
        audit("complaint.routed", follow_up, None, before=State.NEW, handler=str(handler))
        _tell_handler(follow_up, handler)
    else:
        _route(follow_up, follow_up.team, actor=None, now=now)
    follow_up.save()
    return follow_up


def _off_today(ids):
    return staff_off(ids, timezone.localdate())


@action
def close_without_feedback(complaint, *, actor, note=""):
    """The customer could not be reached for feedback (or the grace period ran out, actor None)."""
    complaint = _locked(complaint)
    before = _transition(complaint, "close", actor, True)
    _release(complaint, actor)
    complaint.save()
    audit(
        "complaint.closed", complaint, actor, before=before, without_feedback=True, note=(note or "").strip()
    )
    return complaint


@action
def cancel(complaint, *, actor, reason, duplicate_of=None):
    """A duplicate (or recorded by mistake): cancelled with the reason, out of every figure."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Say why it is cancelled."))
    if duplicate_of is not None and (
        duplicate_of.store_id != complaint.store_id or duplicate_of.pk == complaint.pk
    ):
        raise ActionRefused(_("Choose another complaint of this store as the original."))
    complaint = _locked(complaint)
    before = _transition(complaint, "cancel", actor, duplicate_of, reason)
    complaint.sla_target = Complaint.Target.NONE
    complaint.warn_at = complaint.next_escalation_at = None
    _release(complaint, actor)
    complaint.save()
    audit(
        "complaint.cancelled",
        complaint,
        actor,
        before=before,
        reason=reason,
        duplicate_of=duplicate_of.pk if duplicate_of else None,
    )
    return complaint
