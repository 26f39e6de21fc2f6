"""Every change of an assignment's state, one function per user intention.

Each action is a kernel action (concierge.workflow): one transaction, the rows locked in the
global order, the transition's permission checked, an AuditEntry, alerts after commit.
Refusals raise ActionRefused with a message for the user; nothing is written then.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.errors import ActionRefused
from concierge.i18n import Message
from concierge.models import Alert, Assignment, ContactLog, Staff
from concierge.roles import Role
from concierge.workflow import action, alert, already, audit, lock, lock_members, lock_staff, transition

OPEN_STATES = (Assignment.State.PROPOSED, Assignment.State.ACTIVE, Assignment.State.HANDOVER_REQUESTED)


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


def _locked(assignment):
    return lock(assignment, related=("member", "manager"))


def _transition(assignment, name, actor, *args):
    """Check and call the transition `name` on a locked assignment; returns the state before."""
    return transition(assignment, name, actor, *args, denied=_("You may not do this with this assignment."))


def _audit(code, assignment, actor, before, **data):
    audit(
        code,
        assignment,
        actor,
        before=before,
        member=assignment.member_id,
        manager=assignment.manager_id,
        **data,
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
        # Only reachable if a row appeared without the member lock: say so plainly.
        raise ActionRefused(_("%(member)s already has a VIP manager.") % {"member": member}) from exc
    return assignment


# ---- assigning ---------------------------------------------------------------------------------


@action
def assign_member(member, manager, *, actor, direct=False, reason=""):
    """Propose (or, with direct=True, make) `manager` the dedicated VIP manager of `member`.

    Locks the member, then the manager (the kernel's order). Side effects: an Assignment
    (proposed, or active when direct), AuditEntry "assignment.proposed" or "assignment.assigned",
    an alert to the manager after commit.
    """
    if not _is_store_manager_of(actor, member.store_id):
        raise ActionRefused(_("Only the store manager assigns VIP managers."))
    member = lock_members([member.pk])[member.pk]
    manager = lock_staff([manager.pk])[manager.pk]
    return _assign_locked(member, manager, actor=actor, direct=direct, reason=reason)


def _assign_locked(member, manager, *, actor, direct, reason):
    """Assign a member whose row, and whose manager's row, this transaction already holds."""
    if member.tier is None or not member.tier.dedicated_manager:
        raise ActionRefused(
            _("%(member)s's tier does not include a dedicated VIP manager.") % {"member": member}
        )
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
    code = "assignment.assigned" if direct else "assignment.proposed"
    _audit(code, assignment, actor, "", reason=reason)
    text = (
        gettext_noop("%(actor)s made you the VIP manager of %(member)s.")
        if direct
        else gettext_noop("%(actor)s asks you to look after %(member)s.")
    )
    alert(
        [manager],
        code,
        assignment,
        Message(text, actor=str(actor), member=str(member)),
        link=_member_link(member),
    )
    return assignment


@action
def spread_members(members, managers, *, actor, reason=""):
    """Assign members (directly) across managers evenly, within each manager's caseload limit.

    Members go one by one to the manager with the fewest VIPs who still has room, so no manager
    ends up with more than one more new member than another unless their limit stops them.
    Locks every member first, then every manager, as the kernel orders, so a spread and a single
    assignment at the same moment wait for each other instead of deadlocking.
    Refuses (and writes nothing) if the managers do not have room for all of them.
    Returns the new assignments.
    """
    store_id = actor.store_id
    if not _is_store_manager_of(actor, store_id):
        raise ActionRefused(_("Only the store manager assigns VIP managers."))
    wanted = [member.pk for member in members]
    if not wanted:
        raise ActionRefused(_("Choose the members to spread."))
    locked_members = lock_members(wanted)
    locked = lock_staff([manager.pk for manager in managers])
    for manager in locked.values():
        _check_vip_manager(manager, store_id)
    if not locked:
        raise ActionRefused(_("Choose at least one VIP manager."))
    load = _caseload(list(locked))
    room = sum(max(0, locked[pk].caseload_limit - load[pk]) for pk in locked)
    if len(wanted) > room:
        raise ActionRefused(
            _("The chosen VIP managers have room for %(room)s more VIPs, not %(count)s.")
            % {"room": room, "count": len(wanted)}
        )
    given = dict.fromkeys(locked, 0)
    created = []
    for member_pk in wanted:
        member = locked_members.get(member_pk)
        if member is None or member.store_id != store_id:
            raise ActionRefused(_("A chosen member is no longer in this store; nothing was assigned."))
        pk = min(
            (pk for pk in locked if load[pk] + given[pk] < locked[pk].caseload_limit),
            key=lambda pk: (given[pk], load[pk], pk),
        )
        created.append(_assign_locked(member, locked[pk], actor=actor, direct=True, reason=reason))
        given[pk] += 1
    return created


@action
def accept_assignment(assignment, *, actor):
    """The VIP manager takes on a proposed member. Alerts the store managers after commit."""
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


@action
def decline_assignment(assignment, *, actor, reason=""):
    """The VIP manager turns a proposal down (with a reason). Alerts the store managers."""
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


@action
def request_handover(assignment, *, actor, colleague, note):
    """Ask a colleague to take the member over, with a note (why, likes, open matters).

    Side effects: the assignment becomes handover_requested; AuditEntry; alerts to the colleague
    and the store managers after commit.
    """
    if not note.strip():
        raise ActionRefused(_("Write a handover note for your colleague."))
    colleague = Staff.objects.get(pk=colleague.pk)
    _check_vip_manager(colleague, assignment.store_id)
    assignment = _locked(assignment)
    if colleague.pk == assignment.manager_id:
        raise ActionRefused(_("Choose a colleague, not yourself."))
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


@action
def accept_handover(assignment, *, actor):
    """The colleague takes the member over: the old assignment ends, a new active one starts.

    Locks the member, the colleague (whose caseload grows), then the assignment, in the kernel's
    order. Side effects: both rows in one transaction; AuditEntries "assignment.handed_over" (old)
    and "assignment.assigned" (new); alerts to the previous manager and the store managers.
    """
    seen = Assignment.objects.filter(pk=assignment.pk).values("member_id", "handover_to_id").first()
    if seen is None:
        raise ActionRefused(_("This was removed meanwhile."))
    member = lock_members([seen["member_id"]])[seen["member_id"]]
    colleague_id = seen["handover_to_id"]
    colleague = lock_staff([colleague_id])[colleague_id] if colleague_id else None
    assignment = _locked(assignment)
    if colleague is None or assignment.handover_to_id != colleague.pk:
        # The request was withdrawn, declined or sent elsewhere between the read and the lock.
        raise ActionRefused(already(assignment))
    # Checked when asked; checked again now: the colleague may have left or changed role since.
    _check_vip_manager(colleague, assignment.store_id)
    _check_capacity(colleague)
    before = _transition(assignment, "complete_handover", actor)
    _audit("assignment.handed_over", assignment, actor, before, to=colleague.pk)
    new = _create(
        member,
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
            member=str(member),
        ),
        link=_member_link(member),
    )
    return new


def decline_handover(assignment, *, actor):
    """The colleague (or the store manager) says no: the member stays with their manager."""
    return _end_handover(assignment, actor, "decline_handover", "assignment.handover_declined")


def withdraw_handover(assignment, *, actor):
    """The manager takes the request back: the member stays with them."""
    return _end_handover(assignment, actor, "withdraw_handover", "assignment.handover_withdrawn")


@action
def _end_handover(assignment, actor, transition_name, code):
    assignment = _locked(assignment)
    colleague = assignment.handover_to
    before = _transition(assignment, transition_name, actor)
    _audit(code, assignment, actor, before, to=colleague.pk if colleague else None)
    text = (
        gettext_noop("%(actor)s declined to take over %(member)s.")
        if transition_name == "decline_handover"
        else gettext_noop("%(actor)s withdrew the handover of %(member)s.")
    )
    recipients = [assignment.manager, colleague, *_store_managers(assignment.store_id)]
    alert(
        [user for user in recipients if user is not None and user.pk != actor.pk],
        code,
        assignment,
        Message(text, actor=str(actor), member=str(assignment.member)),
        link=_member_link(assignment.member),
    )
    return assignment


# ---- ending ------------------------------------------------------------------------------------


@action
def release_member(assignment, *, actor, reason):
    """End an assignment (member downgraded, manager left). Alerts the manager."""
    if not reason.strip():
        raise ActionRefused(_("Give a reason for releasing the member."))
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


@action
def reassign_book(manager, *, actor, reason, to_managers):
    """Move a VIP manager's whole book (leaving, long leave) to colleagues, spread evenly.

    Side effects: every open assignment of `manager` ends (proposals are declined) and the
    members are assigned directly to `to_managers`, spread evenly; audit entries for each;
    alerts to the leaving manager, each receiving manager and the store managers.
    All or nothing: if the colleagues lack room, nothing changes. A book that is already empty
    (moved a moment ago by another tap) is refused, so nobody is told "0 VIPs moved".
    """
    if not reason.strip():
        raise ActionRefused(_("Give a reason for moving the book."))
    to_managers = [m for m in to_managers if m.pk != manager.pk]
    if not to_managers:
        raise ActionRefused(_("Choose at least one colleague to take the book."))
    if not _is_store_manager_of(actor, manager.store_id):
        raise ActionRefused(_("Only the store manager moves a VIP manager's book."))
    book = Assignment.objects.filter(manager=manager, state__in=OPEN_STATES)
    # The kernel's order: the members, then the staff (leaving and receiving), then the assignments.
    member_ids = set(lock_members(book.values_list("member_id", flat=True)))
    lock_staff([manager.pk, *(m.pk for m in to_managers)])
    open_ones = sorted(
        lock(book.filter(member_id__in=member_ids), related=("member", "manager")),
        key=lambda a: a.member.member_no,
    )
    if book.exclude(member_id__in=member_ids).exists():
        # A member joined the book between the read and the locks: start again from the new book.
        raise ActionRefused(
            _("%(name)s's book changed meanwhile; nothing was moved. Try again.") % {"name": manager}
        )
    if not open_ones:
        raise ActionRefused(_("%(name)s has no VIPs to move.") % {"name": manager})
    members = []
    for assignment in open_ones:
        name = "decline" if assignment.state == Assignment.State.PROPOSED else "release"
        before = _transition(assignment, name, actor, reason)
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


# ---- alerts ---------------------------------------------------------------------------------------


@action
def read_alerts(reader, *, pks=None):
    """Mark the reader's own unread alerts read: those in `pks`, or all of them.

    The Alert row's read_at is its own record (a person's inbox, not the store's business), so no
    audit entry is written. Returns how many were marked.
    """
    unread = Alert.objects.filter(recipient=reader, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


# ---- members --------------------------------------------------------------------------------------


@action
def log_contact(member, *, actor, channel, outcome, note=""):
    """Record that a member of staff was in touch with a member.

    Side effects: a ContactLog row stamped now and by the actor; AuditEntry "member.contacted".
    """
    if not actor.has_perm("concierge.add_contactlog") or actor.store_id != member.store_id:
        raise ActionRefused(_("You may not add to this member's contact log."))
    contact = ContactLog.objects.create(
        member=member, staff=actor, channel=channel, outcome=outcome, note=note, contacted_at=timezone.now()
    )
    audit("member.contacted", member, actor, contact=contact.pk, channel=channel, outcome=outcome)
    return contact


__all__ = [
    "ActionRefused",
    "accept_assignment",
    "accept_handover",
    "assign_member",
    "decline_assignment",
    "decline_handover",
    "log_contact",
    "read_alerts",
    "reassign_book",
    "release_member",
    "request_handover",
    "spread_members",
    "withdraw_handover",
]
