from .api import ApiToken
from .appointments import (
    Appointment,
    Department,
    DepartmentContact,
    PreparationItem,
    ReceptionSettings,
    Room,
    StaffBlock,
    StaffHours,
)
from .assignments import Alert, Assignment
from .audit import AuditEntry
from .hours import OpeningHours, SpecialDay, StaffAbsence, Weekday
from .jobs import JobRun
from .members import ContactLog, Member, Purchase, Tag
from .stores import Staff, Store
from .tiers import Tier, TierProgram

__all__ = [
    "Alert",
    "ApiToken",
    "Appointment",
    "Assignment",
    "AuditEntry",
    "ContactLog",
    "Department",
    "DepartmentContact",
    "JobRun",
    "Member",
    "OpeningHours",
    "PreparationItem",
    "Purchase",
    "ReceptionSettings",
    "Room",
    "SpecialDay",
    "Staff",
    "StaffAbsence",
    "StaffBlock",
    "StaffHours",
    "Store",
    "Tag",
    "Tier",
    "TierProgram",
    "Weekday",
]
