from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from concierge.i18n import render_stored
from concierge.roles import Role

from .members import StoreScopedQuerySet


def _is_store_manager(instance, user):
    return user.has_role(Role.STORE_MANAGER) and user.store_id == instance.store_id


def _is_the_manager(instance, user):
    return user.pk == instance.manager_id


def _is_the_manager_or_store_manager(instance, user):
    return _is_the_manager(instance, user) or _is_store_manager(instance, user)


def _is_the_colleague(instance, user):
    return instance.handover_to_id is not None and user.pk == instance.handover_to_id


def _is_the_colleague_or_store_manager(instance, user):
    return _is_the_colleague(instance, user) or _is_store_manager(instance, user)


class Assignment(models.Model):
    """One VIP manager looking after one member, from proposal to the end of the relationship.

    A handover is a request on the current assignment naming a colleague; when the colleague
    accepts, this assignment ends and a new active one for the colleague starts, in one transaction.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the manager")
        ACTIVE = "active", _("Active")
        HANDOVER_REQUESTED = "handover_requested", _("Handover requested")
        ENDED = "ended", _("Ended")

    CURRENT_STATES = (State.ACTIVE, State.HANDOVER_REQUESTED)

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="assignments"
    )
    member = models.ForeignKey(
        "concierge.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="assignments"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("VIP manager"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = FSMField(_("state"), choices=State.choices, default=State.PROPOSED, protected=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("taken over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
    )
    handover_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handover to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_offered",
    )
    handover_note = models.TextField(_("handover note"), blank=True)
    handover_requested_at = models.DateTimeField(_("handover requested"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("VIP manager assignment")
        verbose_name_plural = _("VIP manager assignments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A member has one dedicated manager: the database refuses a second, whatever the race.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["active", "handover_requested"]),
                name="one_current_assignment_per_member",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="proposed"), name="one_proposal_per_member"
            ),
        ]
        indexes = [
            models.Index(fields=["manager", "state"]),
            models.Index(fields=["store", "state"]),
        ]

    def __str__(self):
        return f"{self.member} → {self.manager}"

    # Reasons the system writes are stored as codes and shown in the reader's language; anything
    # else in `reason` or `end_reason` was typed by a person and is shown as typed.
    SYSTEM_REASONS = {"handover": _("handed over")}

    @property
    def reason_display(self):
        return self.SYSTEM_REASONS.get(self.reason, self.reason)

    @property
    def end_reason_display(self):
        return self.SYSTEM_REASONS.get(self.end_reason, self.end_reason)

    # Transitions change fields in memory only; actions.py saves, audits and alerts.

    @transition(
        field=state, source=State.PROPOSED, target=State.ACTIVE, permission=_is_the_manager_or_store_manager
    )
    def accept(self):
        self.accepted_at = timezone.now()

    @transition(
        field=state, source=State.PROPOSED, target=State.ENDED, permission=_is_the_manager_or_store_manager
    )
    def decline(self, reason=""):
        self.ended_at = timezone.now()
        self.end_reason = reason

    @transition(field=state, source=State.ACTIVE, target=State.HANDOVER_REQUESTED, permission=_is_the_manager)
    def request_handover(self, colleague, note):
        self.handover_to = colleague
        self.handover_note = note
        self.handover_requested_at = timezone.now()

    @transition(
        field=state,
        source=State.HANDOVER_REQUESTED,
        target=State.ENDED,
        permission=_is_the_colleague_or_store_manager,
    )
    def complete_handover(self):
        self.ended_at = timezone.now()
        self.end_reason = "handover"

    @transition(
        field=state,
        source=State.HANDOVER_REQUESTED,
        target=State.ACTIVE,
        permission=_is_the_colleague_or_store_manager,
    )
    def decline_handover(self):
        self.handover_to = None

    @transition(field=state, source=State.HANDOVER_REQUESTED, target=State.ACTIVE, permission=_is_the_manager)
    def withdraw_handover(self):
        self.handover_to = None

    @transition(
        field=state,
        source=[State.ACTIVE, State.HANDOVER_REQUESTED],
        target=State.ENDED,
        permission=_is_store_manager,
    )
    def release(self, reason):
        self.handover_to = None
        self.ended_at = timezone.now()
        self.end_reason = reason


class Alert(models.Model):
    """A live notification for one member of staff: a durable row first, a WebSocket push second."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=40, help_text=_("Dotted code, e.g. assignment.proposed"))
    # The message as code and parameters (concierge.i18n.Message), shown in the reader's language.
    message = models.JSONField(_("message"), null=True, blank=True)
    # The message as the recipient read it when it was made; all that alerts from before had.
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True
    )
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="unread_alerts_per_recipient",
            ),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self):
        """The alert in the active language (the reader's); old alerts have their text only."""
        return render_stored(self.message, self.text)
