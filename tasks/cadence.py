"""The care cadence (DOMAIN.md): the rules that propose each day's care tasks, and their making.

Every rule proposes the day's rows from a set-based query; the rows go through the outreach pause
and the weekly contact cap together (`_allowed`), and one batched insert writes them
(`create_tasks`). The database's unique (member, kind, period) constraint makes the insert
idempotent: running tick twice, or twice at once, never makes a second task. Rules look back over a
short catch-up window, so a day when tick did not run is made up, without flooding staff with tasks
for events long past. `cancel_outdated` drops dormancy tasks made outdated by a purchase.

A task's reason is a concierge.i18n.Message: stored as code and parameters and shown in the
reader's language; `CareTask.reason` keeps it as text in the store's language.
tasks/jobs.py registers the jobs that run all this from `manage.py tick`.
"""

import calendar
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Mod
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from concierge.dates import local_midnight
from concierge.i18n import Message
from concierge.models import Assignment, AuditEntry, Member, Store
from tasks import calendar as chinese_calendar
from tasks.models import CareTask, Holiday

Kind = CareTask.Kind

NEW_MEMBER_DAYS = 7
BIRTHDAY_LEAD_DAYS = 3
GIFT_LEAD_DAYS = 7
CARE_CALL_LEAD_DAYS = 3
GREETING_LEAD_DAYS = 2
CATCH_UP_DAYS = 7
# A monthly call has no date the member waits for: three days cover a tick outage over a long
# weekend, and on the first run the past week's calls do not all arrive overdue.
CARE_CALL_CATCH_UP_DAYS = 3
# A greeting made days after the holiday reads as forgotten: greetings catch up two days only.
GREETING_CATCH_UP_DAYS = 2
DECLINE_RECENT_DAYS = 90
DECLINE_BEFORE_DAYS = 270
DECLINE_MIN_VISITS = 3
BATCH = 2000
# Below SQLite's limit of bound parameters per statement.
CHUNK = 900

# When the weekly contact cap forces a choice, the member gets the more personal contact: the
# new-member and care calls first, the season's general message last. Exempt kinds never compete.
PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        (
            Kind.BIRTHDAY_GREETING,
            Kind.BIRTHDAY_GIFT,
            Kind.DORMANT_REVIEW,
            Kind.NEW_MEMBER_CALL,
            Kind.CARE_CALL,
            Kind.DORMANT_CALL,
            Kind.DECLINE_CALL,
            Kind.ANNIVERSARY_GREETING,
            Kind.HOLIDAY_GREETING,
            Kind.SEASON_GREETING,
        )
    )
}


class Row(NamedTuple):
    """A task a rule proposes; it becomes a CareTask unless it exists or the member should not get it."""

    member_id: int
    store_id: int
    kind: str
    period: str
    due: dt.date
    reason: Message
    # The holiday or term a greeting is for: text, or a Message made text in the store's language.
    occasion: object = ""


def _local_date(moment):
    return timezone.localtime(moment).date()


def _days(start, count):
    return [start + dt.timedelta(days=n) for n in range(count + 1)]


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _made(kind, period):
    """The members who have this task already, so a rule over a big audience proposes the new ones only.

    Read as a set in one scan rather than as NOT EXISTS in the rule's query: PostgreSQL's statistics
    do not know a period made yesterday, and with its estimate of no rows the anti-join became a
    nested loop over every pair (13 s instead of 0.5 s for a season greeting's second day).
    """
    return set(CareTask.objects.filter(kind=kind, period=period).values_list("member_id", flat=True))


def _close_members(members):
    """The members a greeting goes to: those with a dedicated VIP manager now, and class A."""
    current = Assignment.objects.filter(member=OuterRef("pk"), state__in=Assignment.CURRENT_STATES)
    return members.filter(Q(value_class=Member.ValueClass.A) | Exists(current)).order_by()


# Rules --------------------------------------------------------------------------------------------
# Each returns the Rows it proposes for as_of; create_tasks decides which become tasks.


def new_member_calls(as_of):
    """A satisfaction call 7 days after the first purchase."""
    latest = as_of - dt.timedelta(days=NEW_MEMBER_DAYS)
    earliest = latest - dt.timedelta(days=CATCH_UP_DAYS)
    members = Member.objects.filter(
        first_purchase_at__gte=local_midnight(earliest),
        first_purchase_at__lt=local_midnight(latest + dt.timedelta(days=1)),
    )
    rows = []
    for member_id, store_id, first_at in members.values_list("pk", "store_id", "first_purchase_at"):
        first = _local_date(first_at)
        reason = Message(
            gettext_noop("First purchase on %(date)s: satisfaction call"), date=first.isoformat()
        )
        due = first + dt.timedelta(days=NEW_MEMBER_DAYS)
        rows.append(Row(member_id, store_id, Kind.NEW_MEMBER_CALL, "first", due, reason))
    return rows


def care_calls(as_of):
    """A monthly personal-care call to every class-A member (health, family, work: not selling).

    Period "YYYY-MM". Each member's call falls on the same slot of every month, the member's pk
    modulo the month's length, so a VIP manager's key members are spread over the month instead of
    all due on the 1st. A call is made 3 days before its date; a date more than 3 days ago is not
    made up (a member who became class A on the 20th, with the 10th as their day, waits a month).
    """
    start = as_of - dt.timedelta(days=CARE_CALL_CATCH_UP_DAYS)
    end = as_of + dt.timedelta(days=CARE_CALL_LEAD_DAYS)
    reason = Message(
        gettext_noop("Monthly care call for a key member: ask after health, family and work; no selling")
    )
    rows = []
    month = start.replace(day=1)
    while month <= end:
        length = calendar.monthrange(month.year, month.month)[1]
        first_slot = (max(start, month) - month).days
        last_slot = (min(end, month.replace(day=length)) - month).days
        period = f"{month:%Y-%m}"
        made = _made(Kind.CARE_CALL, period)
        members = (
            Member.objects.filter(value_class=Member.ValueClass.A)
            .annotate(slot=Mod("pk", length, output_field=IntegerField()))
            .filter(slot__gte=first_slot, slot__lte=last_slot)
            .order_by()
            .values_list("pk", "store_id", "slot")
        )
        for member_id, store_id, slot in members:
            if member_id in made:
                continue
            due = month + dt.timedelta(days=int(slot))
            rows.append(Row(member_id, store_id, Kind.CARE_CALL, period, due, reason))
        month = month.replace(day=length) + dt.timedelta(days=1)
    return rows


def decline_calls(as_of):
    """A follow-up call when a class A or B member comes less often or spends less.

    Over the last 90 days (as_of included) against the 270 days before: fewer visits when the
    recent visits (purchases of zero or more) are at most half the earlier average per 90 days;
    less spend when the recent net spend is at most half the earlier average per 90 days, which must
    be positive. Both need at least 3 earlier visits: one large purchase long ago is no habit that
    has declined, and without that floor about one regular in six would be called every quarter.
    One aggregate query over the A and B members' purchases of the last 360 days. Dormant and lost
    members are left to the dormancy review and call, which already follow them up. Period
    "YYYY-Qn": at most one follow-up a quarter.
    """
    quarter = f"{as_of.year}-Q{(as_of.month - 1) // 3 + 1}"
    end = local_midnight(as_of + dt.timedelta(days=1))
    recent_from = local_midnight(as_of - dt.timedelta(days=DECLINE_RECENT_DAYS - 1))
    earlier_from = local_midnight(as_of - dt.timedelta(days=DECLINE_RECENT_DAYS + DECLINE_BEFORE_DAYS - 1))
    periods = DECLINE_BEFORE_DAYS // DECLINE_RECENT_DAYS
    recent = Q(purchases__purchased_at__gte=recent_from)
    earlier = Q(purchases__purchased_at__lt=recent_from)
    visit = Q(purchases__amount__gte=0)
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    members = (
        Member.objects.filter(value_class__in=[Member.ValueClass.A, Member.ValueClass.B])
        .exclude(lifecycle__in=[Member.Lifecycle.DORMANT, Member.Lifecycle.LOST])
        # Filtering before annotating joins only the purchases of the 360 days.
        .filter(purchases__purchased_at__gte=earlier_from, purchases__purchased_at__lt=end)
        .order_by()
        .values("pk", "store_id")
        .annotate(
            recent_visits=Count("purchases", filter=recent & visit),
            earlier_visits=Count("purchases", filter=earlier & visit),
            recent_spend=Coalesce(Sum("purchases__amount", filter=recent), zero, output_field=money),
            earlier_spend=Coalesce(Sum("purchases__amount", filter=earlier), zero, output_field=money),
        )
        .filter(earlier_visits__gte=DECLINE_MIN_VISITS)
        .filter(
            Q(earlier_visits__gte=F("recent_visits") * 2 * periods)
            | (Q(earlier_spend__gt=0) & Q(earlier_spend__gte=F("recent_spend") * 2 * periods))
        )
    )
    made = _made(Kind.DECLINE_CALL, quarter)
    rows = []
    for (
        member_id,
        store_id,
        recent_visits,
        earlier_visits,
        recent_spend,
        earlier_spend,
    ) in members.values_list(
        "pk", "store_id", "recent_visits", "earlier_visits", "recent_spend", "earlier_spend"
    ):
        if member_id in made:
            continue
        why = []
        if earlier_visits >= recent_visits * 2 * periods:
            why.append(
                Message(
                    gettext_noop(
                        "fewer visits: %(recent)d in the last 90 days, against %(usual)s per 90 days before"
                    ),
                    recent=recent_visits,
                    usual=f"{earlier_visits / periods:.1f}",
                )
            )
        earlier_spend, recent_spend = Decimal(earlier_spend), Decimal(recent_spend)
        if earlier_spend > 0 and earlier_spend >= recent_spend * 2 * periods:
            why.append(
                Message(
                    gettext_noop(
                        "less spend: ¥%(recent)s in the last 90 days, against ¥%(usual)s per 90 days before"
                    ),
                    recent=f"{recent_spend:,.0f}",
                    usual=f"{earlier_spend / periods:,.0f}",
                )
            )
        reason = Message(gettext_noop("Follow up on %(why)s"), why=why)
        rows.append(Row(member_id, store_id, Kind.DECLINE_CALL, quarter, as_of, reason))
    return rows


def dormancy_tasks(as_of):
    """A review when a member turns dormant, a phone call when they turn lost, once per dormancy."""
    rows = []
    rules = (
        (
            settings.LIFECYCLE_DORMANT_DAYS,
            Kind.DORMANT_REVIEW,
            gettext_noop(
                "No purchase since %(date)s: check complaints and special matters, then plan the contact"
            ),
        ),
        (
            settings.LIFECYCLE_LOST_DAYS,
            Kind.DORMANT_CALL,
            gettext_noop("No purchase since %(date)s: call and ask why"),
        ),
    )
    for days, kind, message in rules:
        # "More than N days" since the last visit: the last visit is on day as_of - N - 1 or before.
        latest = as_of - dt.timedelta(days=days + 1)
        earliest = latest - dt.timedelta(days=CATCH_UP_DAYS)
        members = Member.objects.filter(
            last_purchase_at__gte=local_midnight(earliest),
            last_purchase_at__lt=local_midnight(latest + dt.timedelta(days=1)),
        )
        for member_id, store_id, last_at in members.values_list("pk", "store_id", "last_purchase_at"):
            last = _local_date(last_at)
            rows.append(Row(member_id, store_id, kind, last.isoformat(), last + dt.timedelta(days=days + 1),
                            Message(message, date=last.isoformat())))  # fmt: skip
    return rows


def _yearly_match(field, days):
    """Q for a yearly date (a birthday, an anniversary) falling on one of `days`.

    29 February falls on 28 February in common years.
    """
    match = Q()
    for day in days:
        match |= Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            match |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return match


def _yearly_day(date, days):
    """The first of `days` on which the yearly date falls, else None."""
    for day in days:
        if (date.month, date.day) == (day.month, day.day) or (
            (date.month, date.day) == (2, 29)
            and (day.month, day.day) == (2, 28)
            and not calendar.isleap(day.year)
        ):
            return day
    return None


def _solar_yearly(members, field, days):
    """(member_id, store_id, day) for members whose yearly date in `field` falls on one of `days`."""
    found = []
    for member_id, store_id, date in members.filter(_yearly_match(field, days)).values_list(
        "pk", "store_id", field
    ):
        day = _yearly_day(date, days)
        if day is not None:
            found.append((member_id, store_id, day))
    return found


def _lunar_birthdays(members, start, end):
    """(member, store, lunar year, solar day, lunar month, lunar day) of lunar birthdays in [start, end].

    The query picks the members whose lunar month and day occur in the range (day 30 also on a 29th,
    for 29-day months); tasks.calendar decides exactly, once per distinct month and day.
    """
    pairs = set()
    for day in _days(start, (end - start).days):
        _year, month, lunar_day = chinese_calendar.lunar_date(day)
        pairs.add((month, lunar_day))
        if lunar_day == 29:
            pairs.add((month, 30))
    match = Q()
    for month, lunar_day in pairs:
        match |= Q(birthday__month=month, birthday__day=lunar_day)
    solved = {}
    found = []
    for member_id, store_id, born in members.filter(match, birthday_is_lunar=True).values_list(
        "pk", "store_id", "birthday"
    ):
        key = (born.month, born.day)
        if key not in solved:
            solved[key] = chinese_calendar.lunar_birthdays_between(born.month, born.day, start, end)
        for lunar_year, day in solved[key]:
            found.append((member_id, store_id, lunar_year, day, born.month, born.day))
    return found


def _birthday_rows(members, as_of, lead, kind, solar_reason, lunar_reason):
    """Rows for solar birthdays (period: the year) and lunar ones (period: "lunar-<lunar year>")."""
    days = _days(as_of, lead)
    rows = []
    solar = members.filter(birthday__isnull=False, birthday_is_lunar=False)
    for member_id, store_id, day in _solar_yearly(solar, "birthday", days):
        reason = Message(solar_reason, date=day.isoformat())
        rows.append(Row(member_id, store_id, kind, str(day.year), day, reason))
    for member_id, store_id, lunar_year, day, month, lunar_day in _lunar_birthdays(
        members, days[0], days[-1]
    ):
        reason = Message(lunar_reason, date=day.isoformat(), month=month, day=lunar_day)
        rows.append(Row(member_id, store_id, kind, f"lunar-{lunar_year}", day, reason))
    return rows


def birthday_greetings(as_of):
    """A greeting for birthdays in the next 3 days, solar or lunar; due on the birthday."""
    return _birthday_rows(
        Member.objects.all(),
        as_of,
        BIRTHDAY_LEAD_DAYS,
        Kind.BIRTHDAY_GREETING,
        gettext_noop("Birthday on %(date)s"),
        gettext_noop("Lunar birthday (month %(month)d, day %(day)d) on %(date)s"),
    )


def birthday_gifts(as_of):
    """The tier's birthday gift, a week ahead so it can be prepared; due on the birthday."""
    return _birthday_rows(
        Member.objects.filter(tier__birthday_gift=True),
        as_of,
        GIFT_LEAD_DAYS,
        Kind.BIRTHDAY_GIFT,
        gettext_noop("Birthday on %(date)s: prepare the tier's birthday gift"),
        gettext_noop(
            "Lunar birthday (month %(month)d, day %(day)d) on %(date)s: prepare the tier's birthday gift"
        ),
    )


def anniversary_greetings(as_of):
    """A greeting for anniversaries in the next 3 days; due on the day, period the year."""
    members = Member.objects.filter(anniversary__isnull=False)
    rows = []
    for member_id, store_id, day in _solar_yearly(members, "anniversary", _days(as_of, BIRTHDAY_LEAD_DAYS)):
        reason = Message(gettext_noop("Anniversary on %(date)s"), date=day.isoformat())
        rows.append(Row(member_id, store_id, Kind.ANNIVERSARY_GREETING, str(day.year), day, reason))
    return rows


def fill_holiday_calendars(as_of):
    """Every store's festivals for this year and next (idempotent; a store's changes are kept)."""
    return sum(
        chinese_calendar.ensure_festivals(store, [as_of.year, as_of.year + 1])
        for store in Store.objects.all()
    )


def holiday_greetings(as_of):
    """A greeting for each holiday of the store's calendar with greetings on, 0-2 days ahead.

    To the store's members with a dedicated VIP manager now, and its class-A members. Period
    "holiday-<pk>", due on the holiday's date as the store has it, occasion the holiday's name.
    """
    holidays = Holiday.objects.filter(
        greet=True,
        date__gte=as_of - dt.timedelta(days=GREETING_CATCH_UP_DAYS),
        date__lte=as_of + dt.timedelta(days=GREETING_LEAD_DAYS),
    ).select_related("store")
    rows = []
    for holiday in holidays:
        period = f"holiday-{holiday.pk}"
        reason = Message(
            gettext_noop("%(holiday)s on %(date)s: send a greeting"),
            holiday=_holiday_name(holiday),
            date=holiday.date.isoformat(),
        )
        made = _made(Kind.HOLIDAY_GREETING, period)
        members = _close_members(Member.objects.filter(store_id=holiday.store_id))
        for member_id, store_id in members.values_list("pk", "store_id"):
            if member_id in made:
                continue
            rows.append(
                Row(
                    member_id,
                    store_id,
                    Kind.HOLIDAY_GREETING,
                    period,
                    holiday.date,
                    reason,
                    holiday.name[:50],
                )
            )
    return rows


def _holiday_name(holiday):
    """A pre-filled festival still under its own name is shown in the reader's language; a name
    the store gave is its own words."""
    key = holiday.source.partition(":")[0]
    for festival, _month, _day, name in chinese_calendar.FESTIVALS:
        if festival == key:
            with translation.override(holiday.store.default_language):
                if holiday.name == str(name):
                    return Message.label(name)
    return holiday.name


def season_greetings(as_of):
    """A season-change care message at 立春, 立夏, 立秋 and 立冬, 0-2 days ahead.

    Same audience as holiday greetings, in every store. Period "<year>-<term key>", due on the
    term's date, occasion the term's name in the store's language.
    """
    start = as_of - dt.timedelta(days=GREETING_CATCH_UP_DAYS)
    end = as_of + dt.timedelta(days=GREETING_LEAD_DAYS)
    rows = []
    for year in sorted({start.year, end.year}):
        for key, name, day in chinese_calendar.season_starts(year):
            if not start <= day <= end:
                continue
            period = f"{year}-{key}"
            occasion = Message.label(name)
            reason = Message(
                gettext_noop("%(term)s on %(date)s: a season-change care message"),
                term=occasion,
                date=day.isoformat(),
            )
            made = _made(Kind.SEASON_GREETING, period)
            for member_id, store_id in _close_members(Member.objects.all()).values_list("pk", "store_id"):
                if member_id in made:
                    continue
                rows.append(Row(member_id, store_id, Kind.SEASON_GREETING, period, day, reason, occasion))
    return rows


RULES = (
    new_member_calls,
    care_calls,
    decline_calls,
    dormancy_tasks,
    birthday_greetings,
    birthday_gifts,
    anniversary_greetings,
    holiday_greetings,
    season_greetings,
)


# Creating tasks -----------------------------------------------------------------------------------


def _allowed(rows):
    """The rows to make, in the order to make them.

    Drops rows whose task exists; sales-minded rows while the member's outreach is paused on the
    due date; and rows that would give the member more than CARE_OUTREACH_PER_WEEK contacts within
    7 days (birthday greetings and gifts and internal reviews do not count). All of a day's rows
    are judged together, in PRIORITY order and then by due date, so which contact gives way to the
    cap does not depend on which rule ran first, and a rerun decides the same. Tasks made on
    earlier days stand: a care call does not push out a season greeting made yesterday.
    """
    rows = sorted(set(rows), key=lambda row: (PRIORITY[row.kind], row.due, row.member_id, row.period))
    if not rows:
        return []
    member_ids = sorted({row.member_id for row in rows})
    earliest = min(row.due for row in rows) - dt.timedelta(days=6)
    periods = sorted({row.period for row in rows})
    made = set()
    planned = defaultdict(list)
    for chunk in _chunks(member_ids):
        existing = CareTask.objects.filter(member_id__in=chunk).filter(
            Q(due_date__gte=earliest) | Q(period__in=periods)
        )
        for member_id, kind, period, due, state in existing.values_list(
            "member_id", "kind", "period", "due_date", "state"
        ):
            made.add((member_id, kind, period))
            if due >= earliest and kind not in CareTask.CAP_EXEMPT and state != CareTask.State.CANCELLED:
                planned[member_id].append(due)
    sales_minded = sorted({row.member_id for row in rows if row.kind in CareTask.SALES_MINDED})
    paused = {}
    for chunk in _chunks(sales_minded):
        paused.update(
            Member.objects.filter(pk__in=chunk, outreach_paused_until__gte=earliest).values_list(
                "pk", "outreach_paused_until"
            )
        )
    kept = []
    for row in rows:
        if (row.member_id, row.kind, row.period) in made:
            continue
        if (
            row.kind in CareTask.SALES_MINDED
            and paused.get(row.member_id)
            and paused[row.member_id] >= row.due
        ):
            continue
        if row.kind not in CareTask.CAP_EXEMPT:
            week = [due for due in planned[row.member_id] if abs((due - row.due).days) < 7]
            if len(week) >= settings.CARE_OUTREACH_PER_WEEK:
                continue
            planned[row.member_id].append(row.due)
        made.add((row.member_id, row.kind, row.period))
        kept.append(row)
    return kept


def create_tasks(rows):
    """Make the allowed rows into tasks, assigned to the member's VIP manager, else the pool.

    Returns the number made per kind. Under two ticks at once the count is approximate (both may
    count a row only one of them inserted); the tasks themselves are exact.
    """
    rows = _allowed(rows)
    if not rows:
        return Counter()
    # A manager who was deactivated keeps their book until it is moved; their new tasks go to the pool.
    managers = dict(
        Assignment.objects.filter(state__in=Assignment.CURRENT_STATES, manager__is_active=True).values_list(
            "member_id", "manager_id"
        )
    )
    now = timezone.now()
    texts = _in_store_languages(rows)
    CareTask.objects.bulk_create(
        (
            CareTask(
                store_id=row.store_id,
                member_id=row.member_id,
                assignee_id=managers.get(row.member_id),
                kind=row.kind,
                period=row.period,
                due_date=row.due,
                reason=texts[row.store_id, id(row.reason)][:300],
                reason_message=row.reason.to_json(),
                occasion=texts[row.store_id, id(row.occasion)][:50],
                created_at=now,
            )
            for row in rows
        ),
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    return Counter(row.kind for row in rows)


def _in_store_languages(rows):
    """{(store id, id of a reason or occasion): its text in the store's language}.

    The text a task keeps beside its message: for the admin's search, and for a reader whose
    catalogue cannot render the message. Rules share one Message among many rows; each is
    rendered once per store.
    """
    languages = {
        pk: language or settings.LANGUAGE_CODE
        for pk, language in Store.objects.filter(pk__in={row.store_id for row in rows}).values_list(
            "pk", "language"
        )
    }
    by_language = defaultdict(list)
    for row in rows:
        by_language[languages.get(row.store_id, settings.LANGUAGE_CODE)].append(row)
    texts = {}
    for language, language_rows in by_language.items():
        rendered = {}
        with translation.override(language):
            for row in language_rows:
                for value in (row.reason, row.occasion):
                    if id(value) not in rendered:
                        rendered[id(value)] = str(value)
                    texts[row.store_id, id(value)] = rendered[id(value)]
    return texts


def update_returning(assignments, where, params, returning="id"):
    """UPDATE care tasks and return the `returning` columns of the rows it changed.

    On PostgreSQL a concurrent UPDATE of the same rows waits for the first one's row locks and then
    re-checks `where`, so each row is changed, and reported, by one tick only; SQLite runs one
    writer at a time.
    """
    table = connection.ops.quote_name(CareTask._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {where} RETURNING {returning}", params)
        return cursor.fetchall()


def cancel_outdated(as_of):
    """Dormancy tasks for members who have bought again are no longer needed.

    Only two kinds of candidate are read: tasks whose member is no longer dormant or lost (the
    lifecycle is kept current by refresh_members and the purchase imports), and tasks whose member
    bought after the task was made. The exact test, a last visit after the dormancy's date (the
    period), runs on that small set. Side effects: tasks cancelled, one AuditEntry each.
    """
    candidates = (
        CareTask.objects.filter(
            kind__in=[Kind.DORMANT_REVIEW, Kind.DORMANT_CALL], state__in=CareTask.ACTIVE_STATES
        )
        .filter(
            Q(member__lifecycle__in=[Member.Lifecycle.NEW, Member.Lifecycle.REGULAR])
            | Q(member__last_purchase_at__gt=F("created_at"))
        )
        .select_related("member")
    )
    outdated = {
        task.pk: task
        for task in candidates
        if task.member.last_purchase_at
        and _local_date(task.member.last_purchase_at).isoformat() > task.period
    }
    return cancel_tasks(outdated, why="bought again")


def cancel_tasks(tasks, *, why):
    """Cancel open and snoozed tasks set-based: {pk: task} in, the number cancelled out.

    One UPDATE ... RETURNING per chunk and state, so a task another tick (or a person) closed
    meanwhile is neither cancelled nor audited twice. Side effects: one AuditEntry each.
    """
    if not tasks:
        return 0
    content_type = ContentType.objects.get_for_model(CareTask)
    now = timezone.now()
    cancelled = 0
    for chunk in _chunks(sorted(tasks)):
        with transaction.atomic():
            for state in CareTask.ACTIVE_STATES:
                rows = update_returning(
                    "state = %s, closed_at = %s",
                    f"state = %s AND id IN ({', '.join(['%s'] * len(chunk))})",
                    [
                        CareTask.State.CANCELLED,
                        connection.ops.adapt_datetimefield_value(now),
                        state,
                        *chunk,
                    ],
                )
                AuditEntry.objects.bulk_create(
                    AuditEntry(
                        action="care_task.cancelled",
                        store_id=tasks[pk].store_id,
                        content_type=content_type,
                        object_repr=str(tasks[pk])[:200],
                        object_id=str(pk),
                        from_state=state,
                        to_state=CareTask.State.CANCELLED,
                        data={"why": why, "member": tasks[pk].member_id},
                    )
                    for (pk,) in rows
                )
                cancelled += len(rows)
    return cancelled
