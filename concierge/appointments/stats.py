"""The store manager's reception figures: for a period, the visits per host (booked, came,
no-shows, how fast the host answered an arrival, conversion and sales during visits), the visits
per day, the share of walk-ins, and the visits as a CSV file.

Everything is aggregated in the database, in a fixed number of grouped queries whatever the
number of visits: the per-host figures in one, the whole period's in one, the sales in one, the
days in one.

What counts:
- a period's visits are those whose slot starts in it; cancelled visits are counted apart;
- "came": checked in (arrived, in service, seen off, followed up);
- no-show rate: no-shows out of the booked visits whose member came or did not (walk-ins and
  visits still to come are not part of it);
- answer time: from check-in to the host's "on my way" (acknowledged_at - arrived_at), in minutes;
- conversion: visits that came with at least one purchase linked to them, out of those that came;
- sales: the amounts of the purchases linked to the visits (returns are negative amounts).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Case, Count, F, FloatField, Func, Q, Sum, When
from django.db.models.functions import TruncDate

from concierge.aggregates import Median
from concierge.dates import local_midnight
from concierge.models import Appointment, Purchase

State = Appointment.State
CAME_STATES = (State.ARRIVED, State.IN_SERVICE, State.COMPLETED, State.FOLLOWED_UP)
# Up to this many days the chart has a row per day; longer periods a row per week.
DAILY_UP_TO = 62


class MinutesBetween(Func):
    """end - start in minutes, as a float, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()

    def _parts(self, compiler):
        start, end = self.get_source_expressions()
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return start_sql, tuple(start_params), end_sql, tuple(end_params)

    def as_sql(self, compiler, connection, **extra_context):
        start_sql, start_params, end_sql, end_params = self._parts(compiler)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 60.0)", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        start_sql, start_params, end_sql, end_params = self._parts(compiler)
        return (
            f"((julianday({end_sql}) - julianday({start_sql})) * 1440.0)",
            (*end_params, *start_params),
        )


def period_bounds(start, end):
    return local_midnight(start), local_midnight(end + dt.timedelta(days=1))


def visits_in(user, start, end):
    since, until = period_bounds(start, end)
    return Appointment.objects.visible_to(user).filter(starts_at__gte=since, starts_at__lt=until)


def share(part, whole):
    """A share in percent, or None when there is nothing to share."""
    return 100.0 * part / whole if whole else None


def _counts():
    came = Q(state__in=CAME_STATES)
    answered = Q(
        arrived_at__isnull=False, acknowledged_at__isnull=False, acknowledged_at__gte=F("arrived_at")
    )
    # Only the visits answered (a NULL elsewhere, which both aggregates skip): PostgreSQL's
    # ordered-set median takes no FILTER clause through Django.
    answer = Case(When(answered, then=MinutesBetween("arrived_at", "acknowledged_at")), default=None)
    return {
        "visits": Count("pk", filter=~Q(state=State.CANCELLED)),
        "booked": Count("pk", filter=Q(walk_in=False) & ~Q(state=State.CANCELLED)),
        "walk_ins": Count("pk", filter=Q(walk_in=True) & ~Q(state=State.CANCELLED)),
        "came": Count("pk", filter=came),
        "came_booked": Count("pk", filter=came & Q(walk_in=False)),
        "no_shows": Count("pk", filter=Q(state=State.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(state=State.CANCELLED)),
        "answered": Count("pk", filter=answered),
        "answer_median": Median(answer),
        "answer_avg": Avg(answer),
    }


def _rates(row, sales):
    row["no_show_rate"] = share(row["no_shows"], row["came_booked"] + row["no_shows"])
    row["walk_in_share"] = share(row["walk_ins"], row["visits"])
    row["converted"] = sales.get("converted", 0)
    row["sales"] = sales.get("sales") or Decimal("0")
    row["conversion"] = share(row["converted"], row["came"])
    return row


def period_figures(user, start, end):
    """The period's figures: {"totals": {...}, "hosts": [{...}], "chart": {...}}."""
    visits = visits_in(user, start, end)
    per_host = list(
        visits.order_by()
        .values("host", "host__display_name", "host__username")
        .annotate(**_counts())
        .order_by("host__display_name", "host__username", "host")
    )
    totals = visits.order_by().aggregate(**_counts())
    sales_rows = (
        Purchase.objects.filter(appointment__in=visits.filter(state__in=CAME_STATES).values("pk"))
        .order_by()
        .values("appointment__host")
        .annotate(sales=Sum("amount"), converted=Count("appointment", distinct=True))
    )
    sales = {row["appointment__host"]: row for row in sales_rows}
    for row in per_host:
        row["name"] = row["host__display_name"] or row["host__username"]
        _rates(row, sales.get(row["host"], {}))
    _rates(
        totals,
        {
            "converted": sum(row["converted"] for row in sales.values()),
            "sales": sum((row["sales"] or Decimal("0") for row in sales.values()), Decimal("0")),
        },
    )
    return {"totals": totals, "hosts": per_host, "chart": chart(visits, start, end)}


def _week_start(day):
    return day - dt.timedelta(days=day.weekday())


def chart(visits, start, end):
    """Visits per day (or per week for long periods), each split into booked visits that came,
    walk-ins, no-shows and those still to come; every day of the period has its row."""
    daily = (end - start).days + 1 <= DAILY_UP_TO
    counts = (
        visits.exclude(state=State.CANCELLED)
        .order_by()
        .annotate(day=TruncDate("starts_at"))
        .values("day")
        .annotate(
            came=Count("pk", filter=Q(state__in=CAME_STATES, walk_in=False)),
            walk_ins=Count("pk", filter=Q(walk_in=True)),
            no_shows=Count("pk", filter=Q(state=State.NO_SHOW)),
            total=Count("pk"),
        )
    )
    buckets = {}
    for row in counts:
        day = row["day"]
        key = day if daily else _week_start(day)
        bucket = buckets.setdefault(key, {"came": 0, "walk_ins": 0, "no_shows": 0, "total": 0})
        for field in bucket:
            bucket[field] += row[field]
    rows = []
    day = start if daily else _week_start(start)
    step = dt.timedelta(days=1 if daily else 7)
    while day <= end:
        bucket = buckets.get(day, {"came": 0, "walk_ins": 0, "no_shows": 0, "total": 0})
        other = bucket["total"] - bucket["came"] - bucket["walk_ins"] - bucket["no_shows"]
        rows.append({"day": day, **bucket, "other": other})
        day += step
    largest = max((row["total"] for row in rows), default=0)
    for row in rows:
        for part in ("came", "walk_ins", "no_shows", "other"):
            row[f"{part}_bar"] = 100.0 * row[part] / largest if largest else 0.0
    return {"daily": daily, "rows": rows, "largest": largest, "total": sum(row["total"] for row in rows)}


# ---- the CSV export ------------------------------------------------------------------------------


def export_rows(user, start, end, labels):
    """One row per visit whose slot starts in the range (cancelled ones too), oldest first, read
    from the database in chunks as the file is sent. `labels` are the choice labels as text."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    linked = Purchase.objects.filter(appointment=OuterRef("pk")).order_by().values("appointment")
    visits = (
        visits_in(user, start, end)
        .select_related("member", "host", "backup_host", "room")
        .annotate(
            purchase_count=Coalesce(Subquery(linked.annotate(n=Count("pk")).values("n")), 0),
            sales=Subquery(linked.annotate(total=Sum("amount")).values("total")),
            answer_minutes=MinutesBetween("arrived_at", "acknowledged_at"),
        )
        .order_by("starts_at", "pk")
    )
    for visit in visits.iterator(chunk_size=1000):
        answer = visit.answer_minutes
        yield [
            visit.pk,
            timezone.localtime(visit.starts_at).strftime("%Y-%m-%d"),
            timezone.localtime(visit.starts_at).strftime("%H:%M"),
            timezone.localtime(visit.ends_at).strftime("%H:%M"),
            visit.member.member_no,
            visit.member.name,
            str(visit.host),
            str(visit.backup_host) if visit.backup_host_id else "",
            visit.room.name if visit.room_id else "",
            labels["purpose"].get(visit.purpose, visit.purpose),
            labels["channel"].get(visit.channel, visit.channel),
            labels["yes"] if visit.walk_in else "",
            labels["state"].get(visit.state, visit.state),
            visit.party_size,
            moment(visit.arrived_at),
            moment(visit.acknowledged_at),
            round(answer, 1) if answer is not None and answer >= 0 else "",
            moment(visit.completed_at),
            labels["yes"] if visit.gift_given else "",
            visit.cancel_reason,
            visit.purchase_count,
            f"{Decimal(visit.sales):.2f}" if visit.sales is not None else "",
        ]
