"""The store overview: the VIP pyramid, tiers, lifecycle and top spenders of the user's store.

Every figure comes from the member fields refresh_members keeps (value_class, lifecycle,
spend_12m, tier), aggregated in a few queries whatever the size of the store.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concierge.models import AuditEntry, Member, Purchase, Tier

TOP_SPENDERS = 10
CLASSES = (Member.ValueClass.A, Member.ValueClass.B, Member.ValueClass.C)
LIFECYCLES = (
    Member.Lifecycle.NEW,
    Member.Lifecycle.REGULAR,
    Member.Lifecycle.DORMANT,
    Member.Lifecycle.LOST,
)


def share(part, whole):
    """Percent of whole, 0 when there is nothing to share."""
    if not whole:
        return 0.0
    return float(part or 0) * 100.0 / float(whole)


def twelve_months_before(moment):
    """The same local wall-clock moment twelve calendar months earlier (Feb 29 falls on Feb 28)."""
    moment = timezone.localtime(moment)
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def lifecycle_explanations():
    dormant_months = settings.LIFECYCLE_DORMANT_DAYS // 30
    lost_months = settings.LIFECYCLE_LOST_DAYS // 30
    new_months = settings.LIFECYCLE_NEW_DAYS // 30
    return {
        Member.Lifecycle.NEW: _("First purchase within %(months)d months") % {"months": new_months},
        Member.Lifecycle.REGULAR: _("Buys regularly"),
        Member.Lifecycle.DORMANT: _("%(months)d+ months without a purchase") % {"months": dormant_months},
        Member.Lifecycle.LOST: _("%(months)d+ months without a purchase: needs a call")
        % {"months": lost_months},
    }


def store_figures(user, now=None):
    """All the overview's figures for the user's store, in a fixed number of queries."""
    now = now or timezone.now()
    members = Member.objects.visible_to(user)
    aggregates = {
        "total": Count("pk"),
        "active": Count("pk", filter=Q(last_purchase_at__gte=twelve_months_before(now))),
        "spend": Sum("spend_12m"),
        "unclassed": Count("pk", filter=Q(value_class="")),
        "no_tier": Count("pk", filter=Q(tier__isnull=True)),
        "with_purchases": Count("pk", filter=Q(last_purchase_at__isnull=False)),
    }
    for value_class in CLASSES:
        aggregates[f"class_{value_class}"] = Count("pk", filter=Q(value_class=value_class))
        aggregates[f"spend_{value_class}"] = Sum("spend_12m", filter=Q(value_class=value_class))
    for state in LIFECYCLES:
        aggregates[f"life_{state}"] = Count("pk", filter=Q(lifecycle=state))
    figures = members.aggregate(**aggregates)

    total = figures["total"]
    spend = figures["spend"] or Decimal(0)
    pyramid = [
        {
            "code": value_class.value,
            "label": value_class.label,
            "count": figures[f"class_{value_class}"],
            "member_share": share(figures[f"class_{value_class}"], total),
            "spend": figures[f"spend_{value_class}"] or Decimal(0),
            "spend_share": share(figures[f"spend_{value_class}"], spend),
        }
        for value_class in CLASSES
    ]
    explanations = lifecycle_explanations()
    lifecycle = [
        {
            "code": state.value,
            "label": state.label,
            "explanation": explanations[state],
            "count": figures[f"life_{state}"],
            "share": share(figures[f"life_{state}"], total),
        }
        for state in LIFECYCLES
    ]
    dormant_or_lost = figures["life_dormant"] + figures["life_lost"]
    return {
        "total": total,
        "active": figures["active"],
        "active_share": share(figures["active"], total),
        "spend": spend,
        "dormant_or_lost": dormant_or_lost,
        "dormant_or_lost_share": share(dormant_or_lost, total),
        "pyramid": pyramid,
        "unclassed": figures["unclassed"],
        "unclassed_share": share(figures["unclassed"], total),
        "lifecycle": lifecycle,
        "tiers": tier_breakdown(user, members, total, figures["no_tier"]),
        "with_purchases": figures["with_purchases"],
        "classed": total - figures["unclassed"],
    }


def tier_breakdown(user, members, total, no_tier):
    """Members per tier of the store's program, best tier first, then those without a tier."""
    counts = dict(members.filter(tier__isnull=False).values_list("tier").annotate(n=Count("pk")).order_by())
    program_id = user.store.tier_program_id if user.store_id else None
    tiers = Tier.objects.filter(Q(program_id=program_id) | Q(pk__in=list(counts))).order_by("-rank", "name")
    rows = [
        {"label": tier.name, "count": counts.get(tier.pk, 0), "share": share(counts.get(tier.pk, 0), total)}
        for tier in tiers
    ]
    rows.append({"label": _("No tier"), "count": no_tier, "share": share(no_tier, total), "none": True})
    return rows


def last_refresh(user):
    """When refresh_members last ran for this store, if it left a record."""
    return (
        AuditEntry.objects.filter(action="members.refreshed")
        .filter(Q(store_id=user.store_id) | Q(store__isnull=True))
        .order_by("-at")
        .first()
    )


@require_GET
@permission_required("concierge.view_store_overview", raise_exception=True)
def store_overview(request):
    user = request.user
    figures = store_figures(user)
    refreshed = last_refresh(user)
    as_of = None
    if refreshed is not None:
        as_of = refreshed.data.get("as_of") or timezone.localdate(refreshed.at).isoformat()
        try:
            as_of = dt.date.fromisoformat(str(as_of))
        except ValueError:
            as_of = timezone.localdate(refreshed.at)
    # Purchases on file but no member carries figures: the refresh has never run for this store.
    never_refreshed = (
        refreshed is None
        and figures["total"] > 0
        and (figures["with_purchases"] == 0 or figures["classed"] == 0)
        and Purchase.objects.visible_to(user).exists()
    )
    top_spenders = list(
        Member.objects.visible_to(user)
        .filter(spend_12m__gt=0)
        .select_related("tier")
        .order_by("-spend_12m", "member_no")[:TOP_SPENDERS]
    )
    context = {
        "active_nav": "overview",
        "figures": figures,
        "top_spenders": top_spenders,
        "as_of": as_of,
        "never_refreshed": never_refreshed,
    }
    return render(request, "concierge/overview.html", context)
