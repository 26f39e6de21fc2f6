"""Display helpers for the complaint figures: business time and deadlines as people read them."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from concierge.templatetags.concierge_tags import money as yuan

register = template.Library()


@register.filter
def business_time(minutes):
    """Business minutes as "45 min", "3.5 h" or "26 h" (hours of opening time, not of the clock)."""
    if minutes is None or minutes == "":
        return "—"
    minutes = float(minutes)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": round(minutes)}
    hours = minutes / 60
    if hours < 10:
        return _("%(hours)s h") % {"hours": formats.number_format(round(hours, 1), 1)}
    return _("%(hours)s h") % {"hours": f"{round(hours):,d}"}


@register.filter
def due_moment(moment):
    """A deadline near now: "today 14:30", "tomorrow 10:00", "yesterday 18:00", else "11-28 14:00"."""
    if not moment:
        return "—"
    local = timezone.localtime(moment)
    days = (local.date() - timezone.localdate()).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return _("today %(time)s") % {"time": clock}
    if days == 1:
        return _("tomorrow %(time)s") % {"time": clock}
    if days == -1:
        return _("yesterday %(time)s") % {"time": clock}
    return local.strftime("%m-%d %H:%M")


@register.filter
def score(value):
    """An average satisfaction score to one decimal: 4.3."""
    if value is None:
        return "—"
    return formats.number_format(value, 1)


@register.filter
def week_or_month(day, weekly):
    """A chart row's label: the week's first day (11-24) or the month (2026-11)."""
    if not isinstance(day, dt.date):
        return day
    return day.strftime("%m-%d") if weekly else day.strftime("%Y-%m")


@register.filter
def parts_text(row, money=False):
    """A chart row read out: "Dior 12, Chanel 3" (its bars' label for screen readers)."""
    parts = [
        f"{part['series']['label']} {yuan(part['value']) if money else part['value']}"
        for part in row["parts"]
    ]
    return ", ".join(parts) or "0"
