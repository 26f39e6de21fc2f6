"""The tills' keys to the purchase API: one token per till, made and revoked by the store manager."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.models.members import StoreScopedQuerySet

PREFIX_LENGTH = 8


class ApiToken(models.Model):
    """A till's token. Only its first characters and its SHA-256 are kept: the text is shown once.

    A token is 32 random bytes, so a fast hash is as safe as a slow one and keeps each request cheap.
    """

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("Which till uses it, e.g. “Till 1”."))
    prefix = models.CharField(_("starts with"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("till token")
        verbose_name_plural = _("till tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
