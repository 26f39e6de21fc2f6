from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import StoreSetting


class Purpose(models.TextChoices):
    """What a drafted message is for; the etiquette rules differ by purpose."""

    BIRTHDAY = "birthday", _("Birthday greeting")
    ANNIVERSARY = "anniversary", _("Anniversary greeting")
    HOLIDAY = "holiday", _("Holiday greeting")
    SEASON = "season", _("Season-change message")
    MISS_YOU = "miss_you", _("“Long time no see” message")
    VISIT_CONFIRMATION = "visit_confirm", _("Visit confirmation")
    THANK_YOU = "thank_you", _("Thank-you after a visit")


class MessageTemplate(StoreSetting):
    """A store's own wording for one purpose and language; without one the built-in wording is used.

    Placeholders: {member}, {store}, {staff}, {occasion}, {time} (a visit's day and time).
    """

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="message_templates"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(_("message"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["purpose", "language"]
        constraints = [
            models.UniqueConstraint(fields=["store", "purpose", "language"], name="one_template_per_purpose"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.language})"


class EtiquetteWords(StoreSetting):
    """A store's own word list for one etiquette rule and language; without one the built-in list is used."""

    class Category(models.TextChoices):
        PROMOTION = "promotion", _("Promotion words (not in holiday or birthday greetings)")
        NEW_PRODUCTS = "new_products", _("New-product words (not in season-change messages)")
        WHAT_HAPPENED = (
            "what_happened",
            _("Questions about what happened (not in “long time no see” messages)"),
        )

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="etiquette_words"
    )
    category = models.CharField(_("rule"), max_length=20, choices=Category.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    words = models.TextField(_("words and phrases"), help_text=_("One per line."))

    class Meta:
        verbose_name = _("etiquette word list")
        verbose_name_plural = _("etiquette word lists")
        ordering = ["category", "language"]
        constraints = [
            models.UniqueConstraint(fields=["store", "category", "language"], name="one_word_list_per_rule"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} ({self.language})"

    @property
    def word_list(self):
        return [line.strip() for line in self.words.splitlines() if line.strip()]
