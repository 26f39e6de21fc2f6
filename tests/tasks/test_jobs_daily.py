"""The daily generation as a whole: once per date, priorities under the weekly cap, cancellations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from concierge.jobs import run_jobs
from concierge.models import AuditEntry, JobRun
from tasks import cadence, jobs
from tasks.models import CareTask
from tests.factories import MemberFactory, PurchaseFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 5, 20)
Kind = CareTask.Kind
State = CareTask.State
DAILY = "tasks.jobs.generate_care_tasks"


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def newcomer(store, first_day):
    """A member whose first (and last) purchase was on `first_day`, figures as refresh leaves them."""
    member = MemberFactory(
        store=store, birthday=None, first_purchase_at=at(first_day), last_purchase_at=at(first_day)
    )
    PurchaseFactory(member=member, amount=Decimal("300"), purchased_at=at(first_day))
    return member


def kinds(member):
    return sorted(CareTask.objects.filter(member=member).values_list("kind", flat=True))


# Once a day ------------------------------------------------------------------------------------


def test_the_daily_rules_run_at_the_first_tick_of_a_date_only(store, django_assert_max_num_queries):
    first = newcomer(store, AS_OF - dt.timedelta(days=7))
    summary = run_jobs(AS_OF)
    expected = {Kind.NEW_MEMBER_CALL.value: 1, "holidays_added": 10}  # the store's festivals, two years
    assert summary[DAILY] == expected
    assert kinds(first) == [Kind.NEW_MEMBER_CALL]
    assert JobRun.objects.get(name=DAILY, day=AS_OF).summary == expected

    second = newcomer(store, AS_OF - dt.timedelta(days=7))
    # The rest of the day's minutes: the run marker, the snoozed tasks and the due alerts only, and
    # the complaints' warnings and escalations (one indexed lookup each); the visits'
    # confirmations: tomorrow's booked visits, and the open confirmations to close (+2); the
    # reception's no-shows, unready preparation, purchases during visits and the arrivals nobody
    # answered (one indexed query each, +4); the revival credits whose return days are over (one
    # query on a partial index, +1).
    with django_assert_max_num_queries(15):
        summary = run_jobs(AS_OF)
    assert DAILY not in summary
    assert kinds(second) == []

    call_command("tick", "--as-of", AS_OF.isoformat(), "--force", verbosity=0)
    assert kinds(second) == [Kind.NEW_MEMBER_CALL]

    third = newcomer(store, AS_OF - dt.timedelta(days=6))
    call_command("tick", "--as-of", (AS_OF + dt.timedelta(days=1)).isoformat(), verbosity=0)
    assert kinds(third) == [Kind.NEW_MEMBER_CALL]
    assert set(JobRun.objects.filter(name=DAILY).values_list("day", flat=True)) == {
        AS_OF,
        AS_OF + dt.timedelta(days=1),
    }
    assert CareTask.objects.count() == 3


def test_a_failed_run_is_not_marked_done(store, monkeypatch):
    def broken(as_of):
        raise RuntimeError("database went away")

    monkeypatch.setattr(cadence, "RULES", (*cadence.RULES, broken))
    with pytest.raises(RuntimeError):
        run_jobs(AS_OF)
    assert not JobRun.objects.filter(name=DAILY).exists()


# Priorities under the weekly cap ---------------------------------------------------------------


def crowded_member(store):
    """A key member who, in the week of 5 November 2026, is due a new-member call (5th), a care call
    (6th) and a season greeting (立冬, 7th)."""
    slot = 5  # 6 November
    member = MemberFactory(pk=28 * 30 * 31 * 10_000 + slot, store=store, value_class="A", birthday=None)
    member.first_purchase_at = member.last_purchase_at = at(dt.date(2026, 10, 29))
    member.save()
    return member


@pytest.mark.parametrize(
    ("cap", "expected"),
    [
        (1, [Kind.NEW_MEMBER_CALL]),
        (2, [Kind.CARE_CALL, Kind.NEW_MEMBER_CALL]),
        (3, [Kind.CARE_CALL, Kind.NEW_MEMBER_CALL, Kind.SEASON_GREETING]),
    ],
)
def test_the_cap_keeps_the_more_personal_contacts(store, settings, monkeypatch, cap, expected):
    settings.CARE_OUTREACH_PER_WEEK = cap
    member = crowded_member(store)
    jobs.generate_care_tasks(as_of=dt.date(2026, 11, 5))
    assert kinds(member) == expected


def test_the_choice_does_not_depend_on_the_order_of_the_rules(store, settings, monkeypatch):
    settings.CARE_OUTREACH_PER_WEEK = 1
    member = crowded_member(store)
    monkeypatch.setattr(cadence, "RULES", tuple(reversed(cadence.RULES)))
    jobs.generate_care_tasks(as_of=dt.date(2026, 11, 5))
    assert kinds(member) == [Kind.NEW_MEMBER_CALL]


def test_a_rerun_decides_the_same(store, settings):
    settings.CARE_OUTREACH_PER_WEEK = 2
    member = crowded_member(store)
    jobs.generate_care_tasks(as_of=dt.date(2026, 11, 5))
    jobs.generate_care_tasks(as_of=dt.date(2026, 11, 5))
    jobs.generate_care_tasks(as_of=dt.date(2026, 11, 6))
    assert kinds(member) == [Kind.CARE_CALL, Kind.NEW_MEMBER_CALL]


# Cancellations ---------------------------------------------------------------------------------


def dormancy_task(member, kind, period, state=State.OPEN, **fields):
    return CareTask.objects.create(
        store=member.store,
        member=member,
        kind=kind,
        period=period,
        due_date=dt.date.fromisoformat(period) + dt.timedelta(days=91),
        reason="test",
        state=state,
        **fields,
    )


def fresh(task):
    return CareTask.objects.get(pk=task.pk)


def test_open_and_snoozed_dormancy_tasks_of_a_member_who_came_back_are_cancelled(store):
    member = MemberFactory(
        store=store, lifecycle="regular", last_purchase_at=at(AS_OF - dt.timedelta(days=2))
    )
    review = dormancy_task(member, Kind.DORMANT_REVIEW, "2025-11-01")
    call = dormancy_task(member, Kind.DORMANT_CALL, "2025-11-01", state=State.SNOOZED, snoozed_until=AS_OF)
    done = dormancy_task(member, Kind.DORMANT_REVIEW, "2025-01-01", state=State.DONE)
    assert cadence.cancel_outdated(AS_OF) == 2
    assert fresh(review).state == fresh(call).state == State.CANCELLED
    assert fresh(done).state == State.DONE
    entries = AuditEntry.objects.filter(action="care_task.cancelled").order_by("object_id")
    assert [(e.object_id, e.from_state, e.to_state) for e in entries] == [
        (str(review.pk), State.OPEN, State.CANCELLED),
        (str(call.pk), State.SNOOZED, State.CANCELLED),
    ]
    assert entries[0].data == {"why": "bought again", "member": member.pk}
    assert cadence.cancel_outdated(AS_OF) == 0
    assert AuditEntry.objects.filter(action="care_task.cancelled").count() == 2


def test_a_member_who_came_back_and_went_quiet_again_is_still_cancelled(store):
    # Bought after the review was made, and has not been back since: dormant again, for a new reason.
    member = MemberFactory(store=store, lifecycle="dormant", last_purchase_at=at(dt.date(2026, 1, 15)))
    review = dormancy_task(member, Kind.DORMANT_REVIEW, "2025-10-01", created_at=at(dt.date(2026, 1, 1)))
    assert cadence.cancel_outdated(AS_OF) == 1
    assert fresh(review).state == State.CANCELLED


def test_still_dormant_members_keep_their_tasks_and_are_not_even_read(store, monkeypatch):
    for _n in range(30):
        member = MemberFactory(store=store, lifecycle="dormant", last_purchase_at=at(dt.date(2026, 1, 15)))
        dormancy_task(member, Kind.DORMANT_REVIEW, "2026-01-15", created_at=at(dt.date(2026, 4, 16)))
    back = MemberFactory(store=store, lifecycle="regular", last_purchase_at=at(AS_OF))
    returned = dormancy_task(back, Kind.DORMANT_REVIEW, "2026-01-15")
    other_kind = CareTask.objects.create(
        store=store, member=back, kind=Kind.NEW_MEMBER_CALL, period="first", due_date=AS_OF, reason="test"
    )
    loaded = []
    original = CareTask.from_db.__func__

    def counting(cls, db, field_names, values):
        loaded.append(values)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(CareTask, "from_db", classmethod(counting))
    assert cadence.cancel_outdated(AS_OF) == 1
    assert len(loaded) == 1  # only the candidate: the 30 dormant members' tasks stay in the database
    monkeypatch.undo()
    assert fresh(returned).state == State.CANCELLED
    assert fresh(other_kind).state == State.OPEN
    assert CareTask.objects.filter(state=State.OPEN, kind=Kind.DORMANT_REVIEW).count() == 30


def test_a_purchase_on_the_dormancy_date_itself_is_not_a_return(store):
    member = MemberFactory(
        store=store, lifecycle="regular", last_purchase_at=at(dt.date(2026, 1, 15), hour=23)
    )
    review = dormancy_task(member, Kind.DORMANT_REVIEW, "2026-01-15")
    assert cadence.cancel_outdated(AS_OF) == 0
    assert fresh(review).state == State.OPEN
