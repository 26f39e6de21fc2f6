"""A visit once it is booked: its checklist ticked off, service, farewell, follow-up; no-shows and
their undoing; purchases during the visit. Kernel actions (concierge.workflow) and tick's jobs.

The purchase window of a visit is [arrived_at, completed_at + the store's purchase grace]; for a
visit still in the store it runs up to now. A purchase in two windows at once (two visits of the
same member overlapping, which booking prevents) goes to the earliest visit.
"""

import datetime as dt

from django.core.validators import MaxValueValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from concierge import rawsql
from concierge.appointments.live import board_changed
from concierge.appointments.preparation import department_staff, local_text
from concierge.i18n import Message
from concierge.jobs import job
from concierge.models import Appointment, PreparationItem, Purchase, ReceptionSettings
from concierge.models.appointments import may_receive, may_serve
from concierge.workflow import ActionRefused, action, alert, already, audit, lock, transition

State = Appointment.State
MINUTE = Value(dt.timedelta(minutes=1), output_field=DurationField())
# The checklist is worked on until the member leaves; afterwards it is the record of what was done.
CHECKLIST_OPEN_STATES = (*Appointment.UPCOMING_STATES, *Appointment.PRESENT_STATES)
# Purchases bought this recently and not yet linked are looked at every tick (a till's import may
# come hours after the sale).
RECENT_PURCHASES = dt.timedelta(days=2)
# The lowest settings allowed (ReceptionSettings' validators): bounds for the indexed scans.
MIN_NO_SHOW_MINUTES = 5
# The longest purchase grace a store may set (ReceptionSettings.purchase_grace_minutes' validator).
MAX_PURCHASE_GRACE_MINUTES = max(
    validator.limit_value
    for validator in ReceptionSettings._meta.get_field("purchase_grace_minutes").validators
    if isinstance(validator, MaxValueValidator)
)
MAX_PREP_WARNING_MINUTES = 480


def visit_link(appointment):
    return reverse("concierge:visit_detail", args=[appointment.pk])


def _setting(name):
    """A store's reception setting inside a query on visits, the default where it has no row."""
    return Coalesce(
        F(f"store__reception_settings__{name}"),
        Value(ReceptionSettings.DEFAULTS[name]),
        output_field=IntegerField(),
    )


def _plus_minutes(moment, minutes):
    return ExpressionWrapper(
        moment + ExpressionWrapper(minutes * MINUTE, output_field=DurationField()),
        output_field=DateTimeField(),
    )


def _member_text(appointment):
    return appointment.member.name


# ---- the checklist --------------------------------------------------------------------------------


def _refuse_unless_receiving(appointment, actor):
    if not may_receive(appointment, actor):
        raise ActionRefused(_("Only the store's reception staff can work on a visit's preparation."))
    if appointment.state not in CHECKLIST_OPEN_STATES:
        raise ActionRefused(
            _("This visit is “%(state)s”: its checklist is closed.")
            % {"state": appointment.get_state_display()}
        )


def settle_readiness(appointment, actor):
    """The visit is ready when nothing on its checklist is open, and not ready when something is."""
    open_items = appointment.preparation.filter(done_at__isnull=True).exists()
    if not open_items and appointment.state in (State.REQUESTED, State.CONFIRMED):
        before = transition(appointment, "mark_prepared", actor, timezone.now())
        audit("appointment.prepared", appointment, actor, before=before)
        if appointment.host_id != getattr(actor, "pk", None):
            alert(
                [appointment.host],
                "appointment.prepared",
                appointment,
                Message(
                    gettext_noop("Everything is ready for %(member)s, %(when)s"),
                    member=_member_text(appointment),
                    when=local_text(appointment.starts_at),
                ),
                link=visit_link(appointment),
            )
    elif open_items and appointment.state == State.PREPARED:
        before = transition(appointment, "reopen_preparation", actor)
        audit("appointment.unprepared", appointment, actor, before=before)


@action
def tick_item(item, *, actor, done):
    """Tick a preparation item off (done=True) or open it again (done=False).

    Side effects: the item's done_at/done_by; AuditEntry "appointment.item_done" or
    "appointment.item_reopened"; when the last item is done the visit becomes ready
    ("appointment.prepared", the host alerted), and ready stops being so when an item reopens
    ("appointment.unprepared"); the store's boards reload. Ticking what is already ticked changes
    nothing (two tablets tapping the same item).
    """
    appointment = lock(item.appointment, related=("member", "store", "host"))
    item = lock(item)
    if item.appointment_id != appointment.pk:
        raise ActionRefused(_("This was removed meanwhile."))
    _refuse_unless_receiving(appointment, actor)
    if item.is_done == bool(done):
        return item
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    code = "appointment.item_done" if done else "appointment.item_reopened"
    audit(code, appointment, actor, item=item.text, department=item.department)
    settle_readiness(appointment, actor)
    board_changed(appointment.store_id)
    return item


@action
def add_item(appointment, *, actor, department, text):
    """Add a preparation item for a department (a brand's piece to pull, a cake for a birthday).

    Side effects: a PreparationItem; AuditEntry "appointment.item_added"; the department's staff
    alerted (not the one who added it); a ready visit is not ready any more; the boards reload.
    """
    appointment = lock(appointment, related=("member", "store", "host"))
    _refuse_unless_receiving(appointment, actor)
    text = (text or "").strip()[:200]
    if not text:
        raise ActionRefused(_("Say what is to be prepared."))
    last = appointment.preparation.aggregate(last=Max("position"))["last"]
    item = PreparationItem.objects.create(
        appointment=appointment, department=department, text=text, position=(last or 0) + 1
    )
    audit("appointment.item_added", appointment, actor, item=text, department=department)
    alert(
        [person for person in department_staff(appointment, {department}) if person.pk != actor.pk],
        "appointment.prepare",
        appointment,
        Message(
            gettext_noop("To prepare for %(member)s, %(when)s: %(item)s"),
            member=_member_text(appointment),
            when=local_text(appointment.starts_at),
            item=text,
        ),
        link=visit_link(appointment),
    )
    settle_readiness(appointment, actor)
    board_changed(appointment.store_id)
    return item


# ---- service, farewell, follow-up ----------------------------------------------------------------

SERVE_DENIED = gettext_noop("Only the visit's host, the backup host or the store manager can do this.")


@action
def start_service(appointment, *, actor):
    """The host takes the member in: personal service begins.

    Side effects: the visit in service; AuditEntry "appointment.service_started"; the boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    before = transition(appointment, "start_service", actor, timezone.now(), denied=_(SERVE_DENIED))
    audit("appointment.service_started", appointment, actor, before=before)
    board_changed(appointment.store_id)
    return appointment


@action
def record_service(appointment, *, actor, notes, feedback):
    """What was done for the member and what they said (the conversation step), while in service
    or after the farewell. It replaces what was written before.

    Side effects: service_notes and feedback; AuditEntry "appointment.service_recorded".
    """
    appointment = lock(appointment, related=("member", "store"))
    if not may_serve(appointment, actor):
        raise ActionRefused(_(SERVE_DENIED))
    if appointment.state not in (State.IN_SERVICE, State.COMPLETED, State.FOLLOWED_UP):
        raise ActionRefused(_("Notes are written once the service has started."))
    appointment.service_notes = notes
    appointment.feedback = feedback
    appointment.save(update_fields=["service_notes", "feedback"])
    audit("appointment.service_recorded", appointment, actor, note=feedback[:200])
    return appointment


@action
def see_off(appointment, *, actor, gift_given, gift_note=""):
    """The farewell: the member is seen to the door, with a gift or souvenir or without.

    Side effects: the visit seen off; AuditEntry "appointment.seen_off"; the purchases already in
    from the visit's window linked to it; the boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    gift_note = (gift_note or "").strip()[:200] if gift_given else ""
    before = transition(
        appointment, "see_off", actor, timezone.now(), bool(gift_given), gift_note, denied=_(SERVE_DENIED)
    )
    linked = link_purchases_of(appointment)
    audit(
        "appointment.seen_off",
        appointment,
        actor,
        before=before,
        gift_given=bool(gift_given),
        gift=gift_note,
        purchases=linked,
    )
    board_changed(appointment.store_id)
    return appointment


@action
def follow_up_appointment(appointment, *, actor, note="", handed_the_call=False):
    """The thank-you call or note after the visit is done.

    `handed_the_call`: the actor holds the visit's thank-you call (tasks), which the store manager
    may hand to a colleague when the host is away: making that call is their follow-up to record.
    Side effects: the visit followed up; AuditEntry "appointment.followed_up"; the boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    if handed_the_call and actor is not None and actor.store_id != appointment.store_id:
        raise ActionRefused(_("Only the visit's host or the store manager can record the follow-up."))
    before = transition(
        appointment,
        "follow_up",
        None if handed_the_call else actor,
        timezone.now(),
        denied=_("Only the visit's host or the store manager can record the follow-up."),
    )
    audit("appointment.followed_up", appointment, actor, before=before, note=note)
    board_changed(appointment.store_id)
    return appointment


# ---- no-shows -------------------------------------------------------------------------------------


def slot_problem(appointment):
    """Why the visit's time cannot be held again (its host or room has another visit), or None.

    The minimal rule undoing a no-show needs; concierge.appointments.availability has the whole
    of it (opening hours, staff hours and blocks) for booking, and can take this one's place.
    """
    others = (
        Appointment.objects.holding_slot()
        .overlapping(appointment.starts_at, appointment.ends_at)
        .exclude(pk=appointment.pk)
        .select_related("member")
    )
    clash = others.filter(host_id=appointment.host_id).first()
    if clash is not None:
        return _("%(host)s has another visit then: %(member)s at %(time)s.") % {
            "host": appointment.host,
            "member": clash.member.name,
            "time": local_text(clash.starts_at),
        }
    if appointment.room_id:
        clash = others.filter(room_id=appointment.room_id).first()
        if clash is not None:
            return _("%(room)s is taken then: %(member)s at %(time)s.") % {
                "room": appointment.room,
                "member": clash.member.name,
                "time": local_text(clash.starts_at),
            }
    return None


SLOT_TAKEN = gettext_noop(
    "The host or the room was booked for this time meanwhile. Book a new visit instead."
)


@action
def undo_no_show(appointment, *, actor, reason):
    """A no-show was wrong, or the member came late: the visit holds its slot again.

    Refused without a reason, and when the host or the room was booked for the time meanwhile
    (checked here, and by the exclusion constraints on PostgreSQL). tick waits the no-show minutes
    again before marking it once more. Side effects: the visit back to booked, confirmed or ready;
    AuditEntry "appointment.no_show_undone" with the reason; the boards reload.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Say why the no-show is undone."))
    appointment = lock(appointment, related=("member", "store", "host", "room"))
    if not can_proceed(appointment.undo_no_show):
        raise ActionRefused(already(appointment))
    if not may_receive(appointment, actor):
        raise ActionRefused(_("Only the store's reception staff can undo a no-show."))
    problem = slot_problem(appointment)
    if problem:
        raise ActionRefused(problem)
    try:
        with transaction.atomic():
            before = transition(appointment, "undo_no_show", actor)
    except IntegrityError as exc:  # booked in the same moment: the constraint saw it
        raise ActionRefused(_(SLOT_TAKEN)) from exc
    appointment.no_show_undone_at = timezone.now()
    appointment.save(update_fields=["no_show_undone_at"])
    audit("appointment.no_show_undone", appointment, actor, before=before, reason=reason[:200])
    board_changed(appointment.store_id)
    return appointment


def _no_show_due(now):
    """Visits not come whose start (or the undoing of their no-show) is more than the store's
    no-show minutes ago. Indexed: appointment_upcoming_start."""
    since = Greatest("starts_at", Coalesce("no_show_undone_at", "starts_at"))
    return (
        Appointment.objects.filter(
            state__in=Appointment.UPCOMING_STATES,
            starts_at__lte=now - dt.timedelta(minutes=MIN_NO_SHOW_MINUTES),
        )
        .alias(due=_plus_minutes(since, _setting("no_show_minutes")))
        .filter(due__lte=now)
    )


@action
def _mark_no_show(pk, now):
    appointment = lock(Appointment(pk=pk), related=("member", "store", "host"))
    if not _no_show_due(now).filter(pk=pk).exists():
        return None  # checked in, cancelled or undone since the scan, or another tick was first
    before = transition(appointment, "mark_no_show", None, now)
    audit("appointment.no_show", appointment, None, before=before)
    alert(
        [appointment.host],
        "appointment.no_show",
        appointment,
        Message(
            gettext_noop("%(member)s did not come to the visit at %(when)s: marked as a no-show"),
            member=_member_text(appointment),
            when=local_text(appointment.starts_at),
        ),
        link=visit_link(appointment),
    )
    board_changed(appointment.store_id)
    return appointment


def _each_due(due, act, now):
    """`act(pk, now)` for each visit in `due`, one kernel action each (it checks again under its
    lock, so a second tick at the same moment acts on none twice). Returns how many it acted on."""
    acted = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            acted += act(pk, now) is not None
        except ActionRefused:
            continue
    return acted


@job
def mark_no_shows(as_of):
    """Visits still booked, confirmed or ready the store's no-show minutes after their start."""
    now = timezone.now()
    return {"no_shows": _each_due(_no_show_due(now), _mark_no_show, now)}


# ---- unready preparation --------------------------------------------------------------------------


def _unready_due(now):
    """Visits starting within the store's warning minutes with an item open, not warned yet."""
    open_items = PreparationItem.objects.filter(appointment_id=OuterRef("pk"), done_at__isnull=True)
    return (
        Appointment.objects.filter(
            state__in=Appointment.UPCOMING_STATES,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(minutes=MAX_PREP_WARNING_MINUTES),
            prep_warned_at__isnull=True,
        )
        .alias(warn_from=_plus_minutes(F("starts_at"), -_setting("prep_warning_minutes")))
        .filter(warn_from__lte=now)
        .filter(Exists(open_items))
    )


@action
def _warn_unready(pk, now):
    appointment = lock(Appointment(pk=pk), related=("member", "store", "host"))
    if not _unready_due(now).filter(pk=pk).exists():
        return None
    appointment.prep_warned_at = now
    appointment.save(update_fields=["prep_warned_at"])
    departments = set(
        appointment.preparation.filter(done_at__isnull=True).values_list("department", flat=True)
    )
    audit("appointment.prep_warned", appointment, None, departments=sorted(departments))
    alert(
        [appointment.host, *department_staff(appointment, departments)],
        "appointment.unready",
        appointment,
        Message(
            gettext_noop("Not ready yet: %(member)s comes at %(when)s and the checklist is still open"),
            member=_member_text(appointment),
            when=local_text(appointment.starts_at),
        ),
        link=visit_link(appointment),
    )
    board_changed(appointment.store_id)
    return appointment


@job
def warn_unready_preparation(as_of):
    """One warning per visit, to the host and the departments with items open."""
    now = timezone.now()
    return {"unready_warnings": _each_due(_unready_due(now), _warn_unready, now)}


# ---- purchases during a visit ---------------------------------------------------------------------


def _earliest_visit(now):
    """For a purchase (OuterRef), the earliest visit of its member in its store whose window holds it."""
    window_end = Coalesce(
        _plus_minutes(F("completed_at"), _setting("purchase_grace_minutes")),
        Value(now),
        output_field=DateTimeField(),
    )
    return (
        Appointment.objects.filter(
            member_id=OuterRef("member_id"),
            store_id=OuterRef("store_id"),
            arrived_at__isnull=False,
            arrived_at__lte=OuterRef("purchased_at"),
        )
        .alias(window_end=window_end)
        .filter(window_end__gte=OuterRef("purchased_at"))
        .order_by("arrived_at", "pk")
        .values("pk")[:1]
    )


def _link(purchases, now):
    """Link each unlinked purchase of `purchases` that falls in a visit's window: one UPDATE."""
    visit = _earliest_visit(now)
    unlinked = purchases.filter(appointment__isnull=True).filter(Exists(visit))
    return unlinked.update(appointment=Subquery(visit))


def link_new_purchases(purchases, now=None, *, members=None, first=None, last=None):
    """Purchases just recorded (by the till's API) linked to their visit at once, not at the next tick.

    `purchases`: a queryset, or a function that builds it. `members`, `first` and `last` (the
    purchases' members and their earliest and latest moments), when the caller knows them, let a
    cheap look at those members' visits come first: most purchases are rung outside any visit, and
    the UPDATE with its correlated subqueries was the costliest statement of a till's request to
    build (about 40% of its CPU, docs/benchmarks.md); then `purchases` is not even built.
    """
    now = now or timezone.now()
    if members is not None and not _may_hold(members, first, last):
        return 0
    return _link(purchases() if callable(purchases) else purchases, now)


def _may_hold(member_ids, first, last):
    """Whether any visit of these members could hold a purchase made between `first` and `last`: a
    visit that arrived by `last` and is still open, or ended at most the longest grace before `first`.

    Written out: it is asked on every till request (concierge/rawsql.py)."""
    member_ids = sorted(set(member_ids))
    if not member_ids:
        return False
    grace = dt.timedelta(minutes=MAX_PURCHASE_GRACE_MINUTES)
    adapt = connection.ops.adapt_datetimefield_value
    among, params = rawsql.any_of("member_id", member_ids)
    sql = (
        f"SELECT 1 FROM {Appointment._meta.db_table} WHERE {among}"
        " AND arrived_at IS NOT NULL AND arrived_at <= %s"
        " AND (completed_at IS NULL OR completed_at >= %s) LIMIT 1"
    )
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [*params, adapt(last), adapt(first - grace)])
        return cursor.fetchone() is not None


def link_purchases_of(appointment, now=None):
    """At the farewell: the member's purchases already in from the visit's arrival on."""
    now = now or timezone.now()
    if appointment.arrived_at is None:
        return 0
    return _link(
        Purchase.objects.filter(
            member_id=appointment.member_id,
            store_id=appointment.store_id,
            purchased_at__gte=appointment.arrived_at,
            purchased_at__lte=now,
        ),
        now,
    )


@job
def link_visit_purchases(as_of):
    """Purchases of the last days not linked yet, of members who visited in those days: one UPDATE,
    found through the visits (indexed: appointment_arrived) and the members' purchases."""
    now = timezone.now()
    since = now - RECENT_PURCHASES
    # A visit never lasts a day: one that began a day before `since` is the earliest that matters.
    visitors = Appointment.objects.filter(arrived_at__gte=since - dt.timedelta(days=1)).values("member_id")
    linked = _link(Purchase.objects.filter(purchased_at__gte=since, member_id__in=visitors), now)
    return {"purchases_linked": linked}
