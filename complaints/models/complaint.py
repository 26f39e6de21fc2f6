from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from concierge.models.members import StoreScopedQuerySet

from .setup import Category, Severity, Team


def _is_manager(complaint, user):
    return user.store_id == complaint.store_id and user.has_perm("complaints.manage_complaints")


def may_handle(complaint, user):
    """The handler it is assigned to, or the store manager. An unassigned one is anyone's to take."""
    if user.store_id != complaint.store_id:
        return False
    if complaint.handler_id is not None and complaint.handler_id == user.pk:
        return True
    return user.has_perm("complaints.manage_complaints")


def may_take(complaint, user):
    return user.store_id == complaint.store_id and user.has_perm("complaints.change_complaint")


def may_follow_up(complaint, user):
    """Feedback and reopening: the handler, the store manager, or whoever records complaints when
    the customer calls back (the handler may be off)."""
    return may_handle(complaint, user) or (
        user.store_id == complaint.store_id and user.has_perm("complaints.change_complaint")
    )


class ComplaintQuerySet(StoreScopedQuerySet):
    def active(self):
        return self.filter(state__in=Complaint.ACTIVE_STATES)


class Complaint(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Unassigned")
        ROUTED = "routed", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on the customer")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        RESOLVED = "resolved", _("Resolved, awaiting feedback")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("At the counter")
        PHONE = "phone", _("Phone")
        MESSAGE = "message", _("Message")
        ONLINE = "online", _("Online")
        HOTLINE_12315 = "12315", _("12315 referral")

    class Compensation(models.TextChoices):
        NONE = "", _("None")
        GIFT = "gift", _("Gift")
        VOUCHER = "voucher", _("Voucher")
        REFUND = "refund", _("Refund")
        REPAIR = "repair", _("Repair")
        EXCHANGE = "exchange", _("Exchange")

    class Approval(models.TextChoices):
        NOT_NEEDED = "", _("Not needed")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    class Target(models.TextChoices):
        NONE = "", _("None")
        CONTACT = "contact", _("First contact")
        RESOLUTION = "resolution", _("Resolution")

    # Open for the customer: the member's sales outreach stays paused, the case counts as open.
    ACTIVE_STATES = (
        State.NEW,
        State.ROUTED,
        State.IN_PROGRESS,
        State.WAITING,
        State.AWAITING_APPROVAL,
        State.RESOLVED,
        State.REOPENED,
    )
    # Someone still has to act before the customer has a solution: the SLA clock runs in these.
    WORKING_STATES = (State.NEW, State.ROUTED, State.IN_PROGRESS, State.AWAITING_APPROVAL, State.REOPENED)
    ENDED_STATES = (State.CLOSED, State.CANCELLED)

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="complaints"
    )
    member = models.ForeignKey(
        "concierge.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    # A customer without a membership: name and phone as they gave them.
    customer_name = models.CharField(_("customer's name"), max_length=100, blank=True)
    customer_phone = models.CharField(_("customer's phone"), max_length=32, blank=True)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.RESTRICT, related_name="complaints"
    )
    counter = models.CharField(_("brand or counter"), max_length=60, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    public_risk = models.BooleanField(
        _("mentions 12315 or the media"),
        default=False,
        help_text=_("The customer mentioned the 12315 consumer hotline or the media: always critical."),
    )
    description = models.TextField(_("what happened"), max_length=4000)
    wish = models.TextField(_("what the customer wants"), max_length=2000, blank=True)

    state = FSMField(_("state"), choices=State.choices, default=State.NEW, protected=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_complaints",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The SLA clock. Deadlines move on when the clock restarts after waiting on the customer.
    contact_due_at = models.DateTimeField(_("first contact due"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    # Business minutes from recording (or reopening) to first contact and to resolution, clock
    # stops left out: the figures per handler.
    contact_minutes = models.PositiveIntegerField(_("minutes to first contact"), null=True, blank=True)
    resolve_minutes = models.PositiveIntegerField(_("minutes to resolution"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("clock started"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(_("business minutes waited"), default=0)
    # What the warning and escalation jobs watch: the deadline running now and its alerts so far.
    sla_target = models.CharField(_("clock running for"), max_length=10, choices=Target.choices, blank=True)
    warn_at = models.DateTimeField(_("warning due"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warning sent"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    contact_breached = models.BooleanField(_("first contact late"), default=False)
    resolve_breached = models.BooleanField(_("resolution late"), default=False)

    # The resolution.
    solution = models.TextField(_("agreed solution"), max_length=4000, blank=True)
    compensation = models.CharField(
        _("compensation"), max_length=10, choices=Compensation.choices, blank=True
    )
    compensation_value = models.DecimalField(
        _("compensation value (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    compensation_note = models.CharField(_("compensation details"), max_length=200, blank=True)
    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices, blank=True)
    approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or declined by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_note = models.CharField(_("approval note"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The customer's opinion when called back.
    feedback_at = models.DateTimeField(_("feedback recorded"), null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback_note = models.TextField(_("what was wrong"), max_length=2000, blank=True)

    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopened_at = models.DateTimeField(_("last reopened"), null=True, blank=True)
    # A customer unhappy after the grace period gets a new case, linked here to the one before.
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_without_feedback = models.BooleanField(_("closed without feedback"), default=False)

    # The member's own outreach pause from before the complaint, put back when it closes. Only the
    # complaint that set the hold carries it (passed on if it closes before another open one).
    holds_outreach = models.BooleanField(_("holds the outreach pause"), default=False)
    pause_before_until = models.DateField(null=True, blank=True, editable=False)
    pause_before_reason = models.CharField(max_length=200, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "state", "recorded_at"]),
            models.Index(fields=["handler", "state"]),
            models.Index(fields=["team", "state"]),
            models.Index(fields=["member", "recorded_at"]),
            models.Index(fields=["store", "recorded_at"]),
            models.Index(fields=["store", "resolved_at"]),
            models.Index(
                fields=["warn_at"],
                condition=Q(warned_at__isnull=True, paused_at__isnull=True, warn_at__isnull=False),
                name="complaint_warning_due",
            ),
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(next_escalation_at__isnull=False, paused_at__isnull=True),
                name="complaint_escalation_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(customer_name=""), name="complaint_has_a_customer"
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=3), name="complaint_escalation_level_max"
            ),
        ]
        permissions = [
            ("manage_complaints", _("Can reassign complaints, approve compensation and see the figures")),
            ("setup_complaints", _("Can set up complaint categories, teams, routing and SLAs")),
        ]

    def __str__(self):
        return _("Complaint #%(number)s") % {"number": self.pk}

    @property
    def number(self):
        return f"#{self.pk}"

    @property
    def customer(self):
        return self.member.name if self.member_id else self.customer_name

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    @property
    def due_at(self):
        if self.sla_target == self.Target.CONTACT:
            return self.contact_due_at
        if self.sla_target == self.Target.RESOLUTION:
            return self.resolve_due_at
        return None

    @property
    def is_breached(self):
        due = self.due_at
        return bool(due and self.paused_at is None and due <= timezone.now())

    def may_be_taken_by(self, user):
        """Unassigned: new, or left without a handler by a re-route or a reopening that found nobody."""
        if self.handler_id is not None or not may_take(self, user):
            return False
        return self.state == self.State.NEW or self.state in (
            self.State.IN_PROGRESS,
            self.State.WAITING,
            self.State.REOPENED,
        )

    # Transitions change fields in memory; complaints/actions.py saves, audits, alerts and moves
    # the SLA clock.

    @transition(field=state, source=State.NEW, target=State.ROUTED)
    def route(self, team, handler):
        self.team = team
        self.handler = handler
        self.assigned_at = timezone.now()

    @transition(field=state, source=State.NEW, target=State.ROUTED, permission=may_take)
    def take(self, handler):
        self.handler = handler
        self.assigned_at = timezone.now()

    @transition(
        field=state, source=[State.ROUTED, State.REOPENED], target=State.IN_PROGRESS, permission=may_handle
    )
    def contact(self, at):
        if self.first_contact_at is None or self.reopened_at is not None:
            self.first_contact_at = self.first_contact_at or at

    @transition(field=state, source=State.IN_PROGRESS, target=State.WAITING, permission=may_handle)
    def wait_on_customer(self, at):
        self.paused_at = at

    @transition(field=state, source=State.WAITING, target=State.IN_PROGRESS, permission=may_handle)
    def customer_answered(self):
        self.paused_at = None

    @transition(field=state, source=State.IN_PROGRESS, target=State.AWAITING_APPROVAL, permission=may_handle)
    def ask_approval(self):
        self.approval = self.Approval.PENDING

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.RESOLVED, permission=_is_manager)
    def approve(self, actor, note):
        self.approval = self.Approval.APPROVED
        self.approval_by = actor
        self.approval_note = note

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.IN_PROGRESS, permission=_is_manager)
    def decline(self, actor, note):
        self.approval = self.Approval.DECLINED
        self.approval_by = actor
        self.approval_note = note

    @transition(field=state, source=State.IN_PROGRESS, target=State.RESOLVED, permission=may_handle)
    def resolve(self):
        pass

    @transition(field=state, source=State.RESOLVED, target=State.CLOSED, permission=may_follow_up)
    def close(self, without_feedback=False):
        self.closed_at = timezone.now()
        self.closed_without_feedback = without_feedback

    @transition(
        field=state, source=[State.RESOLVED, State.CLOSED], target=State.REOPENED, permission=may_follow_up
    )
    def reopen(self):
        self.reopen_count += 1
        self.reopened_at = timezone.now()
        self.closed_at = None
        self.closed_without_feedback = False

    @transition(
        field=state,
        source=[State.NEW, State.ROUTED, State.IN_PROGRESS, State.WAITING, State.REOPENED],
        target=State.CANCELLED,
        permission=may_handle,
    )
    def cancel(self, duplicate_of, reason):
        self.duplicate_of = duplicate_of
        self.cancel_reason = reason
        self.closed_at = timezone.now()
