from .calendar import Holiday
from .care import CareTask
from .messages import EtiquetteWords, MessageTemplate
from .revival import (
    IncentiveEntry,
    RevivalAttempt,
    RevivalCampaign,
    RevivalCase,
    RevivalCredit,
    RevivalQuota,
    RevivalSettings,
)

__all__ = [
    "CareTask",
    "EtiquetteWords",
    "Holiday",
    "IncentiveEntry",
    "MessageTemplate",
    "RevivalAttempt",
    "RevivalCampaign",
    "RevivalCase",
    "RevivalCredit",
    "RevivalQuota",
    "RevivalSettings",
]
