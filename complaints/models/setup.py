"""What a store sets up for its complaints: categories, teams and routing, SLA policies,
compensation budgets and a few numbers. Each reads sensible defaults until the store changes them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.models.members import StoreScopedQuerySet


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}

# (first contact, resolution) in business minutes, for a store that has not set its own.
DEFAULT_SLA = {
    Severity.CRITICAL: (30, 720),
    Severity.HIGH: (60, 1440),
    Severity.MEDIUM: (120, 2880),
    Severity.LOW: (240, 4320),
}

# The categories every store starts with; it renames, hides and adds its own.
BUILT_IN_CATEGORIES = (
    ("product_quality", _("Product quality")),
    ("service_attitude", _("Service attitude")),
    ("after_sales", _("After-sales")),
    ("price", _("Price")),
    ("environment", _("Store environment")),
    ("parking", _("Parking")),
    ("other", _("Other")),
)
CATEGORY_LABELS = dict(BUILT_IN_CATEGORIES)


class ChangeStamp(models.Model):
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Category(ChangeStamp):
    store = models.ForeignKey(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="complaint_categories",
    )
    # The built-in category this row started as ("product_quality"); blank for the store's own.
    code = models.CharField(_("code"), max_length=30, blank=True, editable=False)
    # Blank for a built-in category the store did not rename: shown in the reader's language.
    name = models.CharField(_("name"), max_length=50, blank=True)
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("Off: no longer offered for new complaints.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "code"], condition=~models.Q(code=""), name="one_built_in_category"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or str(CATEGORY_LABELS.get(self.code, self.code))


class Team(ChangeStamp):
    """The people a kind of complaint goes to (customer service, the cosmetics floor's office)."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="complaint_teams"
    )
    name = models.CharField(_("name"), max_length=50)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_complaint_teams",
        help_text=_("Alerted at the second escalation level."),
    )
    is_default = models.BooleanField(
        _("default team"), default=False, help_text=_("Gets the complaints no routing rule matches.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="complaint_teams", blank=True
    )

    class Meta:
        verbose_name = _("complaint team")
        verbose_name_plural = _("complaint teams")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=models.Q(is_default=True), name="one_default_team"
            ),
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "staff"], name="one_membership_per_team")]

    def __str__(self):
        return f"{self.team}: {self.staff}"


class RoutingRule(ChangeStamp):
    """Complaints of this category and/or about this counter go to this team. The most specific
    rule wins (category and counter, then category, then counter), then the lowest position."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="complaint_rules"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.CharField(_("brand or counter"), max_length=60, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__isnull=False) | ~models.Q(counter=""),
                name="rule_matches_something",
            ),
        ]

    def __str__(self):
        return f"{self.category or '*'} / {self.counter or '*'} -> {self.team}"


class SlaPolicy(ChangeStamp):
    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="complaint_slas"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    first_contact_minutes = models.PositiveIntegerField(
        _("first contact within (business minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(500_000)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.UniqueConstraint(fields=["store", "severity"], name="one_sla_per_severity")]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.first_contact_minutes}/{self.resolution_minutes}"


class CompensationBudget(ChangeStamp):
    """The compensation a handler may give without the store manager's approval, per card tier."""

    store = models.ForeignKey(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="compensation_budgets",
    )
    tier = models.ForeignKey(
        "concierge.Tier",
        verbose_name=_("tier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: customers without a tier, and walk-in customers."),
    )
    amount = models.DecimalField(
        _("up to (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("compensation budget")
        verbose_name_plural = _("compensation budgets")
        constraints = [
            models.UniqueConstraint(fields=["store", "tier"], name="one_budget_per_tier"),
            models.UniqueConstraint(
                fields=["store"], condition=models.Q(tier__isnull=True), name="one_budget_untiered"
            ),
        ]

    def __str__(self):
        return f"{self.tier or '-'}: {self.amount}"


class ComplaintSettings(ChangeStamp):
    store = models.OneToOneField(
        "concierge.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        related_name="complaint_settings",
    )
    warning_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of the time used)"),
        default=75,
        validators=[MinValueValidator(10), MaxValueValidator(99)],
    )
    escalation_step_minutes = models.PositiveIntegerField(
        _("next escalation level after (business minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(10_000)],
        help_text=_(
            "After a breach the handler is alerted; this much later the team lead, then the store manager."
        ),
    )
    reopen_grace_days = models.PositiveSmallIntegerField(
        _("reopen the same case within (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "Later, a new case linked to the old one is opened; a resolved case without feedback closes then."
        ),
    )
    default_budget = models.DecimalField(
        _("compensation budget where no tier has one (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("300"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self):
        return str(self.store)

    @classmethod
    def for_store(cls, store_id):
        """The store's settings, or the defaults (unsaved) until it changes one."""
        return cls.objects.filter(store_id=store_id).first() or cls(store_id=store_id)
