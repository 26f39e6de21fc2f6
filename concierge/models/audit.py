from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge import rawsql


class AuditEntry(models.Model):
    """One recorded state change. Written by actions in the same transaction as the change."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.CASCADE, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=64, help_text=_("Dotted code, e.g. complaint.routed"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @classmethod
    def record(cls, action, obj=None, *, actor=None, store=None, from_state="", to_state="", data=None):
        """Write one entry; call it inside the action's transaction."""
        entry = cls(
            action=action,
            actor=actor if actor is not None and actor.is_authenticated else None,
            store=store or getattr(obj, "store", None),
            from_state=from_state or "",
            to_state=to_state or "",
            data=data or {},
        )
        if obj is not None:
            entry.content_type = ContentType.objects.get_for_model(obj)
            entry.object_id = str(obj.pk)
            entry.object_repr = str(obj)[:200]
        # Written out (no save signals: nothing listens to audit entries): every action writes
        # one, a till's purchase too, and the ORM's INSERT cost more to build than to run.
        rawsql.insert(entry)
        return entry
