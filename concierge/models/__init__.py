from .audit import AuditEntry
from .members import ContactLog, Member, Purchase, Tag
from .stores import Staff, Store
from .tiers import Tier, TierProgram

__all__ = [
    "AuditEntry",
    "ContactLog",
    "Member",
    "Purchase",
    "Staff",
    "Store",
    "Tag",
    "Tier",
    "TierProgram",
]
