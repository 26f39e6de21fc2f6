"""A task's reason is written by tick once and read by each person in their own language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from concierge.models import Assignment
from tasks import cadence
from tasks.jobs import generate_care_tasks
from tasks.models import CareTask, Holiday
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def birthday_task(store, vip_manager):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    born = dt.date(1980, tomorrow.month, min(tomorrow.day, 28))
    member = MemberFactory(store=store, name="王丽华", birthday=born)
    Assignment.objects.create(store=store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE)
    generate_care_tasks(as_of=born.replace(year=tomorrow.year) - dt.timedelta(days=1))
    task = CareTask.objects.get(member=member, kind=CareTask.Kind.BIRTHDAY_GREETING)
    assert task.assignee == vip_manager
    return task


def my_day_as(client_for, user, language):
    user.language = language
    user.save()
    return client_for(user).get(reverse("tasks:my_day")).content.decode()


def test_a_reason_made_by_tick_reads_in_english_on_my_day(client_for, vip_manager, birthday_task):
    day = birthday_task.due_date.isoformat()
    page = my_day_as(client_for, vip_manager, "en")
    assert f"Birthday on {day}" in page
    assert f"{day} 生日" not in page


def test_the_same_reason_reads_in_chinese_on_my_day(client_for, vip_manager, birthday_task):
    day = birthday_task.due_date.isoformat()
    page = my_day_as(client_for, vip_manager, "zh-hans")
    assert f"{day} 生日" in page
    assert f"Birthday on {day}" not in page


def test_the_task_keeps_the_reason_as_text_in_the_stores_language(store, birthday_task):
    assert birthday_task.reason == f"{birthday_task.due_date.isoformat()} 生日"
    assert birthday_task.reason_message["id"] == "Birthday on %(date)s"


def test_tasks_from_before_show_their_text(make_task_for_reason, client_for, vip_manager):
    make_task_for_reason("旧的原因")
    assert "旧的原因" in my_day_as(client_for, vip_manager, "en")


@pytest.fixture
def make_task_for_reason(store, vip_manager):
    def make(reason):
        member = MemberFactory(store=store)
        return CareTask.objects.create(
            store=store,
            member=member,
            assignee=vip_manager,
            kind=CareTask.Kind.CARE_CALL,
            period="old",
            due_date=timezone.localdate(),
            reason=reason,
        )

    return make


def test_a_festival_under_its_own_name_is_translated_a_renamed_one_is_not(store):
    as_of = dt.date(2026, 9, 24)  # 中秋节 2026 is on 25 September
    cadence.fill_holiday_calendars(as_of)
    festival = Holiday.objects.get(store=store, source="mid_autumn:2026")
    own = Holiday.objects.create(store=store, name="店庆日", date=festival.date)
    named = {holiday.pk: cadence._holiday_name(holiday) for holiday in (festival, own)}
    with translation.override("en"):
        assert str(named[festival.pk]) == "Mid-Autumn Festival"
    assert named[own.pk] == "店庆日"
    festival.name = "团圆节"
    festival.save()
    assert cadence._holiday_name(festival) == "团圆节"


def test_a_season_greeting_names_the_term_in_the_readers_language(store):
    member = MemberFactory(store=store, value_class="A")
    cadence.create_tasks(cadence.season_greetings(dt.date(2026, 11, 6)))
    task = CareTask.objects.get(member=member, kind=CareTask.Kind.SEASON_GREETING)
    assert task.occasion == "立冬"
    with translation.override("en"):
        assert task.display_reason == "Start of Winter on 2026-11-07: a season-change care message"
    with translation.override("zh-hans"):
        assert "立冬" in task.display_reason
