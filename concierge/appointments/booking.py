"""Booking a visit: book, reschedule, confirm, cancel. Kernel actions (concierge.workflow)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.appointments.live import board_changed
from concierge.workflow import action, audit, lock, transition


@action
def confirm_appointment(appointment, *, actor, note=""):
    """The member confirmed the visit (the host's confirmation message answered, or a call).

    Side effects: the visit confirmed; AuditEntry "appointment.confirmed"; the store's boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    before = transition(
        appointment,
        "confirm",
        actor,
        timezone.now(),
        denied=_("Only the store's reception staff can confirm visits."),
    )
    audit("appointment.confirmed", appointment, actor, before=before, note=note)
    board_changed(appointment.store_id)
    return appointment
