from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TierProgram(models.Model):
    """A retailer's card program (ME / WE / SVIP, 至尊卡, ...), shared by the stores that run it."""

    name = models.CharField(_("name"), max_length=100)
    period_start_month = models.PositiveSmallIntegerField(
        _("period starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    period_start_day = models.PositiveSmallIntegerField(
        _("period starts on day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day 1-28, so that every year has it."),
    )
    points_per_yuan = models.DecimalField(
        _("points per yuan"), max_digits=8, decimal_places=4, default=Decimal("1")
    )

    class Meta:
        verbose_name = _("tier program")
        verbose_name_plural = _("tier programs")

    def __str__(self):
        return self.name


class Tier(models.Model):
    """One level of a program. A member qualifies when any one of the thresholds is met."""

    program = models.ForeignKey(
        TierProgram, verbose_name=_("program"), on_delete=models.CASCADE, related_name="tiers"
    )
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("Higher is better: 1 for the entry tier, 2 for the next, ...")
    )
    min_day_points = models.PositiveIntegerField(_("points in a single day"), null=True, blank=True)
    min_month_points = models.PositiveIntegerField(_("points in a calendar month"), null=True, blank=True)
    min_period_points = models.PositiveIntegerField(_("points in the program period"), null=True, blank=True)
    renewal_points = models.PositiveIntegerField(
        _("points to renew"),
        null=True,
        blank=True,
        help_text=_("Points in the period needed to keep the tier for the next period."),
    )
    dedicated_manager = models.BooleanField(_("dedicated VIP manager"), default=False)
    closed_store_events = models.BooleanField(_("closed-store events"), default=False)
    salons = models.BooleanField(_("member salons"), default=False)
    lounge = models.BooleanField(_("VIP lounge"), default=False)
    birthday_gift = models.BooleanField(_("birthday gift"), default=False)
    other_benefits = models.CharField(_("other benefits"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["program", "rank"], name="tier_rank_unique_per_program"),
            models.CheckConstraint(
                condition=Q(min_day_points__isnull=False)
                | Q(min_month_points__isnull=False)
                | Q(min_period_points__isnull=False),
                name="tier_has_a_threshold",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.min_day_points is None and self.min_month_points is None and self.min_period_points is None:
            raise ValidationError(_("Give at least one way to qualify: a day, a month or the period."))

    @property
    def benefit_labels(self):
        flags = ("dedicated_manager", "closed_store_events", "salons", "lounge", "birthday_gift")
        labels = [self._meta.get_field(flag).verbose_name for flag in flags if getattr(self, flag)]
        if self.other_benefits:
            labels.append(self.other_benefits)
        return labels
