"""A visit once the member is in: service, farewell, follow-up; no-shows and undoing them;
purchases during the visit. Kernel actions (concierge.workflow)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.appointments.live import board_changed
from concierge.workflow import action, audit, lock, transition


@action
def follow_up_appointment(appointment, *, actor, note=""):
    """The thank-you call or note after the visit is done.

    Side effects: the visit followed up; AuditEntry "appointment.followed_up"; the boards reload.
    """
    appointment = lock(appointment, related=("member", "store"))
    before = transition(
        appointment,
        "follow_up",
        actor,
        timezone.now(),
        denied=_("Only the visit's host or the store manager can record the follow-up."),
    )
    audit("appointment.followed_up", appointment, actor, before=before, note=note)
    board_changed(appointment.store_id)
    return appointment
