"""Member figures, value classes, lifecycle states and tiers, recomputed in set-based SQL.

Everything here is a handful of UPDATE ... FROM statements per store or program, so the nightly
refresh of 200,000 members costs seconds, not a Python loop. Dates are the store's local dates
(settings.TIME_ZONE): a purchase at 23:30 on 31 July belongs to July, whatever UTC says.

Three phases, in this order:
1. figures: 12-month spend, first and last visit, visit count and lifecycle, from purchases;
2. value classes: members with positive 12-month spend ranked per store (A, B, C);
3. tiers: each store's tier program evaluated over its current and previous program period.
"""

import datetime as dt
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from concierge import rawsql
from concierge.dates import local_midnight
from concierge.models import AuditEntry, Member, Purchase, Store, Tier

MEMBER = Member._meta.db_table
PURCHASE = Purchase._meta.db_table
TIER = Tier._meta.db_table

# Past this many members a partial refresh costs more than refreshing their stores whole.
PARTIAL_LIMIT = 20_000
CHUNK = 900

# SQLite sums decimals as floats: 0.1 + 0.2 must still reach a threshold of 0.3. Amounts have two
# decimals and point ratios four, so half a millionth is below any real difference.
EPSILON = Decimal("0.0000005")


def refresh_members(*, as_of=None, stores=None):
    """Recompute every member's figures, value class, lifecycle and tier as of a local date.

    Side effects: member rows updated (only those whose figures changed), one AuditEntry
    "members.refreshed" per store with the date and counts. Runs in one transaction, so pages never
    show half a refresh. Returns {store code: number of members}.
    """
    as_of = as_of or timezone.localdate()
    stores = list(Store.objects.select_related("tier_program") if stores is None else stores)
    started = time.monotonic()
    counts = {}
    with transaction.atomic():
        if stores:
            store_ids = [store.pk for store in stores]
            window = Window(as_of)
            with connection.cursor() as cursor:
                _update_figures(cursor, window, store_ids)
                _update_value_classes(cursor, store_ids)
                for program, ids in _by_program(stores).values():
                    _update_tiers(cursor, window, program, ids)
        totals = dict(
            Member.objects.filter(store__in=stores).values_list("store_id").annotate(n=Count("pk")).order_by()
        )
        seconds = round(time.monotonic() - started, 2)
        for store in stores:
            counts[store.code] = totals.get(store.pk, 0)
            AuditEntry.record(
                "members.refreshed",
                store=store,
                data={"as_of": as_of.isoformat(), "members": counts[store.code], "seconds": seconds},
            )
    _vacuum_members()
    return counts


def _vacuum_members():
    """Reclaim the row versions a refresh leaves behind, at once rather than when autovacuum wakes.

    A refresh on a new day rewrites many member rows; until they are vacuumed, every member search
    walks the dead versions too (a search took 60-90 ms instead of 6-9 ms at 200,000 members).
    VACUUM cannot run inside a transaction, so a refresh inside one leaves this to autovacuum.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {MEMBER}")


def refresh_member_figures(member_ids, *, as_of=None, rerank=True, store=None):
    """Bring the figures of these members up to date after their purchases changed.

    Their spend, visits, lifecycle and tier are recomputed; with `rerank`, their stores are
    re-ranked into value classes from the stored 12-month spends (everyone else's spend moves only
    with the nightly refresh). `store`: the one store all of them belong to, when the caller knows
    it (a till's request), which spares looking their stores up. Side effects: member rows updated;
    no audit entry (the import that called it has one).
    """
    member_ids = sorted(set(member_ids))
    if not member_ids:
        return
    as_of = as_of or timezone.localdate()
    if store is not None:
        stores, store_ids = [store], [store.pk]
    else:
        store_ids = set()
        for start in range(0, len(member_ids), CHUNK):
            chunk = member_ids[start : start + CHUNK]
            store_ids.update(
                Member.objects.filter(pk__in=chunk).values_list("store_id", flat=True).distinct()
            )
        store_ids = sorted(store_ids)
        stores = list(Store.objects.filter(pk__in=store_ids).select_related("tier_program"))
    if len(member_ids) > PARTIAL_LIMIT:
        refresh_members(as_of=as_of, stores=stores)
        return
    window = Window(as_of)
    programs = _by_program(stores)
    # No savepoint inside a caller's transaction (a till's request, an import): a failure here
    # fails the caller's whole unit anyway, and the savepoint was two more statements a purchase.
    # Prepared on PostgreSQL (concierge/rawsql.py): a till's request refreshes one member, and
    # planning these statements cost PostgreSQL more than running them.
    with transaction.atomic(savepoint=False), rawsql.cursor() as cursor:
        for start in range(0, len(member_ids), CHUNK):
            chunk = member_ids[start : start + CHUNK]
            _update_figures(cursor, window, store_ids, chunk)
            for program, ids in programs.values():
                _update_tiers(cursor, window, program, ids, chunk)
        if rerank:
            _update_value_classes(cursor, store_ids)


class Window:
    """The date boundaries of one refresh, as UTC instants in the database's own format."""

    def __init__(self, as_of):
        self.as_of = as_of
        self.end = self.instant(as_of + dt.timedelta(days=1))
        # After as-of minus 12 calendar months: the first local day that counts is the one after.
        self.spend_from = self.instant(months_before(as_of, 12) + dt.timedelta(days=1))
        self.lost_before = self.instant(as_of - dt.timedelta(days=settings.LIFECYCLE_LOST_DAYS))
        self.dormant_before = self.instant(as_of - dt.timedelta(days=settings.LIFECYCLE_DORMANT_DAYS))
        self.new_from = self.instant(as_of - dt.timedelta(days=settings.LIFECYCLE_NEW_DAYS))
        self.lost_join = connection.ops.adapt_datefield_value(
            as_of - dt.timedelta(days=settings.LIFECYCLE_LOST_DAYS)
        )
        self.dormant_join = connection.ops.adapt_datefield_value(
            as_of - dt.timedelta(days=settings.LIFECYCLE_DORMANT_DAYS)
        )

    @staticmethod
    def instant(day):
        """Local midnight at the start of `day`, adapted for raw SQL on this backend."""
        return connection.ops.adapt_datetimefield_value(local_midnight(day))


def months_before(day, months):
    """The same day `months` calendar months earlier, clamped to the month's end (29 Feb -> 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def period_start(program, day):
    """The first day of the program period that contains `day`."""
    start = dt.date(day.year, program.period_start_month, program.period_start_day)
    if start > day:
        start = dt.date(day.year - 1, program.period_start_month, program.period_start_day)
    return start


def _by_program(stores):
    """{program id: (program, [its stores' ids])} of stores with their tier_program loaded."""
    programs = {}
    for store in stores:
        if store.tier_program_id:
            programs.setdefault(store.tier_program_id, (store.tier_program, []))[1].append(store.pk)
    return programs


def _scope(store_ids, member_ids):
    """WHERE conditions for purchases (alias p) and members (alias m) of these stores and members."""
    purchase_scope, purchase_params = rawsql.any_of("p.store_id", store_ids)
    member_scope, member_params = rawsql.any_of("m.store_id", store_ids)
    if member_ids is not None:
        sql, params = rawsql.any_of("p.member_id", member_ids)
        purchase_scope, purchase_params = f"{purchase_scope} AND {sql}", purchase_params + params
        sql, params = rawsql.any_of("m.id", member_ids)
        member_scope, member_params = f"{member_scope} AND {sql}", member_params + params
    return purchase_scope, purchase_params, member_scope, member_params


def _differs(left, right):
    """Null-safe inequality, so unchanged rows are not rewritten."""
    operator = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    return f"{left} {operator} {right}"


def _greatest(*terms):
    return ("MAX" if connection.vendor == "sqlite" else "GREATEST") + f"({', '.join(terms)})"


def _update_figures(cursor, window, store_ids, member_ids=None):
    """Phase 1: spend over the 12-month window, visits up to as-of, and the lifecycle state."""
    purchase_scope, purchase_params, member_scope, member_params = _scope(store_ids, member_ids)
    # Returns (negative amounts) count against spend but are not visits; zero amounts are visits.
    sql = f"""
        UPDATE {MEMBER}
        SET spend_12m = x.spend, first_purchase_at = x.first_at, last_purchase_at = x.last_at,
            purchase_count = x.visits, lifecycle = x.lifecycle
        FROM (
            SELECT m.id AS id,
                COALESCE(a.spend, 0) AS spend, a.first_at AS first_at, a.last_at AS last_at,
                COALESCE(a.visits, 0) AS visits,
                CASE
                    WHEN a.last_at IS NULL THEN CASE
                        WHEN m.join_date IS NULL THEN 'new'
                        WHEN m.join_date < %s THEN 'lost'
                        WHEN m.join_date < %s THEN 'dormant'
                        ELSE 'new' END
                    WHEN a.last_at < %s THEN 'lost'
                    WHEN a.last_at < %s THEN 'dormant'
                    WHEN a.first_at >= %s THEN 'new'
                    ELSE 'regular'
                END AS lifecycle
            FROM {MEMBER} m
            LEFT JOIN (
                SELECT p.member_id AS member_id,
                    SUM(CASE WHEN p.purchased_at >= %s THEN p.amount ELSE 0 END) AS spend,
                    MIN(CASE WHEN p.amount >= 0 THEN p.purchased_at END) AS first_at,
                    MAX(CASE WHEN p.amount >= 0 THEN p.purchased_at END) AS last_at,
                    SUM(CASE WHEN p.amount >= 0 THEN 1 ELSE 0 END) AS visits
                FROM {PURCHASE} p
                WHERE p.purchased_at < %s AND {purchase_scope}
                GROUP BY p.member_id
            ) a ON a.member_id = m.id
            WHERE {member_scope}
        ) x
        WHERE {MEMBER}.id = x.id AND (
            {_differs(f"{MEMBER}.spend_12m", "x.spend")}
            OR {_differs(f"{MEMBER}.first_purchase_at", "x.first_at")}
            OR {_differs(f"{MEMBER}.last_purchase_at", "x.last_at")}
            OR {_differs(f"{MEMBER}.purchase_count", "x.visits")}
            OR {_differs(f"{MEMBER}.lifecycle", "x.lifecycle")}
        )
    """
    params = [
        window.lost_join,
        window.dormant_join,
        window.lost_before,
        window.dormant_before,
        window.new_from,
        window.spend_from,
        window.end,
        *purchase_params,
        *member_params,
    ]
    cursor.execute(sql, params)


def _update_value_classes(cursor, store_ids):
    """Phase 2: rank positive spenders per store (spend desc, member number asc) and cut A/B/C.

    Only the class is stored, not the rank: one member's new purchase moves the rank of everyone
    below them, and writing those ranks rewrote most of the table every night.
    """
    ranked_scope, ranked_params = rawsql.any_of("store_id", store_ids)
    member_scope, member_params = rawsql.any_of("m.store_id", store_ids)
    # rank <= floor(n * pct / 100) is rank * 100 <= n * pct in integers: no rounding to argue about.
    sql = f"""
        UPDATE {MEMBER}
        SET value_class = x.value_class
        FROM (
            SELECT m.id AS id,
                CASE
                    WHEN r.spend_rank IS NULL THEN ''
                    WHEN r.spend_rank * 100 <= r.ranked * %s THEN 'A'
                    WHEN r.spend_rank * 100 <= r.ranked * %s THEN 'B'
                    ELSE 'C'
                END AS value_class
            FROM {MEMBER} m
            LEFT JOIN (
                SELECT id,
                    ROW_NUMBER() OVER (
                        PARTITION BY store_id ORDER BY spend_12m DESC, member_no
                    ) AS spend_rank,
                    COUNT(*) OVER (PARTITION BY store_id) AS ranked
                FROM {MEMBER}
                WHERE spend_12m > 0 AND {ranked_scope}
            ) r ON r.id = m.id
            WHERE {member_scope}
        ) x
        WHERE {MEMBER}.id = x.id AND {_differs(f"{MEMBER}.value_class", "x.value_class")}
    """
    params = [
        settings.VALUE_CLASS_A_PERCENT,
        settings.VALUE_CLASS_B_CUMULATIVE_PERCENT,
        *ranked_params,
        *member_params,
    ]
    cursor.execute(sql, params)


def _update_tiers(cursor, window, program, store_ids, member_ids=None):
    """Phase 3: qualification in the current period, renewal at rollover, never a mid-period drop.

    A member keeps the tier they held for the current period and rises to whatever the current
    period's purchases qualify them for. At the first refresh of a new period the tier held for the
    previous one (raised to what that period qualified) is kept only if its renewal threshold was
    met over that period; otherwise the member falls to the best lower tier whose renewal threshold
    was met, or to none.
    """
    program_id = program.pk
    current = period_start(program, window.as_of)
    previous = period_start(program, current - dt.timedelta(days=1))
    current_from = Window.instant(current)
    previous_from = Window.instant(previous)
    current_day = connection.ops.adapt_datefield_value(current)
    previous_day = connection.ops.adapt_datefield_value(previous)
    ratio = program.points_per_yuan

    local_day, day_params = connection.ops.datetime_cast_date_sql("p.purchased_at", (), settings.TIME_ZONE)
    month, month_params = connection.ops.date_trunc_sql("month", "d.local_day", ())
    purchase_scope, purchase_params, member_scope, member_params = _scope(store_ids, member_ids)

    qualifies = """
        (t.min_day_points IS NOT NULL AND s.best_day * %s >= t.min_day_points - %s)
        OR (t.min_month_points IS NOT NULL AND s.best_month * %s >= t.min_month_points - %s)
        OR (t.min_period_points IS NOT NULL AND s.total * %s >= t.min_period_points - %s)
    """
    qualifies_params = [ratio, EPSILON] * 3
    held = "COALESCE(ht.rank, 0)"
    carried = f"CASE WHEN m.tier_period_start = %s THEN {held} ELSE 0 END"
    sql = f"""
        WITH daily AS (
            SELECT p.member_id AS member_id,
                CASE WHEN p.purchased_at >= %s THEN 1 ELSE 0 END AS is_current,
                {local_day} AS local_day,
                SUM(p.amount) AS amount
            FROM {PURCHASE} p
            WHERE p.purchased_at >= %s AND p.purchased_at < %s AND {purchase_scope}
            GROUP BY 1, 2, 3
        ),
        monthly AS (
            SELECT d.member_id AS member_id, d.is_current AS is_current, SUM(d.amount) AS amount
            FROM daily d
            GROUP BY d.member_id, d.is_current, {month}
        ),
        day_stats AS (
            SELECT d.member_id AS member_id, d.is_current AS is_current,
                MAX(d.amount) AS best_day, SUM(d.amount) AS total
            FROM daily d
            GROUP BY d.member_id, d.is_current
        ),
        stats AS (
            SELECT ds.member_id AS member_id, ds.is_current AS is_current, ds.best_day AS best_day,
                ds.total AS total, mo.best_month AS best_month
            FROM day_stats ds JOIN (
                SELECT member_id, is_current, MAX(amount) AS best_month FROM monthly
                GROUP BY member_id, is_current
            ) mo ON mo.member_id = ds.member_id AND mo.is_current = ds.is_current
        ),
        qualified AS (
            SELECT s.member_id AS member_id, s.is_current AS is_current, MAX(t.rank) AS rank
            FROM stats s JOIN {TIER} t ON t.program_id = %s AND ({qualifies})
            GROUP BY s.member_id, s.is_current
        ),
        decided AS (
            SELECT m.id AS id,
                CASE
                    WHEN m.tier_period_start = %s OR (m.tier_period_start IS NULL AND ht.rank IS NOT NULL)
                        THEN {_greatest(held, "COALESCE(qc.rank, 0)")}
                    ELSE {
        _greatest(
            f'''COALESCE((
                SELECT MAX(rt.rank) FROM {TIER} rt
                WHERE rt.program_id = %s
                    AND rt.rank <= {_greatest(carried, "COALESCE(qp.rank, 0)")}
                    AND COALESCE(rt.renewal_points, rt.min_period_points, 0)
                        <= COALESCE(sp.total, 0) * %s + %s
            ), 0)''',
            "COALESCE(qc.rank, 0)",
        )
    }
                END AS new_rank
            FROM {MEMBER} m
            LEFT JOIN {TIER} ht ON ht.id = m.tier_id AND ht.program_id = %s
            LEFT JOIN qualified qc ON qc.member_id = m.id AND qc.is_current = 1
            LEFT JOIN qualified qp ON qp.member_id = m.id AND qp.is_current = 0
            LEFT JOIN stats sp ON sp.member_id = m.id AND sp.is_current = 0
            WHERE {member_scope}
        )
        UPDATE {MEMBER}
        SET tier_id = x.tier_id, tier_period_start = %s
        FROM (
            SELECT decided.id AS id, nt.id AS tier_id
            FROM decided LEFT JOIN {TIER} nt ON nt.program_id = %s AND nt.rank = decided.new_rank
        ) x
        WHERE {MEMBER}.id = x.id AND (
            {_differs(f"{MEMBER}.tier_id", "x.tier_id")}
            OR {_differs(f"{MEMBER}.tier_period_start", "%s")}
        )
    """
    params = [
        # daily
        current_from,
        *day_params,
        previous_from,
        window.end,
        *purchase_params,
        # monthly
        *month_params,
        # qualified
        program_id,
        *qualifies_params,
        # decided
        current_day,
        program_id,
        previous_day,
        ratio,
        EPSILON,
        program_id,
        *member_params,
        # update
        current_day,
        program_id,
        current_day,
    ]
    cursor.execute(sql, params)
