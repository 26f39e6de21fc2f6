from .assignments import Alert, Assignment
from .audit import AuditEntry
from .hours import OpeningHours, SpecialDay, StaffAbsence, Weekday
from .jobs import JobRun
from .members import ContactLog, Member, Purchase, Tag
from .stores import Staff, Store
from .tiers import Tier, TierProgram

__all__ = [
    "Alert",
    "Assignment",
    "AuditEntry",
    "ContactLog",
    "JobRun",
    "Member",
    "OpeningHours",
    "Purchase",
    "SpecialDay",
    "Staff",
    "StaffAbsence",
    "Store",
    "Tag",
    "Tier",
    "TierProgram",
    "Weekday",
]
