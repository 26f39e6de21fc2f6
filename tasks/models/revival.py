"""Dormant revival (沉睡会员激活): campaigns with per-staff quotas, the cases staff work, their
attempts, the revivals credited from purchases, and the incentive ledger paid for them.

The state machines only change fields in memory; tasks/revival/*.py lock, save, audit and alert
through the kernel (concierge/workflow.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from concierge.models import ContactLog
from concierge.models.members import StoreScopedQuerySet
from concierge.roles import Role

from .base import StoreSetting
from .care import CareTask

MONEY = {"max_digits": 12, "decimal_places": 2}


def _is_store_manager(obj, user):
    return user.has_role(Role.STORE_MANAGER) and user.store_id == obj.store_id


def _works_case(case, user):
    """The staff member the case is with, or the store manager of its store."""
    if case.staff_id is not None and user.pk == case.staff_id:
        return True
    return _is_store_manager(case, user)


class RevivalSettings(StoreSetting):
    """A store's defaults for new campaigns; a campaign copies them when it is drafted."""

    store = models.OneToOneField(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="revival_settings"
    )
    lost_for_good_months = models.PositiveSmallIntegerField(
        _("leave out members quiet for more than (months)"),
        default=24,
        validators=[MaxValueValidator(240)],
        help_text=_("Members whose last purchase is older than this are lost for good. 0: leave nobody out."),
    )
    exclude_self_rung = models.BooleanField(
        _("a purchase rung up by the credited staff member does not count"),
        default=True,
    )
    min_amount = models.DecimalField(
        _("a revival is a purchase of at least (yuan)"),
        default=Decimal("500"),
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    window_days = models.PositiveSmallIntegerField(
        _("days after an attempt a purchase counts"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    return_days = models.PositiveSmallIntegerField(
        _("days a return can take the credit back"),
        default=14,
        validators=[MaxValueValidator(365)],
    )
    target_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("revival target (% of each person's members)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    stall_days = models.PositiveSmallIntegerField(
        _("a case is stalled after (days without an attempt)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    reward_a = models.DecimalField(_("reward for a class A member"), default=Decimal("200"), **MONEY)
    reward_b = models.DecimalField(_("reward for a class B member"), default=Decimal("120"), **MONEY)
    reward_c = models.DecimalField(_("reward for a class C member"), default=Decimal("80"), **MONEY)
    reward_other = models.DecimalField(
        _("reward for a member without a class"), default=Decimal("50"), **MONEY
    )
    quota_bonus = models.DecimalField(_("bonus on reaching the target"), default=Decimal("500"), **MONEY)

    class Meta:
        verbose_name = _("revival settings")
        verbose_name_plural = _("revival settings")

    def __str__(self):
        return str(self.store)

    @classmethod
    def for_store(cls, store):
        """The store's settings, or unsaved defaults (a GET never writes)."""
        return cls.objects.filter(store=store).first() or cls(store=store)


# What a campaign copies from its store's settings when it is drafted.
CAMPAIGN_TERMS = (
    "min_amount",
    "window_days",
    "return_days",
    "target_percent",
    "stall_days",
    "exclude_self_rung",
    "reward_a",
    "reward_b",
    "reward_c",
    "reward_other",
    "quota_bonus",
)


class RevivalCampaign(models.Model):
    """A period in which the store's dormant members are spread over its staff to win back."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("revival campaign state", "Open")
        CLOSED = "closed", pgettext_lazy("revival campaign state", "Closed")
        SETTLED = "settled", _("Settled")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="revival_campaigns"
    )
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    state = FSMField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)

    # The terms, copied from the store's settings when drafted (see CAMPAIGN_TERMS).
    min_amount = models.DecimalField(
        _("a revival is a purchase of at least (yuan)"),
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    window_days = models.PositiveSmallIntegerField(
        _("days after an attempt a purchase counts"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    return_days = models.PositiveSmallIntegerField(
        _("days a return can take the credit back"), validators=[MaxValueValidator(365)]
    )
    target_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("revival target (% of each person's members)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    stall_days = models.PositiveSmallIntegerField(
        _("a case is stalled after (days without an attempt)"),
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    exclude_self_rung = models.BooleanField(
        _("a purchase rung up by the credited staff member does not count")
    )
    reward_a = models.DecimalField(_("reward for a class A member"), **MONEY)
    reward_b = models.DecimalField(_("reward for a class B member"), **MONEY)
    reward_c = models.DecimalField(_("reward for a class C member"), **MONEY)
    reward_other = models.DecimalField(_("reward for a member without a class"), **MONEY)
    quota_bonus = models.DecimalField(_("bonus on reaching the target"), **MONEY)

    pool_size = models.PositiveIntegerField(_("members in the pool"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("revival campaign")
        verbose_name_plural = _("revival campaigns")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="revival_campaign_name_unique"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="revival_campaign_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["store", "state"])]
        permissions = [
            ("manage_revival", _("Can run revival campaigns, review cases and approve rewards")),
            ("work_revival", _("Can work revival cases")),
        ]

    def __str__(self):
        return self.name

    def reward_for(self, value_class):
        return {
            "A": self.reward_a,
            "B": self.reward_b,
            "C": self.reward_c,
        }.get(value_class, self.reward_other)

    @transition(field=state, source=State.DRAFT, target=State.OPEN, permission=_is_store_manager)
    def open(self):
        self.opened_at = timezone.now()

    @transition(field=state, source=State.OPEN, target=State.CLOSED, permission=_is_store_manager)
    def close(self):
        self.closed_at = timezone.now()

    @transition(field=state, source=State.CLOSED, target=State.SETTLED, permission=_is_store_manager)
    def settle(self):
        self.settled_at = timezone.now()


class RevivalQuota(models.Model):
    """One person's part of a campaign: their weight, their members and their revival target."""

    campaign = models.ForeignKey(
        RevivalCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="quotas"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="revival_quotas",
    )
    # 1 for a full-timer; 0.5 for someone on half the hours. Shares follow the weights.
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))],
    )
    share = models.PositiveIntegerField(_("members"), default=0)
    target = models.PositiveIntegerField(_("revivals to reach"), default=0)

    class Meta:
        verbose_name = _("revival quota")
        verbose_name_plural = _("revival quotas")
        ordering = ["campaign", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "staff"], name="one_quota_per_person_and_campaign"),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.staff} ({self.share})"


class RevivalCase(models.Model):
    """One dormant member in a campaign, with the staff member who is to win them back."""

    class State(models.TextChoices):
        OPEN = "open", _("Not contacted yet")
        CONTACTED = "contacted", _("Contacted")
        REVIVED = "revived", _("Revived")
        LOST = "lost", _("Lost for good")
        CLOSED = "closed", pgettext_lazy("revival case state", "Closed")

    ACTIVE_STATES = (State.OPEN, State.CONTACTED)

    # Opening a campaign writes a case per dormant member (200,000 in one statement at scale), and
    # PostgreSQL checks each foreign key row by row (docs/benchmarks.md, "Revival: opening a
    # campaign"). The store, the campaign and the staff member come from the opening statement
    # itself, under the campaign's and the staff's locks, and are only ever removed through the ORM
    # (which cascades or protects as declared here): the database checks the member's key alone.
    # The indexes below start with the campaign and the member: no key needs an index of its own.
    store = models.ForeignKey(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="revival_cases",
        db_constraint=False,
        db_index=False,
    )
    campaign = models.ForeignKey(
        RevivalCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="cases",
        db_constraint=False,
        db_index=False,
    )
    member = models.ForeignKey(
        "concierge.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="revival_cases",
        db_index=False,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="revival_cases",
        db_constraint=False,
        db_index=False,
    )
    state = FSMField(_("state"), choices=State.choices, default=State.OPEN, protected=True)
    # As the member stood when the campaign opened: the class the reward follows, and since when quiet.
    value_class = models.CharField(_("value class"), max_length=1, blank=True)
    dormant_since = models.DateField(_("quiet since"), null=True, blank=True)
    # Kept by their own VIP manager rather than spread.
    own_manager = models.BooleanField(_("their own VIP manager"), default=False)
    guidance = models.TextField(_("the store manager's guidance"), blank=True)
    attempts_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # What its attempts told, kept up by each one recorded (record_attempt below): whether anyone
    # reached the member, and the latest reason they gave. The dashboard's figures read these off
    # the campaign's cases instead of going through every attempt on each live refresh.
    reached = models.BooleanField(_("reached"), default=False)
    last_reason = models.CharField(
        _("why they stopped coming"), max_length=20, choices=CareTask.DormantReason.choices, blank=True
    )
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    closed_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("revival case")
        verbose_name_plural = _("revival cases")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_revival_case_per_member"),
        ]
        indexes = [
            models.Index(fields=["campaign", "staff", "state"]),
            models.Index(fields=["member", "state"]),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.member}"

    @transition(
        field=state, source=[State.OPEN, State.CONTACTED], target=State.CONTACTED, permission=_works_case
    )
    def record_attempt(self, attempt):
        self.attempts_count += 1
        self.last_attempt_at = attempt.at
        self.next_step_on = attempt.next_step_on
        if attempt.reached:
            self.reached = True
            if attempt.reason:
                self.last_reason = attempt.reason

    # Only a reached attempt earns a credit: a case is revived from "contacted", never from "open".
    @transition(field=state, source=State.CONTACTED, target=State.REVIVED)
    def revive(self):
        self.closed_at = timezone.now()

    @transition(field=state, source=State.REVIVED, target=State.CONTACTED)
    def claw_back(self):
        self.closed_at = None

    @transition(
        field=state, source=[State.OPEN, State.CONTACTED], target=State.LOST, permission=_is_store_manager
    )
    def mark_lost(self, reason):
        self.closed_reason = reason
        self.closed_at = timezone.now()

    @transition(field=state, source=[State.OPEN, State.CONTACTED], target=State.CLOSED)
    def close(self, reason=""):
        self.closed_reason = reason
        self.closed_at = timezone.now()


class RevivalAttempt(models.Model):
    """One try at winning a member back: how, whether they were reached, why they stopped coming,
    what was offered and what comes next."""

    class Remedy(models.TextChoices):
        USE_REMAINING = "use_remaining", _("Remaining services or products to use")
        TAXI = "taxi", _("Taxi paid")
        HOME_VISIT = "home_visit", _("Home visit")
        FREE_TRIAL = "free_trial", _("Free trial")
        CHANGE_STAFF = "change_staff", _("A change of staff")
        GIFT = "gift", _("A gift")
        NONE = "none", _("Nothing yet")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="revival_attempts"
    )
    case = models.ForeignKey(
        RevivalCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attempts"
    )
    # The case's campaign, which never changes: the campaign's attempts without going through its
    # cases (the dashboard's "what works"). Indexed below, with the remedy and the case.
    campaign = models.ForeignKey(
        RevivalCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="attempts",
        db_index=False,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="revival_attempts",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=ContactLog.Channel.choices)
    reached = models.BooleanField(_("reached"))
    reason = models.CharField(
        _("why they stopped coming"), max_length=20, choices=CareTask.DormantReason.choices, blank=True
    )
    remedy = models.CharField(_("remedy offered"), max_length=20, choices=Remedy.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    # What the member said (or made plain) on the call: once recorded, every later look at the
    # case warns "never hard-sell" (DOMAIN.md).
    over_sold = models.BooleanField(_("felt pushed to buy before"), default=False)
    appointment = models.ForeignKey(
        "concierge.Appointment",
        verbose_name=_("visit booked"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revival_attempts",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("revival attempt")
        verbose_name_plural = _("revival attempts")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["store", "at"]),
            models.Index(fields=["campaign", "remedy", "case"]),
        ]

    def __str__(self):
        return f"{self.case}: {self.at:%Y-%m-%d}"


class RevivalCredit(models.Model):
    """A revival credited from a purchase: to the person whose reached attempt came last before it.

    Provisional while a return may still take it back (one dated up to returns_until, recorded up
    to the safety net's lag later: tasks/revival/credit.py FINAL_AFTER), then final for good.
    """

    class State(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        FINAL = "final", _("Final")
        CLAWED_BACK = "clawed_back", _("Taken back")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="revival_credits"
    )
    campaign = models.ForeignKey(
        RevivalCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="credits"
    )
    case = models.ForeignKey(
        RevivalCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="credits"
    )
    member = models.ForeignKey(
        "concierge.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="revival_credits"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credited to"),
        on_delete=models.PROTECT,
        related_name="revival_credits",
    )
    # RESTRICT, not PROTECT, inside the revival records: a whole campaign (its cases, attempts,
    # credits and ledger) can be removed in one go, never one of them alone.
    attempt = models.ForeignKey(
        RevivalAttempt,
        verbose_name=_("attempt that counted"),
        on_delete=models.RESTRICT,
        related_name="credits",
    )
    purchase = models.ForeignKey(
        "concierge.Purchase",
        verbose_name=_("purchase"),
        on_delete=models.PROTECT,
        related_name="revival_credits",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    state = FSMField(_("state"), choices=State.choices, default=State.PROVISIONAL, protected=True)
    credited_at = models.DateTimeField(_("credited"), default=timezone.now)
    # Returns up to this moment can take it back; after it the credit is final.
    returns_until = models.DateTimeField(_("returns count until"))
    clawed_back_at = models.DateTimeField(_("taken back"), null=True, blank=True)
    claw_back_reason = models.CharField(_("why taken back"), max_length=200, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("revival credit")
        verbose_name_plural = _("revival credits")
        ordering = ["-credited_at", "-id"]
        constraints = [
            # However many purchases arrive at once: one standing credit per member and campaign.
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=~Q(state="clawed_back"),
                name="one_revival_credit_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "staff", "state"]),
            models.Index(
                fields=["returns_until"], condition=Q(state="provisional"), name="revival_credit_provisional"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.amount}"

    @transition(field=state, source=State.PROVISIONAL, target=State.FINAL)
    def make_final(self):
        pass

    @transition(field=state, source=State.PROVISIONAL, target=State.CLAWED_BACK)
    def claw_back(self, reason):
        self.clawed_back_at = timezone.now()
        self.claw_back_reason = reason


class IncentiveEntry(models.Model):
    """One line of the incentive ledger. Amounts are never edited: a correction or a claw-back of a
    paid reward is an entry of its own; a reward not yet paid is reversed instead."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("Revival reward")
        BONUS = "bonus", _("Target bonus")
        CLAW_BACK = "claw_back", _("Taken back")
        CORRECTION = "correction", _("Correction")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REVERSED = "reversed", _("Reversed")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="incentive_entries"
    )
    campaign = models.ForeignKey(
        RevivalCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="ledger"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="incentive_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    state = FSMField(_("state"), choices=State.choices, default=State.PENDING, protected=True)
    credit = models.ForeignKey(
        RevivalCredit,
        verbose_name=_("revival"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="ledger",
    )
    # The entry a claw-back or correction answers.
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incentive entry")
        verbose_name_plural = _("incentive entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One target bonus per person and campaign that stands (a reversed one may be earned again).
            models.UniqueConstraint(
                fields=["campaign", "staff"],
                condition=Q(kind="bonus") & ~Q(state="reversed"),
                name="one_standing_bonus_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "state"]),
            models.Index(fields=["staff", "paid_at"]),
        ]

    def __str__(self):
        return f"{self.staff}: {self.get_kind_display()} {self.amount}"

    @transition(field=state, source=State.PENDING, target=State.APPROVED, permission=_is_store_manager)
    def approve(self, actor):
        self.approved_at = timezone.now()
        self.approved_by = actor

    @transition(field=state, source=State.APPROVED, target=State.PAID, permission=_is_store_manager)
    def pay(self, when=None):
        self.paid_at = when or timezone.now()

    @transition(field=state, source=[State.PENDING, State.APPROVED], target=State.REVERSED)
    def reverse(self):
        self.reversed_at = timezone.now()


__all__ = [
    "CAMPAIGN_TERMS",
    "IncentiveEntry",
    "RevivalAttempt",
    "RevivalCampaign",
    "RevivalCase",
    "RevivalCredit",
    "RevivalQuota",
    "RevivalSettings",
]
