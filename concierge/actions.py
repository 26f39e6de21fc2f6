"""Every change of an assignment's state, one function per user intention.

Each action runs in one transaction, locks the rows it decides on (two tablets will tap the same
button), checks the transition's permission itself (django-fsm never enforces it), writes an
AuditEntry, and alerts the people concerned after commit. Refusals raise ActionRefused with a
message for the user; nothing is written then.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed, has_transition_perm

from concierge.alerts import alert
from concierge.i18n import Message
from concierge.models import Assignment, AuditEntry, Member, Staff
from concierge.roles import Role

OPEN_STATES = (Assignment.State.PROPOSED, Assignment.State.ACTIVE, Assignment.State.HANDOVER_REQUESTED)


class ActionRefused(Exception):
    """The action cannot be done; `message` says why, in words for the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---- helpers -------------------------------------------------------------------------------------


def _store_managers(store_id):
    return list(
        Staff.objects.filter(store_id=store_id, groups__name=Role.STORE_MANAGER.value, is_active=True)
    )


def _is_store_manager_of(user, store_id):
    return user.has_role(Role.STORE_MANAGER) and user.store_id == store_id


def _tell_store_managers(assignment, actor, kind, message):
    alert(
        [m for m in _store_managers(assignment.store_id) if m.pk != actor.pk],
        kind,
        assignment,
        message,
        link=_member_link(assignment.member),
    )


def _member_link(member):
    return f"/members/{member.pk}/"


def _caseload(manager_ids):
    rows = (
        Assignment.objects.filter(manager_id__in=manager_ids, state__in=OPEN_STATES)
        .values("manager_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["manager_id"]: row["n"] for row in rows}
    return {pk: counts.get(pk, 0) for pk in manager_ids}


def _lock_managers(manager_ids):
    """Lock the managers' rows so two assignments at once cannot both take a last free place."""
    return {staff.pk: staff for staff in Staff.objects.select_for_update().filter(pk__in=sorted(manager_ids))}


def _check_vip_manager(manager, store_id):
    if manager.store_id != store_id or not manager.has_role(Role.VIP_MANAGER) or not manager.is_active:
        raise ActionRefused(_("%(name)s is not a VIP manager of this store.") % {"name": manager})


def _check_capacity(manager, extra=1):
    load = _caseload([manager.pk])[manager.pk]
    if load + extra > manager.caseload_limit:
        raise ActionRefused(
            _("%(name)s already looks after %(load)s of at most %(limit)s VIPs.")
            % {"name": manager, "load": load, "limit": manager.caseload_limit}
        )


def _already(assignment):
    """Why a transition is no longer possible: who moved the assignment on, and when."""
    last = (
        AuditEntry.objects.filter(content_type__model="assignment", object_id=str(assignment.pk))
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    state = assignment.get_state_display()
    if last is None or last.actor is None:
        return _("This assignment is already “%(state)s”.") % {"state": state}
    return _("Already “%(state)s”: %(actor)s at %(time)s.") % {
        "state": state,
        "actor": last.actor,
        "time": timezone.localtime(last.at).strftime("%H:%M"),
    }


def _locked(assignment):
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("member", "manager")
        .get(pk=assignment.pk)
    )


def _transition(assignment, name, actor, *args):
    """Check and call the transition `name` on a locked assignment (fields change in memory only)."""
    method = getattr(assignment, name)
    if not can_proceed(method):
        raise ActionRefused(_already(assignment))
    if not has_transition_perm(method, actor):
        raise ActionRefused(_("You may not do this with this assignment."))
    before = assignment.state
    method(*args)
    assignment.save()
    return before


def _audit(action, assignment, actor, before, **data):
    AuditEntry.record(
        action,
        assignment,
        actor=actor,
        store=assignment.store,
        from_state=before,
        to_state=assignment.state,
        data={"member": assignment.member_id, "manager": assignment.manager_id, **data},
    )


def _create(member, manager, actor, *, state, reason="", previous=None):
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                store_id=member.store_id,
                member=member,
                manager=manager,
                assigned_by=actor,
                reason=reason,
                previous=previous,
                state=state,
                accepted_at=timezone.now() if state == Assignment.State.ACTIVE else None,
            )
    except IntegrityError as exc:
        # Only reachable if a row appeared without the member lock (e.g. the admin): say so plainly.
        raise ActionRefused(_("%(member)s already has a VIP manager.") % {"member": member}) from exc
    return assignment


# ---- assigning ---------------------------------------------------------------------------------


def assign_member(member, manager, *, actor, direct=False, reason=""):
    """Propose (or, with direct=True, make) `manager` the dedicated VIP manager of `member`.

    Side effects: an Assignment (proposed, or active when direct), AuditEntry
    "assignment.proposed" or "assignment.assigned", an alert to the manager after commit.
    """
    with transaction.atomic():
        if not _is_store_manager_of(actor, member.store_id):
            raise ActionRefused(_("Only the store manager assigns VIP managers."))
        member = Member.objects.select_for_update(of=("self",)).select_related("tier").get(pk=member.pk)
        if member.tier is None or not member.tier.dedicated_manager:
            raise ActionRefused(
                _("%(member)s's tier does not include a dedicated VIP manager.") % {"member": member}
            )
        manager = _lock_managers([manager.pk])[manager.pk]
        _check_vip_manager(manager, member.store_id)
        current = member.assignments.filter(state__in=OPEN_STATES).select_related("manager").first()
        if current is not None:
            raise ActionRefused(
                _("%(member)s is already with %(manager)s (%(state)s).")
                % {"member": member, "manager": current.manager, "state": current.get_state_display()}
            )
        _check_capacity(manager)
        state = Assignment.State.ACTIVE if direct else Assignment.State.PROPOSED
        assignment = _create(member, manager, actor, state=state, reason=reason)
        _audit(
            "assignment.assigned" if direct else "assignment.proposed", assignment, actor, "", reason=reason
        )
        text = (
            gettext_noop("%(actor)s made you the VIP manager of %(member)s.")
            if direct
            else gettext_noop("%(actor)s asks you to look after %(member)s.")
        )
        alert(
            [manager],
            "assignment.assigned" if direct else "assignment.proposed",
            assignment,
            Message(text, actor=str(actor), member=str(member)),
            link=_member_link(member),
        )
    return assignment


def spread_members(members, managers, *, actor, reason=""):
    """Assign members (directly) across managers evenly, within each manager's caseload limit.

    Members go one by one to the manager with the fewest VIPs who still has room, so no manager
    ends up with more than one more new member than another unless their limit stops them.
    Refuses (and writes nothing) if the managers do not have room for all of them.
    Returns the new assignments.
    """
    with transaction.atomic():
        locked = _lock_managers([manager.pk for manager in managers])
        store_id = actor.store_id
        for manager in locked.values():
            _check_vip_manager(manager, store_id)
        load = _caseload(list(locked))
        room = sum(max(0, locked[pk].caseload_limit - load[pk]) for pk in locked)
        members = list(members)
        if len(members) > room:
            raise ActionRefused(
                _("The chosen VIP managers have room for %(room)s more VIPs, not %(count)s.")
                % {"room": room, "count": len(members)}
            )
        given = dict.fromkeys(locked, 0)
        created = []
        for member in members:
            pk = min(
                (pk for pk in locked if load[pk] + given[pk] < locked[pk].caseload_limit),
                key=lambda pk: (given[pk], load[pk], pk),
            )
            created.append(assign_member(member, locked[pk], actor=actor, direct=True, reason=reason))
            given[pk] += 1
    return created


def accept_assignment(assignment, *, actor):
    """The VIP manager takes on a proposed member. Alerts the store managers after commit."""
    with transaction.atomic():
        assignment = _locked(assignment)
        before = _transition(assignment, "accept", actor)
        _audit("assignment.accepted", assignment, actor, before)
        _tell_store_managers(
            assignment,
            actor,
            "assignment.accepted",
            Message(
                gettext_noop("%(manager)s accepted %(member)s."),
                manager=str(assignment.manager),
                member=str(assignment.member),
            ),
        )
    return assignment


def decline_assignment(assignment, *, actor, reason=""):
    """The VIP manager turns a proposal down (with a reason). Alerts the store managers."""
    with transaction.atomic():
        assignment = _locked(assignment)
        before = _transition(assignment, "decline", actor, reason)
        _audit("assignment.declined", assignment, actor, before, reason=reason)
        _tell_store_managers(
            assignment,
            actor,
            "assignment.declined",
            Message(
                gettext_noop("%(manager)s declined %(member)s: %(reason)s"),
                manager=str(assignment.manager),
                member=str(assignment.member),
                reason=reason or "—",
            ),
        )
    return assignment


# ---- handovers ---------------------------------------------------------------------------------


def request_handover(assignment, *, actor, colleague, note):
    """Ask a colleague to take the member over, with a note (why, likes, open matters).

    Side effects: the assignment becomes handover_requested; AuditEntry; alerts to the colleague
    and the store managers after commit.
    """
    with transaction.atomic():
        assignment = _locked(assignment)
        colleague = Staff.objects.get(pk=colleague.pk)
        _check_vip_manager(colleague, assignment.store_id)
        if colleague.pk == assignment.manager_id:
            raise ActionRefused(_("Choose a colleague, not yourself."))
        if not note.strip():
            raise ActionRefused(_("Write a handover note for your colleague."))
        before = _transition(assignment, "request_handover", actor, colleague, note)
        _audit("assignment.handover_requested", assignment, actor, before, to=colleague.pk, note=note)
        text = Message(
            gettext_noop("%(manager)s asks you to take over %(member)s."),
            manager=str(assignment.manager),
            member=str(assignment.member),
        )
        alert(
            [colleague],
            "assignment.handover_requested",
            assignment,
            text,
            link=_member_link(assignment.member),
        )
        alert(
            _store_managers(assignment.store_id),
            "assignment.handover_requested",
            assignment,
            Message(
                gettext_noop("Handover requested: %(member)s from %(manager)s to %(colleague)s."),
                member=str(assignment.member),
                manager=str(assignment.manager),
                colleague=str(colleague),
            ),
            link=_member_link(assignment.member),
        )
    return assignment


def accept_handover(assignment, *, actor):
    """The colleague takes the member over: the old assignment ends, a new active one starts.

    Side effects: both rows in one transaction; AuditEntries "assignment.handed_over" (old) and
    "assignment.assigned" (new); alerts to the previous manager and the store managers.
    """
    with transaction.atomic():
        assignment = _locked(assignment)
        colleague_id = assignment.handover_to_id
        if colleague_id is None:
            raise ActionRefused(_already(assignment))
        colleague = _lock_managers([colleague_id])[colleague_id]
        _check_capacity(colleague)
        before = _transition(assignment, "complete_handover", actor)
        _audit("assignment.handed_over", assignment, actor, before, to=colleague.pk)
        new = _create(
            assignment.member,
            colleague,
            actor,
            state=Assignment.State.ACTIVE,
            reason="handover",
            previous=assignment,
        )
        _audit("assignment.assigned", new, actor, "", previous=assignment.pk, note=assignment.handover_note)
        recipients = [assignment.manager, *_store_managers(assignment.store_id)]
        alert(
            [user for user in recipients if user.pk != actor.pk],
            "assignment.handed_over",
            new,
            Message(
                gettext_noop("%(colleague)s took over %(member)s."),
                colleague=str(colleague),
                member=str(assignment.member),
            ),
            link=_member_link(assignment.member),
        )
    return new


def decline_handover(assignment, *, actor):
    """The colleague (or the store manager) says no: the member stays with their manager."""
    return _end_handover(assignment, actor, "decline_handover", "assignment.handover_declined")


def withdraw_handover(assignment, *, actor):
    """The manager takes the request back: the member stays with them."""
    return _end_handover(assignment, actor, "withdraw_handover", "assignment.handover_withdrawn")


def _end_handover(assignment, actor, transition_name, action):
    with transaction.atomic():
        assignment = _locked(assignment)
        colleague = assignment.handover_to
        before = _transition(assignment, transition_name, actor)
        _audit(action, assignment, actor, before, to=colleague.pk if colleague else None)
        text = (
            gettext_noop("%(actor)s declined to take over %(member)s.")
            if transition_name == "decline_handover"
            else gettext_noop("%(actor)s withdrew the handover of %(member)s.")
        )
        recipients = [assignment.manager, colleague, *_store_managers(assignment.store_id)]
        alert(
            [user for user in recipients if user is not None and user.pk != actor.pk],
            action,
            assignment,
            Message(text, actor=str(actor), member=str(assignment.member)),
            link=_member_link(assignment.member),
        )
    return assignment


# ---- ending ------------------------------------------------------------------------------------


def release_member(assignment, *, actor, reason):
    """End an assignment (member downgraded, manager left). Alerts the manager."""
    if not reason.strip():
        raise ActionRefused(_("Give a reason for releasing the member."))
    with transaction.atomic():
        assignment = _locked(assignment)
        before = _transition(assignment, "release", actor, reason)
        _audit("assignment.released", assignment, actor, before, reason=reason)
        alert(
            [assignment.manager] if assignment.manager_id != actor.pk else [],
            "assignment.released",
            assignment,
            Message(
                gettext_noop("%(member)s is no longer in your book: %(reason)s"),
                member=str(assignment.member),
                reason=reason,
            ),
            link=_member_link(assignment.member),
        )
    return assignment


def reassign_book(manager, *, actor, reason, to_managers):
    """Move a VIP manager's whole book (leaving, long leave) to colleagues, spread evenly.

    Side effects: every open assignment of `manager` ends (proposals are declined) and the
    members are assigned directly to `to_managers` with spread_members; audit entries for each;
    alerts to the leaving manager, each receiving manager and the store managers.
    All or nothing: if the colleagues lack room, nothing changes.
    """
    if not reason.strip():
        raise ActionRefused(_("Give a reason for moving the book."))
    to_managers = [m for m in to_managers if m.pk != manager.pk]
    if not to_managers:
        raise ActionRefused(_("Choose at least one colleague to take the book."))
    with transaction.atomic():
        if not _is_store_manager_of(actor, manager.store_id):
            raise ActionRefused(_("Only the store manager moves a VIP manager's book."))
        open_ones = list(
            Assignment.objects.select_for_update()
            .filter(manager=manager, state__in=OPEN_STATES)
            .select_related("member", "manager")
            .order_by("member__member_no")
        )
        members = []
        for assignment in open_ones:
            name = "decline" if assignment.state == Assignment.State.PROPOSED else "release"
            args = (reason,)
            before = _transition(assignment, name, actor, *args)
            _audit("assignment.released", assignment, actor, before, reason=reason, book_moved=True)
            members.append(assignment.member)
        created = spread_members(members, to_managers, actor=actor, reason=reason)
        alert(
            [manager, *_store_managers(manager.store_id)],
            "assignment.book_moved",
            None,
            Message(
                gettext_noop("%(count)s VIPs of %(manager)s were moved to colleagues: %(reason)s"),
                count=len(members),
                manager=str(manager),
                reason=reason,
            ),
            link="",
        )
    return created


__all__ = [
    "ActionRefused",
    "accept_assignment",
    "accept_handover",
    "assign_member",
    "decline_assignment",
    "decline_handover",
    "reassign_book",
    "release_member",
    "request_handover",
    "spread_members",
    "withdraw_handover",
]
