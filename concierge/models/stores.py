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

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]
        permissions = [("manage_store_setup", _("Can set up the store: staff accounts and the tier program"))]

    def __str__(self):
        return self.name


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
    def roles(self):
        return [role for role in Role if role.value in self.role_codes]
