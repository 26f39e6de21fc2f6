"""A member of staff's own settings: the language their pages, alerts and pushes are in."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from concierge.actions import ActionRefused
from concierge.models import AuditEntry, Staff


def set_language(staff, *, actor, language):
    """Set `staff`'s language ("" for the store's). Only the person themselves sets it.

    Side effects: Staff.language; an AuditEntry "staff.language_changed" when it changes (setting
    the language already set writes nothing). Returns the staff member.
    """
    if language and language not in dict(settings.LANGUAGES):
        raise ActionRefused(_("Choose one of the languages offered."))
    if actor.pk != staff.pk:
        raise ActionRefused(_("Only you can change your own language."))
    with transaction.atomic():
        staff = Staff.objects.select_for_update().get(pk=staff.pk)
        before = staff.language
        if before == language:
            return staff
        staff.language = language
        staff.save(update_fields=["language"])
        AuditEntry.record("staff.language_changed", staff, actor=actor, data={"from": before, "to": language})
    return staff
