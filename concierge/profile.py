"""A member of staff's own settings: the language their pages, alerts and pushes are in."""

from django.conf import settings
from django.utils.translation import gettext as _

from concierge.errors import ActionRefused
from concierge.workflow import action, audit, lock_staff


@action
def set_language(staff, *, actor, language):
    """Set `staff`'s language ("" for the store's). Only the person themselves sets it.

    Side effects: Staff.language; an AuditEntry "staff.language_changed" when it changes (setting
    the language already set writes nothing). Returns the staff member.
    """
    if language and language not in dict(settings.LANGUAGES):
        raise ActionRefused(_("Choose one of the languages offered."))
    if actor.pk != staff.pk:
        raise ActionRefused(_("Only you can change your own language."))
    staff = lock_staff([staff.pk])[staff.pk]
    before = staff.language
    if before == language:
        return staff
    staff.language = language
    staff.save(update_fields=["language"])
    audit("staff.language_changed", staff, actor, **{"from": before, "to": language})
    return staff
