from .complaint import Complaint
from .setup import (
    Category,
    CompensationBudget,
    ComplaintSettings,
    RoutingRule,
    Severity,
    SlaPolicy,
    Team,
    TeamMembership,
)

__all__ = [
    "Category",
    "CompensationBudget",
    "Complaint",
    "ComplaintSettings",
    "RoutingRule",
    "Severity",
    "SlaPolicy",
    "Team",
    "TeamMembership",
]
