"""The store manager's care set-up, changed through kernel actions: message templates, etiquette word
lists and the holiday calendar. Each locks the store's row first (the kernel's order: set-up is
store-level), checks that the actor may change this store's set-up, and writes an audit entry, so
the set-up pages can say who changed what and two managers saving at once write one row.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.errors import ActionRefused
from concierge.models import Staff
from concierge.workflow import action, audit, lock, lock_stores
from tasks.calendar import ensure_festivals
from tasks.models import EtiquetteWords, Holiday, MessageTemplate


def _check(actor, store, permission):
    lock_stores([store.pk])
    # Read the actor again under the store's lock: a role taken away a moment ago counts.
    actor = Staff.objects.filter(pk=actor.pk, is_active=True).first()
    if actor is None or not actor.has_perm(permission) or actor.store_id != store.pk:
        raise ActionRefused(_("You may not change this store's care set-up."))


def _stamped(actor):
    return {"updated_by": actor, "updated_at": timezone.now()}


@action
def save_message_template(store, *, actor, purpose, language, body):
    """The store's own wording for one purpose and language. AuditEntry "care_setup.template_saved"."""
    _check(actor, store, "tasks.change_messagetemplate")
    row, _created = MessageTemplate.objects.update_or_create(
        store=store, purpose=purpose, language=language, defaults={"body": body, **_stamped(actor)}
    )
    audit("care_setup.template_saved", row, actor, store=store, purpose=purpose, language=language, body=body)
    return row


@action
def reset_message_template(store, *, actor, purpose, language):
    """Back to the built-in wording. AuditEntry "care_setup.template_reset" (on the store)."""
    _check(actor, store, "tasks.delete_messagetemplate")
    removed, _rows = MessageTemplate.objects.filter(store=store, purpose=purpose, language=language).delete()
    if removed:
        audit("care_setup.template_reset", store, actor, store=store, purpose=purpose, language=language)
    return removed


@action
def save_word_list(store, *, actor, category, language, words):
    """The store's own list of words for one etiquette rule. AuditEntry "care_setup.words_saved"."""
    _check(actor, store, "tasks.change_etiquettewords")
    row, _created = EtiquetteWords.objects.update_or_create(
        store=store, category=category, language=language, defaults={"words": words, **_stamped(actor)}
    )
    audit(
        "care_setup.words_saved", row, actor, store=store, category=category, language=language, words=words
    )
    return row


@action
def reset_word_list(store, *, actor, category, language):
    """Back to the built-in list. AuditEntry "care_setup.words_reset" (on the store)."""
    _check(actor, store, "tasks.delete_etiquettewords")
    removed, _rows = EtiquetteWords.objects.filter(store=store, category=category, language=language).delete()
    if removed:
        audit("care_setup.words_reset", store, actor, store=store, category=category, language=language)
    return removed


@action
def add_holiday(store, *, actor, name, date):
    """One of the store's own dates, greetings on. AuditEntry "care_setup.holiday_added"."""
    _check(actor, store, "tasks.add_holiday")
    holiday = Holiday.objects.create(store=store, name=name, date=date, **_stamped(actor))
    audit("care_setup.holiday_added", holiday, actor, name=name, date=date.isoformat())
    return holiday


@action
def change_holiday(holiday, *, actor, **changes):
    """Rename, move, or switch greetings on a date (any of name, date, greet).

    AuditEntry "care_setup.holiday_changed" with the fields that changed, before and after.
    """
    _check(actor, holiday.store, "tasks.change_holiday")
    holiday = lock(holiday)
    changed = {}
    for name, value in changes.items():
        before = getattr(holiday, name)
        if before != value:
            changed[name] = [str(before), str(value)]
            setattr(holiday, name, value)
    if changed:
        for name, value in _stamped(actor).items():
            setattr(holiday, name, value)
        holiday.save()
        audit("care_setup.holiday_changed", holiday, actor, changed=changed)
    return holiday


@action
def delete_holiday(holiday, *, actor):
    """Take one of the store's own dates off the calendar; a festival comes back every year, so it
    is refused (switch its greetings off instead). AuditEntry "care_setup.holiday_deleted"."""
    _check(actor, holiday.store, "tasks.delete_holiday")
    holiday = lock(holiday)
    if holiday.is_festival:
        raise ActionRefused(
            _("%(holiday)s is a festival and comes back every year: switch its greetings off instead.")
            % {"holiday": holiday.name}
        )
    audit("care_setup.holiday_deleted", holiday, actor, name=holiday.name, date=holiday.date.isoformat())
    holiday.delete()
    return holiday


@action
def fill_festivals(store, *, actor, years):
    """Fill in the festivals of `years` now (tick does it every day; a new store need not wait).

    AuditEntry "care_setup.festivals_filled" when any were new. Returns how many were added.
    """
    _check(actor, store, "tasks.add_holiday")
    added = ensure_festivals(store, years)
    if added:
        audit("care_setup.festivals_filled", store, actor, store=store, years=list(years), added=added)
    return added
