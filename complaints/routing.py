"""Which team a complaint goes to, and who in it: set-based reads, no writes."""

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from complaints.models import Complaint, RoutingRule, Team
from concierge.models import Staff
from concierge.opening import staff_off
from concierge.roles import Role


def rule_rank(rule):
    """How a rule ranks when several match: the most specific first (category and counter, then
    category, then counter), then the lowest position, then the oldest."""
    return (0 if rule.category_id and rule.counter else 1 if rule.category_id else 2, rule.position, rule.pk)


def winning_rule(store_id, category_id, counter):
    """The rule that routes a complaint of this category about this counter, or None."""
    counter = (counter or "").strip().casefold()
    best = None
    for rule in (
        RoutingRule.objects.filter(store_id=store_id)
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .select_related("team")
    ):
        if rule.counter and rule.counter.strip().casefold() != counter:
            continue
        if rule.category_id is None and not rule.counter:
            continue
        if best is None or rule_rank(rule) < rule_rank(best):
            best = rule
    return best


def team_for(store_id, category_id, counter):
    """The most specific matching rule's team (category and counter, then category, then counter,
    then the lowest position), else the store's default team, else None."""
    rule = winning_rule(store_id, category_id, counter)
    if rule is not None:
        return rule.team
    return Team.objects.filter(store_id=store_id, is_default=True).first()


def candidates(team, store_id):
    """Who may get the team's complaints: its members, or, for a team nobody was put in, every
    complaint handler of the store. Active accounts only."""
    people = Staff.objects.filter(store_id=store_id, is_active=True)
    if team is not None and team.memberships.exists():
        return people.filter(pk__in=team.memberships.values("staff_id"))
    return people.filter(groups__name=Role.COMPLAINT_HANDLER.value)


def least_loaded(team, store_id, *, exclude=(), day=None):
    """The candidate with the fewest open complaints; ties go to whoever has waited longest since
    their last assignment (never assigned first), then the lowest id. Staff who are off today are
    skipped. None when nobody is available."""
    day = day or timezone.localdate()
    people = candidates(team, store_id).exclude(pk__in=list(exclude))
    ids = list(people.values_list("pk", flat=True))
    off = staff_off(ids, day)
    ranked = (
        people.exclude(pk__in=off)
        .annotate(
            open_count=Count(
                "handled_complaints", filter=Q(handled_complaints__state__in=Complaint.ACTIVE_STATES)
            ),
            last_assigned=Max("handled_complaints__assigned_at"),
        )
        # Never assigned sorts first, on both databases.
        .order_by("open_count", F("last_assigned").asc(nulls_first=True), "pk")
    )
    return ranked.first()
