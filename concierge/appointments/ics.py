"""The visit as a calendar file (RFC 5545) for the member's phone: written by hand, it is one event.

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character: a name in Chinese
is three octets a character); text values escape backslash, semicolon, comma and line breaks.
Times are in UTC, so no time zone block is needed. The UID is the same for every download of a
visit, so a calendar updates the event when the member opens a newer file instead of adding one.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//VIP Concierge//Visits//EN"
FOLD_AT = 75


def escape(text):
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc(moment):
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line):
    """One content line folded into pieces of at most 75 octets, each continuation led by a space."""
    pieces, current, size, limit = [], [], 0, FOLD_AT
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, FOLD_AT - 1  # the leading space counts
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def uid(appointment, domain="vip-concierge"):
    return f"visit-{appointment.store_id}-{appointment.pk}@{domain}"


def visit_calendar(appointment, *, stamp=None, domain="vip-concierge"):
    """The .ics text of one visit, in the active language. `stamp` is DTSTAMP (now by default)."""
    store = appointment.store
    location = store.name if not appointment.room_id else f"{store.name}, {appointment.room.name}"
    summary = _("Your visit to %(store)s") % {"store": store.name}
    description = _("Your host: %(host)s") % {"host": appointment.host}
    purpose = appointment.get_purpose_display()
    if purpose:
        description += "\n" + _("Purpose: %(purpose)s") % {"purpose": purpose}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid(appointment, domain)}",
        f"DTSTAMP:{utc(stamp or timezone.now())}",
        f"DTSTART:{utc(appointment.starts_at)}",
        f"DTEND:{utc(appointment.ends_at)}",
        f"SEQUENCE:{appointment.reschedule_count}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(location)}",
        f"DESCRIPTION:{escape(description)}",
        "STATUS:CANCELLED" if appointment.state == appointment.State.CANCELLED else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def filename(appointment):
    local = timezone.localtime(appointment.starts_at)
    return f"visit-{appointment.pk}-{local:%Y%m%d-%H%M}.ics"
