"""Appointment reception: a member's visit to the store, from booking to the follow-up call.

The visit is a state machine (docs/appointment-states.svg). Its actions are in
concierge/appointments/; transitions here only change fields in memory.

No double booking: a host, or a room, has at most one visit at a time among the visits that still
hold their slot (not cancelled, not a no-show). The booking action checks it with a plain reason;
on PostgreSQL an exclusion constraint (btree_gist) makes it hold even for two tablets booking in
the same millisecond.
"""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from concierge.models.members import StoreScopedQuerySet
from concierge.roles import Role


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only ever compared inside the constraint


class PostgresOnlyExclusion(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing on SQLite, where the action's check stands.

    validate() is left to the booking action too: it gives the reason in words (who has the slot),
    which a constraint violation cannot.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, *args, **kwargs):
        return None


# ---- the store's reception set-up -----------------------------------------------------------------


class Room(models.Model):
    """A room or lounge visits can be held in (VIP lounge, fitting suite, beauty room)."""

    class Kind(models.TextChoices):
        LOUNGE = "lounge", _("VIP lounge")
        FITTING = "fitting", _("Fitting room")
        PRIVATE = "private", _("Private room")
        BEAUTY = "beauty", _("Beauty room")
        OTHER = "other", _("Other")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LOUNGE)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), default=4, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    active = models.BooleanField(_("bookable"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room or lounge")
        verbose_name_plural = _("rooms and lounges")
        ordering = ["position", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="room_name_unique_per_store")]

    def __str__(self):
        return self.name


class Department(models.TextChoices):
    """Who prepares a visit: each gets its own checklist items and an alert."""

    FRONT_DESK = "front_desk", _("Front desk")
    CATERING = "catering", _("Catering")
    CONCIERGE = "concierge", _("Concierge")
    HOST = "host", _("Host")
    BRAND = "brand", _("Brand counter")


class DepartmentContact(models.Model):
    """Who is told about a department's preparation items. A department nobody is named for
    falls to the front desk (the desk coordinates catering and concierge in most stores)."""

    store = models.ForeignKey(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="department_contacts",
    )
    department = models.CharField(_("department"), max_length=12, choices=Department.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="department_contacts",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department contact")
        verbose_name_plural = _("department contacts")
        ordering = ["department", "staff_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "department", "staff"], name="one_contact_per_department"
            ),
        ]

    def __str__(self):
        return f"{self.get_department_display()}: {self.staff}"


class ReceptionSettings(models.Model):
    """A store's reception rules; a store without a row uses the defaults below."""

    store = models.OneToOneField(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="reception_settings",
    )
    default_minutes = models.PositiveSmallIntegerField(
        _("usual length of a visit (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    ack_minutes = models.PositiveSmallIntegerField(
        _("minutes for the host to answer an arrival"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("After this, the backup host and the store manager are alerted."),
    )
    no_show_minutes = models.PositiveSmallIntegerField(
        _("minutes late before a no-show"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    prep_warning_minutes = models.PositiveSmallIntegerField(
        _("warn about unready preparation (minutes before)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(480)],
    )
    purchase_grace_minutes = models.PositiveSmallIntegerField(
        _("purchases after the farewell that still count (minutes)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(240)],
        help_text=_("A purchase rung up at the till on the way out belongs to the visit."),
    )
    no_show_flag_count = models.PositiveSmallIntegerField(
        _("no-shows in a year that flag a member"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )

    DEFAULTS = {
        "default_minutes": 60,
        "ack_minutes": 5,
        "no_show_minutes": 30,
        "prep_warning_minutes": 60,
        "purchase_grace_minutes": 30,
        "no_show_flag_count": 2,
    }

    class Meta:
        verbose_name = _("reception settings")
        verbose_name_plural = _("reception settings")

    def __str__(self):
        return str(self.store)

    @classmethod
    def for_store(cls, store_id):
        """The store's settings, or an unsaved row with the defaults."""
        return cls.objects.filter(store_id=store_id).first() or cls(store_id=store_id)


class StaffHours(models.Model):
    """When a member of staff works on a weekday. Someone with no rows works the store's hours;
    someone with rows works only the weekdays and hours listed."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="staff_hours"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="hours",
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=[(d, d) for d in range(7)])
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"), help_text=_("00:00 means midnight."))

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["staff_id", "weekday", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "weekday", "starts"], name="one_shift_per_start"),
        ]

    def __str__(self):
        return f"{self.staff} {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class StaffBlock(models.Model):
    """Time a member of staff cannot host (a meeting, training, a brand visit)."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="staff_blocks"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="blocks",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked time")
        verbose_name_plural = _("blocked times")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="block_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["staff", "ends_at"])]

    def __str__(self):
        return f"{self.staff}: {self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%H:%M}"


# ---- the visit ------------------------------------------------------------------------------------


def may_serve(appointment, user):
    """The host, the backup host, or the store manager of the visit's store."""
    if user.store_id != appointment.store_id:
        return False
    if user.pk in (appointment.host_id, appointment.backup_host_id):
        return True
    return user.has_perm("concierge.manage_appointments")


def may_receive(appointment, user):
    """Whoever books and receives visits in the store: the front desk, VIP managers, the manager."""
    return user.store_id == appointment.store_id and user.has_perm("concierge.change_appointment")


def not_yet_confirmed(appointment):
    return appointment.confirmed_at is None


class AppointmentQuerySet(StoreScopedQuerySet):
    def holding_slot(self):
        """Visits that still hold their time: what a new booking may not overlap."""
        return self.exclude(state__in=Appointment.FREED_STATES)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def on_day(self, day):
        from concierge.dates import local_midnight

        start = local_midnight(day)
        return self.filter(starts_at__gte=start, starts_at__lt=local_midnight(day + dt.timedelta(days=1)))


class Appointment(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Booked")
        CONFIRMED = "confirmed", _("Confirmed")
        PREPARED = "prepared", _("Ready")
        ARRIVED = "arrived", _("Arrived")
        IN_SERVICE = "in_service", _("In service")
        COMPLETED = "completed", _("Seen off")
        FOLLOWED_UP = "followed_up", _("Followed up")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Purpose(models.TextChoices):
        SHOPPING = "shopping", _("Personal shopping")
        FITTING = "fitting", _("Fitting or alteration")
        LOUNGE = "lounge", _("Lounge visit")
        PICKUP = "pickup", _("Pickup")
        BEAUTY = "beauty", _("Beauty service")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        COUNTER = "counter", _("At the counter")
        MESSAGE = "message", _("Message")
        ONLINE = "online", _("Online")
        WALK_IN = "walk_in", _("Walk-in")

    # Booked and not yet come: what can still be confirmed, prepared, moved, cancelled or missed.
    UPCOMING_STATES = (State.REQUESTED, State.CONFIRMED, State.PREPARED)
    # In the store now.
    PRESENT_STATES = (State.ARRIVED, State.IN_SERVICE)
    # The slot is free again: not counted as double booking.
    FREED_STATES = (State.CANCELLED, State.NO_SHOW)

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="appointments"
    )
    member = models.ForeignKey(
        "concierge.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="appointments"
    )
    state = FSMField(_("state"), choices=State.choices, default=State.REQUESTED, protected=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    channel = models.CharField(_("booked by"), max_length=10, choices=Channel.choices, default=Channel.PHONE)

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="hosted_appointments",
    )
    backup_host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup host"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backup_appointments",
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room or lounge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    party_size = models.PositiveSmallIntegerField(
        _("party size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    car_plate = models.CharField(_("car plate"), max_length=12, blank=True)
    # Needs, as the member gave them.
    drinks = models.CharField(_("drinks"), max_length=200, blank=True)
    allergies = models.CharField(_("allergies"), max_length=200, blank=True)
    items_to_pull = models.TextField(_("items to pull"), max_length=1000, blank=True)
    brands = models.CharField(_("brands to involve"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    booked_at = models.DateTimeField(_("booked"), default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reschedule_count = models.PositiveSmallIntegerField(_("times moved"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    prepared_at = models.DateTimeField(_("ready"), null=True, blank=True)
    # The warning that preparation is not done an hour before: sent once.
    prep_warned_at = models.DateTimeField(_("unready warning sent"), null=True, blank=True)

    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The host's "on my way", and the escalation when it does not come in time.
    ack_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("host answered"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ack_escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    service_started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    service_notes = models.TextField(_("service notes"), max_length=4000, blank=True)
    feedback = models.TextField(_("what the member said"), max_length=2000, blank=True)
    completed_at = models.DateTimeField(_("seen off"), null=True, blank=True)
    gift_given = models.BooleanField(_("gift or souvenir given"), default=False)
    gift_note = models.CharField(_("which gift"), max_length=200, blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)

    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    no_show_at = models.DateTimeField(_("marked no-show"), null=True, blank=True)
    # A no-show undone (the member came late, or it was marked wrongly): tick waits the no-show
    # minutes again from here before it marks the visit once more.
    no_show_undone_at = models.DateTimeField(_("no-show undone"), null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["store", "starts_at"]),
            models.Index(fields=["host", "starts_at"]),
            models.Index(fields=["member", "starts_at"]),
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["store", "state", "starts_at"]),
            # tick's no-show and unready-preparation jobs: the visits not yet come, by start.
            models.Index(
                fields=["starts_at"],
                condition=Q(state__in=["requested", "confirmed", "prepared"]),
                name="appointment_upcoming_start",
            ),
            # tick's purchase linking: the visits that began in the last days.
            models.Index(
                fields=["arrived_at"], condition=Q(arrived_at__isnull=False), name="appointment_arrived"
            ),
            models.Index(
                fields=["ack_due_at"],
                condition=Q(
                    acknowledged_at__isnull=True, ack_escalated_at__isnull=True, ack_due_at__isnull=False
                ),
                name="appointment_ack_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
            PostgresOnlyExclusion(
                name="no_double_booking_of_a_host",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("host", RangeOperators.EQUAL),
                ],
                condition=~Q(state__in=["cancelled", "no_show"]),
            ),
            PostgresOnlyExclusion(
                name="no_double_booking_of_a_room",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=~Q(state__in=["cancelled", "no_show"]) & Q(room__isnull=False),
            ),
        ]
        permissions = [
            ("manage_appointments", _("Can see reception figures and act on any host's visits")),
            ("setup_reception", _("Can set up rooms, departments, staff hours and reception rules")),
        ]

    def __str__(self):
        return _("Visit #%(number)s") % {"number": self.pk}

    @property
    def minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_upcoming(self):
        return self.state in self.UPCOMING_STATES

    @property
    def is_present(self):
        return self.state in self.PRESENT_STATES

    @property
    def waiting_for_host(self):
        """Checked in and the host has not answered yet."""
        return self.state == self.State.ARRIVED and self.acknowledged_at is None

    # Transitions change fields in memory; concierge/appointments/ saves, audits and alerts.

    @transition(
        field=state,
        source=[State.REQUESTED, State.PREPARED],
        target=RETURN_VALUE(State.CONFIRMED, State.PREPARED),
        permission=may_receive,
        conditions=[not_yet_confirmed],
    )
    def confirm(self, at):
        """The member said yes. A visit readied before they did stays ready, confirmed now too."""
        self.confirmed_at = at
        return self.State.PREPARED if self.state == self.State.PREPARED else self.State.CONFIRMED

    @transition(
        field=state, source=[State.REQUESTED, State.CONFIRMED], target=State.PREPARED, permission=may_receive
    )
    def mark_prepared(self, at):
        self.prepared_at = at

    @transition(
        field=state,
        source=State.PREPARED,
        target=RETURN_VALUE(State.REQUESTED, State.CONFIRMED),
        permission=may_receive,
    )
    def reopen_preparation(self):
        """An item was added or ticked off again: the visit is not ready any more."""
        self.prepared_at = None
        return self.State.CONFIRMED if self.confirmed_at else self.State.REQUESTED

    @transition(
        field=state, source=[State.CONFIRMED, State.PREPARED], target=State.REQUESTED, permission=may_receive
    )
    def reschedule(self, starts_at, ends_at):
        """A new time needs confirming again (and preparing again: the checklist is reopened)."""
        self.starts_at, self.ends_at = starts_at, ends_at
        self.reschedule_count += 1
        self.confirmed_at = None
        self.prepared_at = None

    @transition(field=state, source=UPCOMING_STATES, target=State.ARRIVED, permission=may_receive)
    def check_in(self, actor, at, ack_due_at):
        self.arrived_at = at
        self.checked_in_by = actor
        self.ack_due_at = ack_due_at

    @transition(field=state, source=State.ARRIVED, target=State.IN_SERVICE, permission=may_serve)
    def start_service(self, at):
        self.service_started_at = at

    @transition(
        field=state, source=[State.ARRIVED, State.IN_SERVICE], target=State.COMPLETED, permission=may_serve
    )
    def see_off(self, at, gift_given, gift_note):
        self.completed_at = at
        self.gift_given = gift_given
        self.gift_note = gift_note
        self.service_started_at = self.service_started_at or self.arrived_at

    @transition(field=state, source=State.COMPLETED, target=State.FOLLOWED_UP, permission=may_serve)
    def follow_up(self, at):
        self.followed_up_at = at

    @transition(field=state, source=UPCOMING_STATES, target=State.CANCELLED, permission=may_receive)
    def cancel(self, actor, at, reason):
        self.cancelled_at = at
        self.cancelled_by = actor
        self.cancel_reason = reason

    @transition(field=state, source=UPCOMING_STATES, target=State.NO_SHOW)
    def mark_no_show(self, at):
        self.no_show_at = at

    @transition(
        field=state,
        source=State.NO_SHOW,
        target=RETURN_VALUE(State.REQUESTED, State.CONFIRMED, State.PREPARED),
        permission=may_receive,
    )
    def undo_no_show(self):
        self.no_show_at = None
        if self.prepared_at:
            return self.State.PREPARED
        if self.confirmed_at:
            return self.State.CONFIRMED
        return self.State.REQUESTED


class PreparationItem(models.Model):
    """One thing to get ready for a visit, for one department: "Lounge 2 ready", "Pull the navy coat"."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="preparation"
    )
    department = models.CharField(_("department"), max_length=12, choices=Department.choices)
    text = models.CharField(_("what to prepare"), max_length=200)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Made from what was booked (and remade when the booking changes), not added by someone.
    planned = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("preparation item")
        verbose_name_plural = _("preparation items")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["appointment", "done_at"])]

    def __str__(self):
        return self.text

    @property
    def is_done(self):
        return self.done_at is not None


# Which role answers for a department that has no named contacts.
DEPARTMENT_FALLBACK_ROLE = {
    Department.FRONT_DESK: Role.FRONT_DESK,
    Department.CATERING: Role.FRONT_DESK,
    Department.CONCIERGE: Role.FRONT_DESK,
}
