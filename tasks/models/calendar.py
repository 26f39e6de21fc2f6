from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import StoreSetting


class Holiday(StoreSetting):
    """A date on which members with a close relationship to the store get a greeting.

    The Chinese festivals are filled in for each year from the lunar calendar (`source` names the
    festival, so filling in again never duplicates a row or undoes a store's change); the store
    adds its own dates (anniversary of the store, member day) by hand.
    """

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="holidays"
    )
    name = models.CharField(_("name"), max_length=50)
    date = models.DateField(_("date"))
    greet = models.BooleanField(
        _("send greetings"), default=True, help_text=_("Off: no greeting tasks are made for this date.")
    )
    # "spring_festival:2027" for a pre-filled festival, blank for the store's own dates.
    source = models.CharField(_("source"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "source"], condition=~models.Q(source=""), name="one_prefilled_holiday"
            ),
        ]
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self):
        return f"{self.name} {self.date:%Y-%m-%d}"

    @property
    def is_festival(self):
        return bool(self.source)

    @property
    def display_name(self):
        """A festival still under the name it was filled in with reads in the reader's language;
        a name the store typed stays as typed."""
        from django.conf import settings
        from django.utils import translation

        from tasks.calendar import FESTIVALS

        names = {key: name for key, _month, _day, name in FESTIVALS}
        name = names.get(self.source.partition(":")[0])
        if name is None:
            return self.name
        as_filled = set()
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                as_filled.add(str(name))
        return str(name) if self.name in as_filled else self.name
