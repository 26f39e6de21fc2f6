from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from concierge.roles import Role


class Store(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    tier_program = models.ForeignKey(
        "concierge.TierProgram",
        verbose_name=_("tier program"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stores",
    )
    # Blank: the site's default (settings.LANGUAGE_CODE). What staff without a preference read.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]
        permissions = [("manage_store_setup", _("Can set up the store: staff accounts and the tier program"))]

    def __str__(self):
        return self.name

    @property
    def default_language(self):
        return self.language or settings.LANGUAGE_CODE


class Staff(AbstractUser):
    """A member of staff. Roles are the Django groups named after `Role` values."""

    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    caseload_limit = models.PositiveSmallIntegerField(
        _("caseload limit"),
        default=60,
        help_text=_("How many VIPs this VIP manager can look after at most."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the store's language."),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_codes(self):
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles):
        return any(str(role) in self.role_codes for role in roles)

    @property
    def preferred_language(self):
        """The language this person's pages, alerts and pushes are in: theirs, else the store's."""
        if self.language:
            return self.language
        if self.store_id:
            return self.store.default_language
        return settings.LANGUAGE_CODE

    @property
    def roles(self):
        return [role for role in Role if role.value in self.role_codes]
