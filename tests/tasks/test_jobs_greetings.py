"""Holiday and season-change greetings: the calendar filled in once, the store's changes kept."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from concierge import actions
from tasks.calendar import SEASON_TERMS
from tasks.models import CareTask, Holiday
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db
Kind = CareTask.Kind
MID_AUTUMN_2026 = dt.date(2026, 9, 25)
LIDONG_2026 = dt.date(2026, 11, 7)


def tick(as_of):
    call_command("tick", "--as-of", as_of.isoformat(), "--force", verbosity=0)


def greeted(kind=Kind.HOLIDAY_GREETING, store=None):
    tasks = CareTask.objects.filter(kind=kind)
    if store is not None:
        tasks = tasks.filter(store=store)
    return set(tasks.values_list("member_id", flat=True))


@pytest.fixture
def audience(store, other_store, vip_manager, store_manager):
    """Who a greeting goes to in `store`, and who it does not."""
    looked_after = MemberFactory(store=store, tier=TierFactory(dedicated_manager=True), value_class="C")
    actions.assign_member(looked_after, vip_manager, actor=store_manager, direct=True)
    return {
        "key": MemberFactory(store=store, value_class="A"),
        "looked_after": looked_after,
        "ordinary": MemberFactory(store=store, value_class="B"),
        "elsewhere": MemberFactory(store=other_store, value_class="B"),
        "key_elsewhere": MemberFactory(store=other_store, value_class="A"),
    }


def test_festivals_are_filled_in_once_for_every_store(store, other_store):
    tick(dt.date(2026, 3, 1))
    tick(dt.date(2026, 3, 2))
    for each in (store, other_store):
        sources = list(Holiday.objects.filter(store=each).values_list("source", flat=True))
        assert len(sources) == len(set(sources)) == 10  # five festivals, this year and next
        assert {"mid_autumn:2026", "spring_festival:2027"} <= set(sources)
    assert Holiday.objects.get(store=store, source="mid_autumn:2026").date == MID_AUTUMN_2026


@pytest.mark.parametrize(
    ("as_of", "made"),
    [
        (MID_AUTUMN_2026 - dt.timedelta(days=3), False),
        (MID_AUTUMN_2026 - dt.timedelta(days=2), True),
        (MID_AUTUMN_2026, True),
        (MID_AUTUMN_2026 + dt.timedelta(days=2), True),  # a short catch-up
        (MID_AUTUMN_2026 + dt.timedelta(days=3), False),
    ],
)
def test_holiday_greeting_two_days_ahead(store, audience, as_of, made):
    tick(as_of)
    expected = {audience["key"].pk, audience["looked_after"].pk} if made else set()
    assert greeted(store=store) == expected


def test_holiday_greeting_names_the_holiday_and_is_due_on_the_day(store, audience, vip_manager):
    tick(dt.date(2026, 9, 23))
    tick(dt.date(2026, 9, 24))
    holiday = Holiday.objects.get(store=store, source="mid_autumn:2026")
    tasks = CareTask.objects.filter(kind=Kind.HOLIDAY_GREETING, store=store)
    assert tasks.count() == 2
    for task in tasks:
        assert task.period == f"holiday-{holiday.pk}"
        assert task.occasion == holiday.name
        assert task.due_date == MID_AUTUMN_2026
        assert holiday.name in task.reason
    assert tasks.get(member=audience["looked_after"]).assignee == vip_manager
    assert tasks.get(member=audience["key"]).assignee is None


def test_each_store_greets_on_its_own_calendar(store, other_store, audience):
    tick(dt.date(2026, 9, 1))  # fills both calendars
    Holiday.objects.filter(store=other_store, source="mid_autumn:2026").update(greet=False)
    tick(dt.date(2026, 9, 24))
    assert greeted() == {audience["key"].pk, audience["looked_after"].pk}
    Holiday.objects.create(store=other_store, name="店庆", date=dt.date(2026, 10, 10))
    tick(dt.date(2026, 10, 9))
    tasks = CareTask.objects.filter(kind=Kind.HOLIDAY_GREETING, occasion="店庆")
    assert set(tasks.values_list("member_id", flat=True)) == {audience["key_elsewhere"].pk}


def test_greetings_off_makes_no_tasks(store, audience):
    tick(dt.date(2026, 9, 1))
    Holiday.objects.filter(store=store, source="mid_autumn:2026").update(greet=False)
    tick(dt.date(2026, 9, 24))
    assert greeted(store=store) == set()
    assert greeted() == {audience["key_elsewhere"].pk}  # the other store still greets
    tick(dt.date(2026, 9, 2))  # filling in again does not turn them back on
    assert not Holiday.objects.get(store=store, source="mid_autumn:2026").greet


def test_a_moved_holiday_is_greeted_on_its_new_date(store, audience):
    tick(dt.date(2026, 9, 1))
    Holiday.objects.filter(store=store, source="mid_autumn:2026").update(date=dt.date(2026, 9, 30))
    tick(dt.date(2026, 9, 24))
    assert greeted(store=store) == set()
    tick(dt.date(2026, 9, 28))
    assert set(
        CareTask.objects.filter(kind=Kind.HOLIDAY_GREETING, store=store).values_list("due_date", flat=True)
    ) == {dt.date(2026, 9, 30)}
    assert Holiday.objects.get(store=store, source="mid_autumn:2026").date == dt.date(2026, 9, 30)


def test_the_stores_own_dates_are_greeted_too(store, audience):
    Holiday.objects.create(store=store, name="会员日", date=dt.date(2026, 6, 18))
    tick(dt.date(2026, 6, 17))
    assert set(
        CareTask.objects.filter(kind=Kind.HOLIDAY_GREETING, occasion="会员日").values_list(
            "member_id", flat=True
        )
    ) == {audience["key"].pk, audience["looked_after"].pk}


def test_a_member_whose_manager_is_gone_is_not_in_the_audience(store, audience, store_manager):
    assignment = audience["looked_after"].assignments.get()
    actions.release_member(assignment, actor=store_manager, reason="left")
    tick(MID_AUTUMN_2026)
    assert greeted(store=store) == {audience["key"].pk}


# Season change ---------------------------------------------------------------------------------


def term_name(key):
    with translation.override(settings.LANGUAGE_CODE):
        return next(str(name) for term_key, _term, name in SEASON_TERMS if term_key == key)


@pytest.mark.parametrize(
    ("as_of", "made"),
    [
        (LIDONG_2026 - dt.timedelta(days=3), False),
        (LIDONG_2026 - dt.timedelta(days=2), True),
        (LIDONG_2026 + dt.timedelta(days=2), True),
        (LIDONG_2026 + dt.timedelta(days=3), False),
    ],
)
def test_season_greeting_at_the_start_of_winter(store, audience, as_of, made):
    tick(as_of)
    expected = {audience[name].pk for name in ("key", "looked_after", "key_elsewhere")} if made else set()
    assert greeted(Kind.SEASON_GREETING) == expected
    for task in CareTask.objects.filter(kind=Kind.SEASON_GREETING):
        assert (task.period, task.due_date, task.occasion) == (
            "2026-lidong",
            LIDONG_2026,
            term_name("lidong"),
        )


def test_all_four_season_starts_once_each(store, settings):
    # A class-A member's monthly care call falls on the day its id gives: with two of them near 立春
    # (31 January and early February) the weekly cap would leave the greeting out, for some ids only.
    settings.CARE_OUTREACH_PER_WEEK = 9
    member = MemberFactory(store=store, value_class="A", birthday=None)
    # 立春 4 February, 立夏 5 May, 立秋 7 August, 立冬 7 November 2026; ticks on two days around each.
    for month, day in ((2, 3), (2, 4), (5, 4), (5, 5), (8, 5), (8, 9), (11, 6), (11, 7), (12, 1)):
        tick(dt.date(2026, month, day))
    tasks = CareTask.objects.filter(member=member, kind=Kind.SEASON_GREETING).order_by("due_date")
    assert [(task.period, task.due_date) for task in tasks] == [
        ("2026-lichun", dt.date(2026, 2, 4)),
        ("2026-lixia", dt.date(2026, 5, 5)),
        ("2026-liqiu", dt.date(2026, 8, 7)),
        ("2026-lidong", dt.date(2026, 11, 7)),
    ]


def test_season_greeting_speaks_the_store_language(store, audience, english, settings):
    tick(LIDONG_2026)
    task = CareTask.objects.filter(kind=Kind.SEASON_GREETING).first()
    assert task.occasion == "Start of Winter"
    assert "Start of Winter on 2026-11-07" in task.reason
