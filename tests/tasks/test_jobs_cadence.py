"""Care calls, anniversaries, birthday gifts and lunar birthdays: the rules on hand-made dates."""

import datetime as dt

import pytest
from django.core.management import call_command

from tasks.models import CareTask
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db
Kind = CareTask.Kind


def tick(as_of):
    call_command("tick", "--as-of", as_of.isoformat(), "--force", verbosity=0)


def tasks(member, kind):
    return list(CareTask.objects.filter(member=member, kind=kind).order_by("due_date"))


# A multiple of 28, 30 and 31, far above any key the sequences reach in tests: BASE + n has its
# monthly call on day n + 1 of every month longer than n days.
BASE = 28 * 30 * 31 * 10_000


def key_member(store, slot, **fields):
    """A class-A member whose primary key puts the monthly call on day `slot + 1`."""
    return MemberFactory(pk=BASE + slot, store=store, value_class="A", birthday=None, **fields)


# Monthly care calls ----------------------------------------------------------------------------


def test_care_call_three_days_ahead_with_the_month_as_period(store, english):
    member = key_member(store, slot=14)  # due on 15 May
    tick(dt.date(2026, 5, 11))
    assert tasks(member, Kind.CARE_CALL) == []
    tick(dt.date(2026, 5, 12))
    tick(dt.date(2026, 5, 13))
    [task] = tasks(member, Kind.CARE_CALL)
    assert task.period == "2026-05"
    assert task.due_date == dt.date(2026, 5, 15)
    assert "health, family and work; no selling" in task.reason


def test_care_calls_are_spread_over_the_month(store):
    members = [key_member(store, slot=slot) for slot in (0, 9, 19, 30)]
    for day in range(1, 32):
        tick(dt.date(2026, 5, day))
    dues = sorted(task.due_date for member in members for task in tasks(member, Kind.CARE_CALL))
    assert dues[:4] == [dt.date(2026, 5, 1), dt.date(2026, 5, 10), dt.date(2026, 5, 20), dt.date(2026, 5, 31)]
    assert set(
        CareTask.objects.filter(kind=Kind.CARE_CALL, due_date__month=5).values_list("period", flat=True)
    ) == {"2026-05"}


def test_the_slot_follows_the_length_of_the_month(store):
    member = key_member(store, slot=30)  # the 31st in a 31-day month, the 1st in a 30-day one
    tick(dt.date(2026, 5, 28))
    tick(dt.date(2026, 5, 29))
    assert [(task.period, task.due_date) for task in tasks(member, Kind.CARE_CALL)] == [
        ("2026-05", dt.date(2026, 5, 31)),
        ("2026-06", dt.date(2026, 6, 1)),
    ]


def test_a_missed_care_call_is_made_up_within_three_days_only(store):
    kept = key_member(store, slot=6)  # due 7 May
    lost = key_member(store, slot=5)  # due 6 May
    tick(dt.date(2026, 5, 10))
    assert [task.due_date for task in tasks(kept, Kind.CARE_CALL)] == [dt.date(2026, 5, 7)]
    assert tasks(lost, Kind.CARE_CALL) == []


def test_the_catch_up_window_reaches_into_last_month(store):
    member = key_member(store, slot=29)  # 30 April, 30 May
    tick(dt.date(2026, 5, 3))
    assert [(task.period, task.due_date) for task in tasks(member, Kind.CARE_CALL)] == [
        ("2026-04", dt.date(2026, 4, 30))
    ]


def test_one_care_call_a_month_and_only_for_class_a(store):
    member = key_member(store, slot=4)
    b_member = MemberFactory(pk=BASE + 5, store=store, value_class="B", birthday=None)
    for day in (1, 2, 3, 4, 5, 6):
        tick(dt.date(2026, 5, day))
    tick(dt.date(2026, 6, 2))
    assert [task.period for task in tasks(member, Kind.CARE_CALL)] == ["2026-05", "2026-06"]
    assert tasks(b_member, Kind.CARE_CALL) == []


def test_care_calls_continue_while_outreach_is_paused(store):
    member = key_member(store, slot=4, outreach_paused_until=dt.date(2026, 12, 31))
    tick(dt.date(2026, 5, 3))
    assert len(tasks(member, Kind.CARE_CALL)) == 1


# Anniversaries ---------------------------------------------------------------------------------


def test_anniversary_greeting_three_days_ahead_once_a_year(store):
    member = MemberFactory(store=store, birthday=None, anniversary=dt.date(2010, 6, 8))
    tick(dt.date(2026, 6, 4))
    assert tasks(member, Kind.ANNIVERSARY_GREETING) == []
    tick(dt.date(2026, 6, 5))
    tick(dt.date(2026, 6, 8))
    [task] = tasks(member, Kind.ANNIVERSARY_GREETING)
    assert (task.period, task.due_date) == ("2026", dt.date(2026, 6, 8))
    assert "2026-06-08" in task.reason


def test_leap_day_anniversaries_are_greeted_on_the_28th(store):
    member = MemberFactory(store=store, birthday=None, anniversary=dt.date(2008, 2, 29))
    tick(dt.date(2027, 2, 25))
    [task] = tasks(member, Kind.ANNIVERSARY_GREETING)
    assert (task.period, task.due_date) == ("2027", dt.date(2027, 2, 28))
    tick(dt.date(2028, 2, 26))
    assert [task.due_date for task in tasks(member, Kind.ANNIVERSARY_GREETING)] == [
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 29),
    ]


# Birthday gifts --------------------------------------------------------------------------------


@pytest.fixture
def gift_tier(db):
    return TierFactory(birthday_gift=True)


@pytest.mark.parametrize(("days_before", "made"), [(8, False), (7, True), (0, True)])
def test_birthday_gift_seven_days_ahead_due_on_the_birthday(store, gift_tier, days_before, made):
    member = MemberFactory(store=store, tier=gift_tier, birthday=dt.date(1980, 9, 20))
    tick(dt.date(2026, 9, 20) - dt.timedelta(days=days_before))
    gifts = tasks(member, Kind.BIRTHDAY_GIFT)
    assert [(task.period, task.due_date) for task in gifts] == (
        [("2026", dt.date(2026, 9, 20))] if made else []
    )


def test_no_gift_without_the_tiers_benefit(store):
    member = MemberFactory(store=store, tier=TierFactory(birthday_gift=False), birthday=dt.date(1980, 9, 20))
    no_tier = MemberFactory(store=store, birthday=dt.date(1980, 9, 20))
    tick(dt.date(2026, 9, 18))
    for someone in (member, no_tier):
        assert tasks(someone, Kind.BIRTHDAY_GIFT) == []
        assert len(tasks(someone, Kind.BIRTHDAY_GREETING)) == 1


def test_gift_and_greeting_are_exempt_from_the_weekly_cap(store, gift_tier, settings):
    settings.CARE_OUTREACH_PER_WEEK = 1
    member = MemberFactory(store=store, tier=gift_tier, birthday=dt.date(1980, 9, 20))
    CareTask.objects.create(
        store=store,
        member=member,
        kind=Kind.CARE_CALL,
        period="2026-09",
        due_date=dt.date(2026, 9, 19),
        reason="x",
    )
    tick(dt.date(2026, 9, 18))
    assert sorted(CareTask.objects.filter(member=member).values_list("kind", flat=True)) == [
        Kind.BIRTHDAY_GIFT,
        Kind.BIRTHDAY_GREETING,
        Kind.CARE_CALL,
    ]


def test_leap_day_gift_on_the_28th(store, gift_tier):
    member = MemberFactory(store=store, tier=gift_tier, birthday=dt.date(1992, 2, 29))
    tick(dt.date(2027, 2, 21))
    [gift] = tasks(member, Kind.BIRTHDAY_GIFT)
    assert gift.due_date == dt.date(2027, 2, 28)


# Lunar birthdays -------------------------------------------------------------------------------


def lunar(store, month, day, **fields):
    # The lunar month and day, stored in a placeholder year.
    return MemberFactory(store=store, birthday=dt.date(2000, month, day), birthday_is_lunar=True, **fields)


def test_a_twelfth_month_birthday_falls_in_january_and_belongs_to_the_lunar_year(store, gift_tier):
    # Lunar 2025-12-05 is 23 January 2026.
    member = lunar(store, 12, 5, tier=gift_tier)
    tick(dt.date(2026, 1, 15))
    assert tasks(member, Kind.BIRTHDAY_GIFT) == []
    tick(dt.date(2026, 1, 16))
    tick(dt.date(2026, 1, 20))
    [gift] = tasks(member, Kind.BIRTHDAY_GIFT)
    [greeting] = tasks(member, Kind.BIRTHDAY_GREETING)
    for task in (gift, greeting):
        assert (task.period, task.due_date) == ("lunar-2025", dt.date(2026, 1, 23))
    # The lunar year 2026 has its own twelfth month, in January 2027: a new period, not a clash.
    tick(dt.date(2027, 1, 10))
    assert {task.period for task in tasks(member, Kind.BIRTHDAY_GREETING)} == {"lunar-2025", "lunar-2026"}


def test_day_thirty_of_a_29_day_month_falls_on_its_last_day(store):
    # The fifth month of lunar 2026 has 29 days: its 29th is 13 July; the sixth has 30 (30th: 12 August).
    short = lunar(store, 5, 30)
    long = lunar(store, 6, 30)
    tick(dt.date(2026, 7, 10))
    tick(dt.date(2026, 8, 9))
    assert [(t.period, t.due_date) for t in tasks(short, Kind.BIRTHDAY_GREETING)] == [
        ("lunar-2026", dt.date(2026, 7, 13))
    ]
    assert [(t.period, t.due_date) for t in tasks(long, Kind.BIRTHDAY_GREETING)] == [
        ("lunar-2026", dt.date(2026, 8, 12))
    ]


def test_a_leap_month_is_not_the_birthday_month(store):
    # Lunar 2025 has a leap sixth month: its 10th is 3 August 2025; the birthday (6/10) was on 4 July.
    member = lunar(store, 6, 10)
    tick(dt.date(2025, 7, 31))
    assert tasks(member, Kind.BIRTHDAY_GREETING) == []
    tick(dt.date(2025, 7, 2))
    assert [t.due_date for t in tasks(member, Kind.BIRTHDAY_GREETING)] == [dt.date(2025, 7, 4)]


def test_lunar_birthdays_say_so(store, english):
    member = lunar(store, 12, 5)
    tick(dt.date(2026, 1, 21))
    [greeting] = tasks(member, Kind.BIRTHDAY_GREETING)
    assert "Lunar birthday (month 12, day 5) on 2026-01-23" in greeting.reason
