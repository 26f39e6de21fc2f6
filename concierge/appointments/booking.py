"""Booking a visit: book, reschedule, change the needs, confirm, cancel. Kernel actions
(concierge.workflow).

Lock order: the room (store-level set-up, so two bookings of one room go one at a time), the member,
the host and the backup host (so two bookings of one host go one at a time, and the second sees the
first's visit when it checks the slot), then the visit. On PostgreSQL the exclusion constraints
still stand behind this, for any writer that does not take these locks: their violation is turned
into the same plain reason as the check gives.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.appointments.availability import EN_DASH, hhmm, may_host, slot_problem
from concierge.appointments.live import board_changed
from concierge.appointments.preparation import local_text, planned_items, start_preparation
from concierge.appointments.visits import settle_readiness
from concierge.i18n import Message
from concierge.models import Appointment, PreparationItem, Room
from concierge.workflow import (
    ActionRefused,
    Level,
    action,
    alert,
    already,
    audit,
    lock,
    lock_members,
    lock_staff,
    transition,
)

# A visit starts on a five-minute mark: times are picked, never typed to the second.
GRID_MINUTES = 5
# How long a visit may last; a day of fittings is still one visit.
MIN_MINUTES, MAX_MINUTES = 5, 12 * 60
# Booking a visit that began a moment ago (the member is on the phone at the door) is fine.
PAST_GRACE = dt.timedelta(minutes=5)
DOUBLE_BOOKING_CONSTRAINTS = ("no_double_booking_of_a_host", "no_double_booking_of_a_room")
NEEDS = ("purpose", "party_size", "car_plate", "drinks", "allergies", "items_to_pull", "brands", "note")
# Passed for "leave it as it is" where None means "none" (no room, no backup host).
KEEP = object()


def _link(appointment):
    return f"/visits/{appointment.pk}/"


def _when_text(starts_at, ends_at):
    return f"{local_text(starts_at)}{EN_DASH}{hhmm(ends_at)}"


def _check_time(starts_at, minutes):
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ActionRefused(
            _("A visit lasts between %(min)s minutes and %(max)s hours.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES // 60}
        )
    local = timezone.localtime(starts_at)
    if local.minute % GRID_MINUTES or local.second or local.microsecond:
        raise ActionRefused(_("Choose a start time on a five-minute mark (14:00, 14:05, ...)."))
    if starts_at < timezone.now() - PAST_GRACE:
        raise ActionRefused(_("This time has passed: choose a time from now on."))
    return starts_at + dt.timedelta(minutes=minutes)


def _check_people(store_id, host, backup_host):
    if not may_host(host, store_id):
        raise ActionRefused(
            _("%(host)s cannot host visits here: choose a VIP manager of the store.") % {"host": host}
        )
    if backup_host is not None:
        if backup_host.pk == host.pk:
            raise ActionRefused(_("The backup host must be someone other than the host."))
        if not may_host(backup_host, store_id):
            raise ActionRefused(
                _("%(host)s cannot be the backup host: choose a VIP manager of the store.")
                % {"host": backup_host}
            )


def _check_room(store_id, room, party_size):
    if room is None:
        return
    if room.store_id != store_id or not room.active:
        raise ActionRefused(_("%(room)s cannot be booked.") % {"room": room.name})
    if party_size > room.capacity:
        raise ActionRefused(
            _("%(room)s seats %(seats)s; the party is %(party)s.")
            % {"room": room.name, "seats": room.capacity, "party": party_size}
        )


def _lock_room(room):
    if room is None:
        return None
    rows = lock(Room.objects.filter(pk=room.pk), level=Level.STORE)
    if not rows:
        raise ActionRefused(_("This room was removed meanwhile."))
    return rows[0]


def _lock_hosts(host, backup_host):
    pks = [host.pk] + ([backup_host.pk] if backup_host is not None else [])
    locked = lock_staff(pks)
    if host.pk not in locked:
        raise ActionRefused(_("This was removed meanwhile."))
    return locked[host.pk], locked.get(backup_host.pk) if backup_host is not None else None


def _constraint_of(error):
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name in DOUBLE_BOOKING_CONSTRAINTS:
        return name
    text = str(error)
    return next((constraint for constraint in DOUBLE_BOOKING_CONSTRAINTS if constraint in text), None)


def _save_holding_slot(appointment, save, **slot):
    """Run `save` in a savepoint; if a visit written meanwhile by someone who did not take our
    locks holds the slot (the database's exclusion constraint), refuse with who holds it."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as error:
        if _constraint_of(error) is None:
            raise
        reason = slot_problem(appointment.store_id, **slot) or _(
            "Someone booked this time a moment ago: choose another time."
        )
        raise ActionRefused(reason) from error


def _may_book(actor, store_id):
    if not actor.has_perm("concierge.add_appointment"):
        raise ActionRefused(_("You may not book visits."))
    if actor.store_id != store_id:
        raise ActionRefused(_("This member belongs to another store."))


def _may_change(actor, appointment):
    if not actor.has_perm("concierge.change_appointment") or actor.store_id != appointment.store_id:
        raise ActionRefused(_("Only the store's reception staff can change visits."))


def _others(actor, *people):
    return [person for person in people if person is not None and person.pk != getattr(actor, "pk", None)]


# ---- booking ---------------------------------------------------------------------------------------


@action
def book_appointment(
    *,
    actor,
    member,
    starts_at,
    minutes,
    purpose,
    host,
    channel,
    backup_host=None,
    room=None,
    party_size=1,
    car_plate="",
    drinks="",
    allergies="",
    items_to_pull="",
    brands="",
    note="",
):
    """Book a visit for a member.

    Refused with the reason when the store is closed then, the host is off, busy or not of the
    store, the room is taken or too small, or the time has passed. Side effects: the Appointment
    ("requested"); its preparation checklist and the departments' alerts; the member's car plate
    kept when they had none; AuditEntry "appointment.booked"; the host and the backup host alerted
    when someone else booked; the store's boards reload.
    """
    store_id = member.store_id
    _may_book(actor, store_id)
    if channel == Appointment.Channel.WALK_IN:
        raise ActionRefused(_("A walk-in is checked in on the arrivals board."))
    ends_at = _check_time(starts_at, minutes)
    _check_people(store_id, host, backup_host)
    _check_room(store_id, room, party_size)

    room = _lock_room(room)
    member = lock_members([member.pk], related=("tier", "store")).get(member.pk)
    if member is None:
        raise ActionRefused(_("This was removed meanwhile."))
    host, backup_host = _lock_hosts(host, backup_host)
    _check_people(store_id, host, backup_host)
    _check_room(store_id, room, party_size)
    slot = {"host": host, "room": room, "starts_at": starts_at, "ends_at": ends_at, "party_size": party_size}
    problem = slot_problem(store_id, **slot)
    if problem:
        raise ActionRefused(problem)

    car_plate = car_plate.strip().upper()
    appointment = Appointment(
        store_id=store_id,
        member=member,
        channel=channel,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        host=host,
        backup_host=backup_host,
        room=room,
        party_size=party_size,
        car_plate=car_plate,
        drinks=drinks.strip(),
        allergies=allergies.strip(),
        items_to_pull=items_to_pull.strip(),
        brands=brands.strip(),
        note=note.strip(),
        booked_at=timezone.now(),
        booked_by=actor,
    )
    appointment.store = member.store
    _save_holding_slot(appointment, appointment.save, **slot)
    if car_plate and not member.car_plate:
        member.car_plate = car_plate
        member.save(update_fields=["car_plate"])

    start_preparation(appointment, actor)
    audit(
        "appointment.booked",
        appointment,
        actor,
        when=_when_text(starts_at, ends_at),
        host=str(host),
        backup_host=str(backup_host or ""),
        room=room.name if room else "",
        channel=channel,
    )
    params = {"actor": str(actor), "member": member.name, "when": _when_text(starts_at, ends_at)}
    alert(
        _others(actor, host),
        "appointment.booked",
        appointment,
        Message(gettext_noop("%(actor)s booked %(member)s with you, %(when)s"), **params),
        link=_link(appointment),
    )
    alert(
        _others(actor, backup_host),
        "appointment.booked",
        appointment,
        Message(gettext_noop("%(actor)s booked %(member)s, %(when)s: you are the backup host"), **params),
        link=_link(appointment),
    )
    board_changed(store_id)
    return appointment


# ---- moving it -------------------------------------------------------------------------------------


def _replan(appointment):
    """Bring the checklist in line with what is booked now: items still planned stay as they are
    (done or not), items no longer planned go, new ones are added undone; items added by hand stay."""
    with translation.override(appointment.store.default_language):
        planned = [(department, str(text)[:200]) for department, text in planned_items(appointment)]
    # Items someone added by hand (the birthday cake, a brand's piece) are theirs: never replanned.
    existing = list(appointment.preparation.filter(planned=True))
    kept = {(item.department, item.text): item for item in existing}
    stale = [item.pk for key, item in kept.items() if key not in planned]
    if stale:
        PreparationItem.objects.filter(pk__in=stale).delete()
    PreparationItem.objects.bulk_create(
        PreparationItem(
            appointment=appointment, department=department, text=text, position=index, planned=True
        )
        for index, (department, text) in enumerate(planned)
        if (department, text) not in kept
    )
    for index, key in enumerate(planned):
        item = kept.get(key)
        if item is not None and item.position != index:
            PreparationItem.objects.filter(pk=item.pk).update(position=index)


def _locked_visit(appointment):
    return lock(appointment, related=("member", "store", "host", "backup_host", "room"))


@action
def reschedule_appointment(
    appointment,
    *,
    actor,
    starts_at,
    minutes,
    host=None,
    backup_host=KEEP,
    room=KEEP,
    party_size=None,
    note="",
):
    """Move a booked visit to another time, host, backup host or room.

    A confirmed or ready visit goes back to "booked" (the new time is to be confirmed and prepared
    again: its checklist is reopened); a visit only booked just moves. The slot is checked as for a
    new booking, the visit itself aside; `party_size` is the party the room must seat, when the
    caller is about to change it (the visit's own otherwise).

    Side effects: the visit moved (times moved + 1 when the time changed); AuditEntry
    "appointment.rescheduled" with the old and new time, host and room; the hosts (old and new)
    alerted when someone else moved it; the boards reload.
    """
    _may_change(actor, appointment)
    current = (
        Appointment.objects.select_related("host", "backup_host", "room").filter(pk=appointment.pk).first()
    )
    if current is None:
        raise ActionRefused(_("This was removed meanwhile."))
    host = current.host if host is None else host
    backup_host = current.backup_host if backup_host is KEEP else backup_host
    room = current.room if room is KEEP else room
    store_id = current.store_id

    room = _lock_room(room)
    lock_members([current.member_id])
    host, backup_host = _lock_hosts(host, backup_host)
    appointment = _locked_visit(appointment)
    if not appointment.is_upcoming:
        raise ActionRefused(already(appointment))
    old = {
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "host": appointment.host,
        "backup_host": appointment.backup_host,
        "room": appointment.room,
    }
    moved = starts_at != old["starts_at"] or minutes != appointment.minutes
    ends_at = _check_time(starts_at, minutes) if moved else old["ends_at"]
    party_size = party_size or appointment.party_size
    changed_who = (
        host.pk != old["host"].pk
        or getattr(backup_host, "pk", None) != getattr(old["backup_host"], "pk", None)
        or getattr(room, "pk", None) != getattr(old["room"], "pk", None)
    )
    if not moved and not changed_who:
        return appointment
    # A host who has left since stays on the visits they had until someone moves them: only a change
    # of who hosts is checked against who may host.
    if changed_who:
        _check_people(store_id, host, backup_host)
    if room is not None and room.pk != getattr(old["room"], "pk", None):
        _check_room(store_id, room, party_size)
    slot = {
        "host": host,
        "room": room,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "party_size": party_size,
        "exclude_pk": appointment.pk,
    }
    problem = slot_problem(store_id, **slot)
    if problem:
        raise ActionRefused(problem)

    before = appointment.state
    appointment.host, appointment.backup_host, appointment.room = host, backup_host, room

    def save():
        if not moved:
            appointment.save()
        elif appointment.state == Appointment.State.REQUESTED:
            appointment.starts_at, appointment.ends_at = starts_at, ends_at
            appointment.reschedule_count += 1
            appointment.save()
        else:
            transition(
                appointment,
                "reschedule",
                actor,
                starts_at,
                ends_at,
                denied=_("Only the store's reception staff can change visits."),
            )

    _save_holding_slot(appointment, save, **slot)
    if moved:
        # The old time's preparation no longer holds: the room was readied, the items pulled, for then.
        appointment.preparation.filter(done_at__isnull=False).update(done_at=None, done_by=None)
        # And the new time gets its own warning if the checklist is still open before it.
        if appointment.prep_warned_at is not None:
            appointment.prep_warned_at = None
            appointment.save(update_fields=["prep_warned_at"])
    _replan(appointment)
    settle_readiness(appointment, actor)

    audit(
        "appointment.rescheduled",
        appointment,
        actor,
        before=before,
        old_when=_when_text(old["starts_at"], old["ends_at"]),
        new_when=_when_text(appointment.starts_at, appointment.ends_at),
        old_host=str(old["host"]),
        new_host=str(host),
        old_backup_host=str(old["backup_host"] or ""),
        new_backup_host=str(backup_host or ""),
        old_room=old["room"].name if old["room"] else "",
        new_room=room.name if room else "",
        note=note,
    )
    params = {
        "actor": str(actor),
        "member": appointment.member.name,
        "when": _when_text(appointment.starts_at, appointment.ends_at),
    }
    alert(
        _others(actor, host, backup_host),
        "appointment.rescheduled",
        appointment,
        Message(gettext_noop("%(actor)s moved the visit of %(member)s to %(when)s"), **params),
        link=_link(appointment),
    )
    if old["host"].pk != host.pk:
        alert(
            _others(actor, old["host"]),
            "appointment.rescheduled",
            appointment,
            Message(
                gettext_noop("%(actor)s gave the visit of %(member)s, %(when)s, to another host"), **params
            ),
            link=_link(appointment),
        )
    board_changed(store_id)
    return appointment


@action
def update_needs(appointment, *, actor, **needs):
    """Change what the member asked for without moving the visit: party size, car plate, drinks,
    allergies, items to pull, brands, the note.

    Side effects: the visit's needs; its checklist brought in line (new items undone); AuditEntry
    "appointment.needs_changed" with the fields changed; the host alerted when someone else
    changed them; the boards reload.
    """
    unknown = set(needs) - set(NEEDS)
    if unknown:
        raise TypeError(f"not a need: {sorted(unknown)}")
    _may_change(actor, appointment)
    if appointment.room_id:
        _lock_room(appointment.room)
    lock_members([appointment.member_id])
    appointment = _locked_visit(appointment)
    if not (appointment.is_upcoming or appointment.is_present):
        raise ActionRefused(already(appointment))
    for name in ("car_plate", "drinks", "allergies", "items_to_pull", "brands", "note"):
        if name in needs:
            needs[name] = (needs[name] or "").strip()
    if "car_plate" in needs:
        needs["car_plate"] = needs["car_plate"].upper()
    changed = {name: value for name, value in needs.items() if getattr(appointment, name) != value}
    if not changed:
        return appointment
    if "party_size" in changed:
        _check_room(appointment.store_id, appointment.room, changed["party_size"])
    before = {name: getattr(appointment, name) for name in changed}
    for name, value in changed.items():
        setattr(appointment, name, value)
    appointment.save(update_fields=list(changed))
    if appointment.is_upcoming:
        _replan(appointment)
        settle_readiness(appointment, actor)
    audit(
        "appointment.needs_changed",
        appointment,
        actor,
        before=appointment.state,
        changed={name: {"from": before[name], "to": value} for name, value in changed.items()},
    )
    alert(
        _others(actor, appointment.host),
        "appointment.needs_changed",
        appointment,
        Message(
            gettext_noop("%(actor)s changed the needs for the visit of %(member)s, %(when)s"),
            actor=str(actor),
            member=appointment.member.name,
            when=_when_text(appointment.starts_at, appointment.ends_at),
        ),
        link=_link(appointment),
    )
    board_changed(appointment.store_id)
    return appointment


@action
def change_appointment(appointment, *, actor, starts_at, minutes, host, backup_host, room, **needs):
    """The edit page's one save: move the visit if its time or people changed, then its needs,
    all or nothing. Side effects: those of reschedule_appointment and update_needs."""
    appointment = reschedule_appointment(
        appointment,
        actor=actor,
        starts_at=starts_at,
        minutes=minutes,
        host=host,
        backup_host=backup_host,
        room=room,
        party_size=needs.get("party_size"),
    )
    return update_needs(appointment, actor=actor, **needs)


# ---- confirming and cancelling ---------------------------------------------------------------------


@action
def confirm_appointment(appointment, *, actor, note=""):
    """The member confirmed the visit (the host's confirmation message answered, or a call).

    Side effects: the visit confirmed; AuditEntry "appointment.confirmed"; the store's boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    before = transition(
        appointment,
        "confirm",
        actor,
        timezone.now(),
        denied=_("Only the store's reception staff can confirm visits."),
    )
    audit("appointment.confirmed", appointment, actor, before=before, note=note)
    board_changed(appointment.store_id)
    return appointment


@action
def cancel_appointment(appointment, *, actor, reason):
    """Cancel a visit that has not begun; the reason is kept with who gave it.

    Side effects: the visit cancelled (its slot free again); AuditEntry "appointment.cancelled"
    with the reason; the host and the backup host alerted when someone else cancelled; the
    boards reload.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Say why the visit is cancelled."))
    lock_members([appointment.member_id])
    appointment = _locked_visit(appointment)
    before = transition(
        appointment,
        "cancel",
        actor,
        actor,
        timezone.now(),
        reason[:200],
        denied=_("Only the store's reception staff can cancel visits."),
    )
    audit("appointment.cancelled", appointment, actor, before=before, reason=reason[:200])
    alert(
        _others(actor, appointment.host, appointment.backup_host),
        "appointment.cancelled",
        appointment,
        Message(
            gettext_noop("%(actor)s cancelled the visit of %(member)s, %(when)s: %(reason)s"),
            actor=str(actor),
            member=appointment.member.name,
            when=_when_text(appointment.starts_at, appointment.ends_at),
            reason=reason[:200],
        ),
        link=_link(appointment),
    )
    board_changed(appointment.store_id)
    return appointment
