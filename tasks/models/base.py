from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.models.members import StoreScopedQuerySet


class StoreSetting(models.Model):
    """What a store manager sets up for their store (holidays, wording, word lists): who changed it
    last and when, as the setup pages show it. Each model names its own `store` key."""

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
