from .calendar import Holiday
from .care import CareTask
from .messages import EtiquetteWords, MessageTemplate

__all__ = ["CareTask", "EtiquetteWords", "Holiday", "MessageTemplate"]
