"""When a store is open and when its staff are off: what the complaint SLA clock counts in and
what appointment booking checks against."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.models.members import StoreScopedQuerySet


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def check_period(opens, closes):
    """A close of 00:00 is midnight, the end of the day; otherwise the close comes after the opening."""
    if opens is None or closes is None:
        return
    if closes != dt.time(0, 0) and closes <= opens:
        raise ValidationError(
            _("The closing time must come after the opening time (00:00 closes at midnight).")
        )


class OpeningHours(models.Model):
    """One open period of a weekday; a day with a break has two. A weekday without any is closed."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight."))

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["store", "weekday", "opens"], name="one_opening_per_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        check_period(self.opens, self.closes)


class SpecialDay(models.Model):
    """A date the store is closed (a public holiday) or keeps other hours (Spring Festival eve)."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="special_days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True, help_text=_("00:00 means midnight."))

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed date or special hours")
        verbose_name_plural = _("closed dates and special hours")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["store", "date"], name="one_special_day_per_date"),
            models.CheckConstraint(
                condition=Q(closed=True) | Q(opens__isnull=False, closes__isnull=False),
                name="special_day_open_has_hours",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()

    def clean(self):
        if not self.closed:
            if self.opens is None or self.closes is None:
                raise ValidationError(_("Give the opening and closing times, or tick “closed all day”."))
            check_period(self.opens, self.closes)


class StaffAbsence(models.Model):
    """Days a member of staff is off (leave, training, sick): they get no new work on those days."""

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="absences"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    first_day = models.DateField(_("first day off"))
    last_day = models.DateField(_("last day off"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="absence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["staff", "last_day"])]

    def __str__(self):
        return f"{self.staff}: {self.first_day:%Y-%m-%d} - {self.last_day:%Y-%m-%d}"

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day off cannot be before the first.")})
