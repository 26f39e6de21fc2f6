"""Display helpers shared by the staff pages: money, phone numbers, shares, "N days ago"."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

MINUS = "\u2212"


@register.filter
def money(value):
    """¥12,345 for whole yuan, ¥12,345.50 with cents; returns read as -¥1,200 (with a true minus sign)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = MINUS if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}¥{text}"


@register.filter
def phone(value):
    """Mainland mobile numbers in the 3-4-4 groups people read them in: 138 1234 5678.

    Masked numbers stay as 138****5678, the form staff know from receipts and SMS.
    """
    text = str(value or "").strip()
    compact = text.replace(" ", "").replace("-", "")
    if len(compact) == 11 and compact.isdigit():
        return f"{compact[:3]} {compact[3:7]} {compact[7:]}"
    return text


@register.filter
def dial(value):
    """The digits for a tel: link."""
    return "".join(ch for ch in str(value or "") if ch.isdigit() or ch == "+")


@register.filter
def phone_for(member, user):
    """The member's number as this user may see it (masked for roles that do not call members)."""
    return member.phone_for(user)


@register.filter
def pct(value):
    """A share in percent (0-100) for people: 62%, <1% for small non-zero shares."""
    if value is None:
        return "—"
    value = float(value)
    if 0 < value < 0.5:
        return "<1%"
    return f"{round(value):d}%"


@register.filter
def css_pct(value):
    """A share as a CSS length: never localised, never below zero, never above 100."""
    value = min(max(float(value or 0), 0.0), 100.0)
    return f"{value:.2f}%"


def _local_date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def days_since(value):
    if not value:
        return None
    return (timezone.localdate() - _local_date(value)).days


@register.filter
def ago(value):
    """today / yesterday / 12 days ago, counted in the store's calendar days."""
    days = days_since(value)
    if days is None:
        return ""
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}


# Past this many characters or lines a note may need clamping, with "show more"; the page's script
# hides the toggle where the text fits in its lines after all.
CLAMP_CHARS = 90
CLAMP_LINES = 4


@register.filter
def may_run_long(text):
    """Whether a note may take more than a few lines on a portrait tablet."""
    text = str(text or "")
    return len(text) > CLAMP_CHARS or text.count("\n") >= CLAMP_LINES


# As many header links as fit in one row beside the brand, the bell and the user menu on an 820 px
# portrait tablet, in Chinese and in English; past that, the rest go under "More".
NAV_INLINE = 5


@register.simple_tag
def nav_layout(items, active):
    """The header's links split into the row and the "More" menu.

    With more links than fit, the row keeps the first everyday links in their order and "More" takes
    the rest (the rarely used ones are first in line for it). The page the user is on always shows:
    in the row, or as the label of "More" itself (`current`).
    """
    items = list(items or [])
    if len(items) <= NAV_INLINE:
        return {"inline": items, "more": [], "current": None}
    everyday = [item for item in items if not item.rarely_used]
    inline_keys = {item.key for item in everyday[: NAV_INLINE - 1]}
    more = [item for item in items if item.key not in inline_keys]
    return {
        "inline": [item for item in items if item.key in inline_keys],
        "more": more,
        "current": next((item for item in more if item.key == active), None),
    }


@register.simple_tag(takes_context=True)
def setup_pages(context):
    """The pages of the store's Settings this user may open: the core's, then each app's."""
    from concierge.views.store_setup import setup_nav_items

    request = context.get("request")
    return setup_nav_items(request.user) if request is not None else []
