"""Arrivals: check-in, walk-ins, the host's "on my way", and the escalation when nobody answers.

Kernel actions (concierge.workflow). Lock order: the member, then the host (staff), then visits.

The host is told live that their VIP walked in (an Alert with a link to the arrival page, the
cheat sheet); their "on my way" shows on every board of the store. If nobody answers within the
store's `ack_minutes`, `escalate_unanswered_arrivals` (run by tick) tells the backup host and the
store managers, once each, however many ticks run at once.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.appointments.availability import may_host
from concierge.appointments.live import board_changed
from concierge.i18n import Message
from concierge.jobs import job
from concierge.models import Appointment, ReceptionSettings, StaffBlock, StaffHours
from concierge.models.appointments import may_serve
from concierge.models.stores import Staff
from concierge.opening import staff_off
from concierge.roles import Role
from concierge.workflow import ActionRefused, action, alert, audit, lock, lock_members, lock_staff, transition

State = Appointment.State

# A walk-in squeezed before the host's next visit gets at least this long, or another host.
SHORTEST_WALK_IN = dt.timedelta(minutes=10)
# Visits whose farewell is done: their remaining slot is free for a walk-in.
OVER_STATES = (State.COMPLETED, State.FOLLOWED_UP)


def arrival_link(appointment):
    return reverse("concierge:visit_arrival", args=[appointment.pk])


def clock(moment):
    """14:30, as a desk reads it (never a datetime inside a stored Message)."""
    return timezone.localtime(moment).strftime("%H:%M")


def addressed(member):
    """How the member is greeted, stored so each reader's language renders it (张女士 / Ms Zhang)."""
    if member.form_of_address:
        return member.form_of_address
    surname = member.surname
    if member.gender == member.Gender.FEMALE:
        return Message(gettext_noop("Ms %(surname)s"), surname=surname)
    if member.gender == member.Gender.MALE:
        return Message(gettext_noop("Mr %(surname)s"), surname=surname)
    return member.name


def store_managers(store_id):
    return list(
        Staff.objects.filter(store_id=store_id, is_active=True, groups__name=Role.STORE_MANAGER.value)
    )


def _same_store(actor, store_id):
    if actor is not None and actor.store_id != store_id:
        raise ActionRefused(_("This visit belongs to another store."))


def _tell_host(appointment, actor):
    """The host's live alert; a host who checks their own VIP in has answered by doing so."""
    if appointment.host_id == getattr(actor, "pk", None):
        appointment.acknowledged_at = appointment.arrived_at
        appointment.acknowledged_by = actor
        appointment.save(update_fields=["acknowledged_at", "acknowledged_by"])
        return
    if appointment.room_id:
        message = Message(
            gettext_noop("%(member)s has arrived (%(room)s, party of %(party)s)."),
            member=addressed(appointment.member),
            room=appointment.room.name,
            party=appointment.party_size,
        )
    else:
        message = Message(
            gettext_noop("%(member)s has arrived (party of %(party)s)."),
            member=addressed(appointment.member),
            party=appointment.party_size,
        )
    alert([appointment.host], "appointment.arrived", appointment, message, link=arrival_link(appointment))


@action
def check_in_appointment(appointment, *, actor):
    """The member is at the desk.

    Side effects: the visit arrived, the host's answer due in the store's `ack_minutes`;
    AuditEntry "appointment.checked_in"; the host alerted live with the cheat sheet's link (a host
    checking in their own VIP counts as answered); the store's boards reload.
    """
    appointment = lock(appointment, related=("member", "store", "host", "room"))
    _same_store(actor, appointment.store_id)
    now = timezone.now()
    if (
        timezone.localtime(appointment.starts_at).date() != timezone.localdate(now)
        and appointment.is_upcoming
    ):
        raise ActionRefused(
            _("This visit is booked for %(date)s: a member is checked in on the day of their visit.")
            % {"date": timezone.localtime(appointment.starts_at).strftime("%Y-%m-%d")}
        )
    minutes = ReceptionSettings.for_store(appointment.store_id).ack_minutes
    before = transition(
        appointment,
        "check_in",
        actor,
        actor,
        now,
        now + dt.timedelta(minutes=minutes),
        denied=_("Only the store's reception staff can check visits in."),
    )
    audit("appointment.checked_in", appointment, actor, before=before, late_minutes=_late(appointment, now))
    _tell_host(appointment, actor)
    board_changed(appointment.store_id)
    return appointment


def _late(appointment, now):
    return max(0, int((now - appointment.starts_at).total_seconds() // 60))


# ---- walk-ins ------------------------------------------------------------------------------------


def host_unavailable(host, now):
    """Why `host` cannot receive anyone at `now` (a day off, outside their hours, a block), or None."""
    local = timezone.localtime(now)
    if not host.is_active:
        return _("%(host)s no longer works here.") % {"host": host}
    if staff_off([host.pk], local.date()):
        return _("%(host)s is off today.") % {"host": host}
    shifts = list(StaffHours.objects.filter(staff=host).values_list("weekday", "starts", "ends"))
    if shifts:
        moment = local.time()
        working = any(
            weekday == local.weekday() and starts <= moment and (moment < ends or ends == dt.time(0, 0))
            for weekday, starts, ends in shifts
        )
        if not working:
            return _("%(host)s is not working at this hour.") % {"host": host}
    block = StaffBlock.objects.filter(staff=host, starts_at__lte=now, ends_at__gt=now).first()
    if block is not None:
        return _("%(host)s is busy until %(time)s (%(reason)s).") % {
            "host": host,
            "time": clock(block.ends_at),
            "reason": block.reason or _("blocked time"),
        }
    return None


def _now_in(visits, now):
    """Lock the visits holding a slot at `now`; those seen off before their booked end give the
    rest of their slot back. Returns the ones still there."""
    if not visits.exists():
        return []
    held = lock(visits)
    over = [visit.pk for visit in held if visit.state in OVER_STATES and visit.starts_at < now]
    if over:
        Appointment.objects.filter(pk__in=over).update(ends_at=now)
    return [visit for visit in held if visit.pk not in over]


def _next_start(visits, now, ends_at):
    upcoming = visits.filter(starts_at__gt=now, starts_at__lt=ends_at).order_by("starts_at").first()
    return upcoming.starts_at if upcoming else ends_at


def _window(*, host, room, now, ends_at):
    """The walk-in's end: its usual length, cut short by the host's or the room's next visit.

    Refuses when the host or the room is taken right now, saying by whom and until when.
    """
    hosts = Appointment.objects.holding_slot().filter(host=host)
    rooms = Appointment.objects.holding_slot().filter(room=room) if room is not None else None
    # The host's and the room's current visits are locked in one go, in id order (the kernel's order
    # among visits): two locks one after the other could take a lower id second.
    current = Q(host=host) | Q(room=room) if room is not None else Q(host=host)
    present = _now_in(
        Appointment.objects.holding_slot().filter(current, starts_at__lte=now, ends_at__gt=now), now
    )
    taken = [visit for visit in present if visit.host_id == host.pk]
    if taken:
        visit = min(taken, key=lambda v: v.starts_at)
        raise ActionRefused(
            _("%(host)s is with %(member)s until %(time)s: choose another host.")
            % {"host": host, "member": visit.member.address_as, "time": clock(visit.ends_at)}
        )
    ends_at = _next_start(hosts, now, ends_at)
    if room is not None:
        taken = [visit for visit in present if visit.room_id == room.pk]
        if taken:
            raise ActionRefused(
                _("%(room)s is in use until %(time)s: choose another room.")
                % {"room": room.name, "time": clock(max(v.ends_at for v in taken))}
            )
        ends_at = _next_start(rooms, now, ends_at)
    if ends_at - now < SHORTEST_WALK_IN:
        raise ActionRefused(
            _("%(host)s or the room has another visit at %(time)s: choose another host or room.")
            % {"host": host, "time": clock(ends_at)}
        )
    return ends_at


@action
def walk_in(*, actor, member, host, purpose, minutes=None, room=None, party_size=1, car_plate=""):
    """A member came in without a booking: a visit that starts "arrived", now.

    It lasts the store's usual length, ended early by the host's (or the room's) next visit.
    Refused, with the reason, when the host is with someone else, off or blocked right now, or the
    room is taken or too small. Side effects: the visit; AuditEntry "appointment.walked_in";
    the host alerted live (unless they check the member in themselves); the store's boards reload.
    """
    if actor is None or not actor.has_perm("concierge.add_appointment"):
        raise ActionRefused(_("Only the store's reception staff can receive walk-ins."))
    store_id = actor.store_id
    if member.store_id != store_id:
        raise ActionRefused(_("This member belongs to another store."))
    if not may_host(host, store_id):
        raise ActionRefused(_("Choose a host of this store: a VIP manager or the store manager."))
    if room is not None:
        if room.store_id != store_id or not room.active:
            raise ActionRefused(_("Choose one of the rooms offered."))
        if party_size > room.capacity:
            raise ActionRefused(
                _("%(room)s seats %(count)s: choose a larger room.")
                % {"room": room.name, "count": room.capacity}
            )
    member = lock_members([member.pk]).get(member.pk)
    host = lock_staff([host.pk]).get(host.pk)
    if member is None or host is None:
        raise ActionRefused(_("This was removed meanwhile."))
    now = timezone.now()
    reason = host_unavailable(host, now)
    if reason:
        raise ActionRefused(reason + " " + _("Choose another host."))
    booked = (
        Appointment.objects.filter(member=member, state__in=Appointment.UPCOMING_STATES)
        .on_day(timezone.localdate(now))
        .order_by("starts_at")
        .first()
    )
    if booked is not None:
        raise ActionRefused(
            _("%(member)s has a visit booked at %(time)s: check that one in on the board.")
            % {"member": member.address_as, "time": clock(booked.starts_at)}
        )
    rules = ReceptionSettings.for_store(store_id)
    length = dt.timedelta(minutes=minutes or rules.default_minutes)
    ends_at = _window(host=host, room=room, now=now, ends_at=now + length)
    appointment = Appointment(
        store_id=store_id,
        member=member,
        state=State.ARRIVED,
        walk_in=True,
        channel=Appointment.Channel.WALK_IN,
        starts_at=now,
        ends_at=ends_at,
        purpose=purpose,
        host=host,
        room=room,
        party_size=party_size,
        car_plate=(car_plate or member.car_plate).strip().upper(),
        booked_at=now,
        booked_by=actor,
        arrived_at=now,
        checked_in_by=actor,
        ack_due_at=now + dt.timedelta(minutes=rules.ack_minutes),
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint: another tablet took the host or the room meanwhile.
        if connection.vendor == "postgresql" and getattr(exc.__cause__, "sqlstate", None) == "23P01":
            raise ActionRefused(
                _("%(host)s or the room was just given to another visit: choose again.") % {"host": host}
            ) from exc
        raise
    audit("appointment.walked_in", appointment, actor)
    _tell_host(appointment, actor)
    board_changed(store_id)
    return appointment


# ---- the host's answer ---------------------------------------------------------------------------


@action
def acknowledge_arrival(appointment, *, actor):
    """The host (or the backup host, or the store manager) is on their way to the member.

    Side effects: acknowledged_at / acknowledged_by; AuditEntry "appointment.acknowledged"; the
    store's boards reload, so the desk sees who is coming.
    """
    appointment = lock(appointment, related=("member", "store", "acknowledged_by"))
    _same_store(actor, appointment.store_id)
    if not may_serve(appointment, actor):
        raise ActionRefused(_("Only the visit's host, the backup host or the store manager can answer."))
    if appointment.acknowledged_at is not None:
        raise ActionRefused(
            _("%(who)s already answered at %(time)s.")
            % {"who": appointment.acknowledged_by or _("Someone"), "time": clock(appointment.acknowledged_at)}
        )
    if appointment.state != State.ARRIVED:
        raise ActionRefused(
            _("This visit is “%(state)s”: there is no arrival to answer.")
            % {"state": appointment.get_state_display()}
        )
    now = timezone.now()
    appointment.acknowledged_at = now
    appointment.acknowledged_by = actor
    appointment.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit(
        "appointment.acknowledged",
        appointment,
        actor,
        before=appointment.state,
        seconds=int((now - appointment.arrived_at).total_seconds()) if appointment.arrived_at else None,
        after_escalation=appointment.ack_escalated_at is not None,
    )
    board_changed(appointment.store_id)
    return appointment


# ---- escalation ----------------------------------------------------------------------------------


@action
def escalate_arrival(appointment, now):
    """Tell the backup host and the store managers that a member is waiting; once per visit."""
    appointment = lock(appointment, related=("member", "host", "backup_host", "room"))
    if appointment.state != State.ARRIVED and appointment.acknowledged_at is None and appointment.ack_due_at:
        # Served without a tap on "on my way": nothing to escalate, and the index forgets it.
        appointment.ack_due_at = None
        appointment.save(update_fields=["ack_due_at"])
        return False
    if (
        appointment.state != State.ARRIVED
        or appointment.acknowledged_at is not None
        or appointment.ack_escalated_at is not None
        or appointment.ack_due_at is None
        or appointment.ack_due_at > now
    ):
        return False
    appointment.ack_escalated_at = now
    appointment.save(update_fields=["ack_escalated_at"])
    audit("appointment.escalated", appointment, None, before=appointment.state)
    backup = appointment.backup_host
    recipients = [backup] if backup is not None and backup.is_active else []
    recipients += store_managers(appointment.store_id)
    alert(
        [person for person in recipients if person.pk != appointment.host_id],
        "appointment.unanswered",
        appointment,
        Message(
            gettext_noop("%(member)s has been waiting since %(time)s and %(host)s has not answered."),
            member=addressed(appointment.member),
            time=clock(appointment.arrived_at or now),
            host=str(appointment.host),
        ),
        link=arrival_link(appointment),
    )
    board_changed(appointment.store_id)
    return True


@job
def escalate_unanswered_arrivals(*, as_of):
    """Arrivals nobody answered in time. One query on the partial index when there are none."""
    now = timezone.now()
    due = Appointment.objects.filter(
        ack_due_at__isnull=False,
        acknowledged_at__isnull=True,
        ack_escalated_at__isnull=True,
        ack_due_at__lte=now,
    ).only("pk")
    sent = sum(1 for appointment in due if escalate_arrival(appointment, now))
    return {"escalated_arrivals": sent} if sent else {}
