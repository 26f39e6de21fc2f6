"""The complaint's SLA clock on its fields: deadlines, the warning point and the escalation steps,
all in the store's business minutes (complaints.sla). Called by actions on a locked complaint."""

from complaints.models import Complaint, ComplaintSettings, SlaPolicy
from complaints.models.setup import DEFAULT_SLA
from complaints.sla import add_business_minutes, business_minutes_between
from concierge.opening import business_calendar

Target = Complaint.Target


class Clock:
    def __init__(self, store_id):
        self.calendar = business_calendar(store_id)
        self.settings = ComplaintSettings.for_store(store_id)
        self.policies = {
            policy.severity: (policy.first_contact_minutes, policy.resolution_minutes)
            for policy in SlaPolicy.objects.filter(store_id=store_id)
        }

    def add(self, start, minutes):
        return add_business_minutes(start, minutes, self.calendar.opening_hours, self.calendar.closed_dates)

    def between(self, start, end):
        if end <= start:
            return 0
        return int(
            business_minutes_between(start, end, self.calendar.opening_hours, self.calendar.closed_dates)
        )

    def minutes(self, severity):
        return self.policies.get(severity) or DEFAULT_SLA[severity]

    def start(self, complaint, now):
        """Both deadlines from now (recording, or reopening); the first contact's clock runs."""
        contact, resolution = self.minutes(complaint.severity)
        complaint.clock_started_at = now
        complaint.paused_at = None
        complaint.paused_minutes = 0
        complaint.contact_due_at = self.add(now, contact)
        complaint.resolve_due_at = self.add(now, resolution)
        self._watch(complaint, Target.CONTACT, now, contact)

    def contacted(self, complaint, now):
        """First contact made: its minutes are kept, and the resolution's clock is watched."""
        complaint.contact_minutes = self.between(complaint.clock_started_at, now)
        _contact, resolution = self.minutes(complaint.severity)
        self._watch(complaint, Target.RESOLUTION, now, resolution)

    def stop(self, complaint, now):
        complaint.paused_at = now

    def restart(self, complaint, now):
        """After waiting on the customer: every point still ahead moves on by the business minutes waited."""
        paused = complaint.paused_at
        if paused is None:
            return
        complaint.paused_minutes += self.between(paused, now)
        for field in ("resolve_due_at", "warn_at", "next_escalation_at"):
            moment = getattr(complaint, field)
            if moment is not None and not (field == "warn_at" and complaint.warned_at):
                setattr(complaint, field, self.add(now, self.between(paused, moment)))
        complaint.paused_at = None

    def resolved(self, complaint, now):
        complaint.resolve_minutes = max(
            self.between(complaint.clock_started_at, now) - complaint.paused_minutes, 0
        )
        complaint.sla_target = Target.NONE
        complaint.warn_at = complaint.next_escalation_at = None

    def escalated(self, complaint, now):
        """One level up; the next one a step of business minutes later, none after the store manager."""
        complaint.escalation_level += 1
        if complaint.escalation_level >= 3:
            complaint.next_escalation_at = None
        else:
            complaint.next_escalation_at = self.add(
                max(complaint.next_escalation_at or now, complaint.due_at or now),
                self.settings.escalation_step_minutes,
            )

    def _watch(self, complaint, target, now, total):
        due = complaint.contact_due_at if target == Target.CONTACT else complaint.resolve_due_at
        remaining = self.between(now, due)
        # Warn when what is left falls to the warning share's complement of the whole.
        keep = total * (100 - self.settings.warning_percent) // 100
        complaint.sla_target = target
        complaint.warn_at = self.add(now, max(remaining - keep, 0)) if remaining > keep else now
        complaint.warned_at = None
        complaint.escalation_level = 0
        complaint.next_escalation_at = due
