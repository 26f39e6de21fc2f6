"""The stores' calendar: days are counted in local time (settings.TIME_ZONE)."""

import datetime as dt

from django.utils import timezone


def local_midnight(day):
    """The aware moment a local day begins: the lower bound of "on or after `day`"."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
