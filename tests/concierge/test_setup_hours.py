"""Opening hours, closed dates and special hours, and days off in the store's Settings: who may open
and change them, store scoping, the errors on the fields, one audit entry per change, and what the
business calendar (the complaint SLA clock's input) reads afterwards."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge import setup_hours
from concierge.errors import ActionRefused
from concierge.models import AuditEntry, OpeningHours, SpecialDay, StaffAbsence
from concierge.opening import business_calendar, staff_off

pytestmark = pytest.mark.usefixtures("english")

T = dt.time
PAGES = ["concierge:setup_hours", "concierge:setup_days_off"]


def week_post(**overrides):
    """Every day 10:00-22:00, with the given fields changed (day0_closes="12:00", ...)."""
    data = {}
    for day in range(7):
        data[f"day{day}_opens"], data[f"day{day}_closes"] = "10:00", "22:00"
    data.update(overrides)
    return data


def page_text(response):
    return html.unescape(response.content.decode())


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


# ---- who gets in -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_the_store_manager_opens_the_pages(client_for, store_manager, name):
    assert client_for(store_manager).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_the_floor_roles_are_refused(request, client_for, name, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), week_post()).status_code == 403
    assert not OpeningHours.objects.exists()


def test_a_handler_cannot_record_days_off(client_for, complaint_handler, vip_manager):
    data = {"staff": vip_manager.pk, "first_day": later(1), "last_day": later(2)}
    assert client_for(complaint_handler).post(reverse("concierge:setup_days_off"), data).status_code == 403
    assert not StaffAbsence.objects.exists()


def test_the_settings_bar_links_the_new_pages(client_for, store_manager):
    page = page_text(client_for(store_manager).get(reverse("concierge:setup_staff")))
    assert reverse("concierge:setup_hours") in page
    assert reverse("concierge:setup_days_off") in page


# ---- the week ----------------------------------------------------------------------------------------


def test_without_hours_the_page_explains_the_default(client_for, store_manager):
    page = page_text(client_for(store_manager).get(reverse("concierge:setup_hours")))
    assert "No opening hours are set yet: the store counts 10:00–22:00 every day." in page


def test_the_week_is_saved_with_a_lunch_break_a_midnight_close_and_a_closed_day(
    client_for, store_manager, store
):
    data = week_post(day0_closes="12:00", day0_opens2="13:00", day0_closes2="22:00", day5_closes="00:00")
    data["day6_closed"] = "on"
    response = client_for(store_manager).post(reverse("concierge:setup_hours"), data)
    assert response.status_code == 302
    calendar = business_calendar(store.pk)
    assert not calendar.is_default
    assert calendar.opening_hours[0] == [(T(10), T(12)), (T(13), T(22))]
    assert calendar.opening_hours[5] == [(T(10), T(0))]
    assert 6 not in calendar.opening_hours
    entry = AuditEntry.objects.get(action="hours.week_changed")
    assert entry.actor == store_manager and entry.store == store
    assert entry.data["was_default"] is True
    assert entry.data["days"]["0"] == ["10:00–22:00", "10:00–12:00, 13:00–22:00"]
    assert entry.data["days"]["6"] == ["10:00–22:00", ""]
    assert "1" not in entry.data["days"]  # as the default was


def test_saving_the_same_week_again_writes_nothing(client_for, store_manager):
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_hours"), week_post(day1_closes="21:00"))
    response = client.post(reverse("concierge:setup_hours"), week_post(day1_closes="21:00"), follow=True)
    assert "Nothing was changed." in page_text(response)
    assert AuditEntry.objects.filter(action="hours.week_changed").count() == 1


def test_only_the_changed_days_are_rewritten_and_audited(client_for, store_manager, store):
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_hours"), week_post())
    client.post(reverse("concierge:setup_hours"), week_post(day4_closes="23:00"))
    entry = AuditEntry.objects.filter(action="hours.week_changed").latest("id")
    assert entry.data == {"was_default": False, "days": {"4": ["10:00–22:00", "10:00–23:00"]}}
    assert OpeningHours.objects.filter(store=store).count() == 7


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        (
            {"day2_opens": "18:00", "day2_closes": "09:00"},
            "The closing time must come after the opening time (00:00 closes at midnight).",
        ),
        (
            {"day2_closes": "14:00", "day2_opens2": "13:00", "day2_closes2": "22:00"},
            "The two periods overlap: the second must start after the first closes.",
        ),
        ({"day2_opens": ""}, "Give the opening time, or tick “closed”."),
        ({"day2_opens2": "13:00"}, "Give when the store closes after the break."),
        ({"day2_closes": "25:00"}, "Enter a valid time."),
    ],
)
def test_a_bad_day_is_shown_on_its_row_and_nothing_is_written(
    client_for, store_manager, overrides, field_error
):
    response = client_for(store_manager).post(reverse("concierge:setup_hours"), week_post(**overrides))
    assert response.status_code == 200
    assert field_error in page_text(response)
    assert not OpeningHours.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="hours.").exists()


def test_a_week_closed_every_day_is_refused(client_for, store_manager):
    data = week_post(**{f"day{day}_closed": "on" for day in range(7)})
    response = client_for(store_manager).post(reverse("concierge:setup_hours"), data)
    assert response.status_code == 200
    assert "The store must open on at least one day of the week" in page_text(response)
    assert not OpeningHours.objects.exists()


def test_the_action_checks_the_periods_itself(store_manager):
    week = {day: [(T(10), T(22))] for day in range(7)}
    week[3] = [(T(10), T(14)), (T(13), T(22))]
    with pytest.raises(ActionRefused, match="overlap"):
        setup_hours.save_opening_hours(actor=store_manager, week=week)
    week[3] = [(T(10), T(12)), (T(13), T(15)), (T(16), T(22))]
    with pytest.raises(ActionRefused, match="at most two"):
        setup_hours.save_opening_hours(actor=store_manager, week=week)
    assert not OpeningHours.objects.exists()


def test_another_stores_manager_cannot_change_this_stores_week(store_manager, other_manager, store):
    setup_hours.save_opening_hours(actor=store_manager, week={d: [(T(9), T(17))] for d in range(7)})
    setup_hours.save_opening_hours(actor=other_manager, week={d: [(T(8), T(20))] for d in range(7)})
    assert business_calendar(store.pk).opening_hours[0] == [(T(9), T(17))]


# ---- closed dates and special hours -------------------------------------------------------------------


def date_post(prefix, **values):
    return {f"{prefix}-{key}": value for key, value in values.items()}


def test_spring_festival_eve_closes_early_and_the_calendar_reads_it(client_for, store_manager, store):
    eve = later(30)
    data = date_post("new-date", date=eve, name="除夕", kind="hours", opens="10:00", closes="17:00")
    assert client_for(store_manager).post(reverse("concierge:setup_special_day_add"), data).status_code == 302
    assert business_calendar(store.pk).opening_hours[eve] == [(T(10), T(17))]
    entry = AuditEntry.objects.get(action="hours.date_added")
    assert entry.data == {"date": eve.isoformat(), "name": "除夕", "hours": "10:00–17:00"}
    page = page_text(client_for(store_manager).get(reverse("concierge:setup_hours")))
    assert "除夕" in page


def test_a_closed_date_closes_the_day(client_for, store_manager, store):
    day = later(31)
    data = date_post("new-date", date=day, name="春节", kind="closed", opens="10:00")
    client_for(store_manager).post(reverse("concierge:setup_special_day_add"), data)
    assert day in business_calendar(store.pk).closed_dates
    assert SpecialDay.objects.get().opens is None  # the times typed before choosing "closed" are dropped


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "hours", "opens": "17:00", "closes": "10:00"}, "The closing time must come after"),
        ({"kind": "hours", "opens": "10:00"}, "Give the closing time that day"),
        ({"date": "2020-01-01"}, "This date has passed"),
        ({"kind": "other"}, "Select a valid choice."),
    ],
)
def test_a_bad_date_comes_back_with_its_error(client_for, store_manager, values, message):
    data = date_post("new-date", **{"date": later(5), "name": "x", "kind": "closed", **values})
    response = client_for(store_manager).post(reverse("concierge:setup_special_day_add"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not SpecialDay.objects.exists()


def test_a_date_has_one_entry(client_for, store_manager, store):
    SpecialDay.objects.create(store=store, date=later(9), name="店庆")
    data = date_post("new-date", date=later(9), name="again", kind="closed")
    response = client_for(store_manager).post(reverse("concierge:setup_special_day_add"), data)
    assert "This date already has an entry (店庆): change that one." in page_text(response)
    assert SpecialDay.objects.count() == 1


def test_a_date_is_changed_then_deleted_each_audited(client_for, store_manager, store):
    day = SpecialDay.objects.create(store=store, date=later(9), name="店庆")
    client = client_for(store_manager)
    data = date_post(
        f"date-{day.pk}", date=later(9), name="店庆", kind="hours", opens="12:00", closes="00:00"
    )
    assert client.post(reverse("concierge:setup_special_day", args=[day.pk]), data).status_code == 302
    day.refresh_from_db()
    assert (day.closed, day.opens, day.closes) == (False, T(12), T(0))
    changed = AuditEntry.objects.get(action="hours.date_changed").data["changed"]
    assert changed == {"hours": ["", "12:00–00:00"]}
    assert client.post(reverse("concierge:setup_special_day_delete", args=[day.pk])).status_code == 302
    assert not SpecialDay.objects.exists()
    assert AuditEntry.objects.filter(action="hours.date_removed").count() == 1


def test_another_stores_dates_are_404_and_untouched(client_for, other_manager, store):
    day = SpecialDay.objects.create(store=store, date=later(9), name="店庆")
    client = client_for(other_manager)
    data = date_post(f"date-{day.pk}", date=later(10), name="hacked", kind="closed")
    assert client.post(reverse("concierge:setup_special_day", args=[day.pk]), data).status_code == 404
    assert client.post(reverse("concierge:setup_special_day_delete", args=[day.pk])).status_code == 404
    assert "店庆" not in page_text(client.get(reverse("concierge:setup_hours")))
    day.refresh_from_db()
    assert day.name == "店庆"


# ---- days off ----------------------------------------------------------------------------------------


def test_days_off_are_recorded_listed_and_make_the_person_off(
    client_for, store_manager, complaint_handler, store
):
    data = {"staff": complaint_handler.pk, "first_day": later(0), "last_day": later(2), "note": "年假"}
    client = client_for(store_manager)
    assert client.post(reverse("concierge:setup_days_off"), data).status_code == 302
    assert staff_off([complaint_handler.pk], later(1)) == {complaint_handler.pk}
    assert staff_off([complaint_handler.pk], later(3)) == set()
    entry = AuditEntry.objects.get(action="absences.added")
    assert entry.data["staff"] == "赵敏" and entry.data["note"] == "年假"
    page = page_text(client.get(reverse("concierge:setup_days_off")))
    assert "赵敏" in page and "Off today" in page


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (5, 3, "The last day off cannot be before the first."),
        (-5, -3, "These days have passed: record days off from today on."),
        (1, 500, "Record at most a year at a time."),
    ],
)
def test_bad_days_off_come_back_with_the_error(client_for, store_manager, vip_manager, first, last, message):
    data = {"staff": vip_manager.pk, "first_day": later(first), "last_day": later(last)}
    response = client_for(store_manager).post(reverse("concierge:setup_days_off"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not StaffAbsence.objects.exists()


def test_overlapping_days_off_are_refused_on_the_form(client_for, store_manager, vip_manager, store):
    StaffAbsence.objects.create(store=store, staff=vip_manager, first_day=later(2), last_day=later(4))
    data = {"staff": vip_manager.pk, "first_day": later(4), "last_day": later(6)}
    response = client_for(store_manager).post(reverse("concierge:setup_days_off"), data)
    assert response.status_code == 200
    assert "王丽 is already off from" in page_text(response)
    assert StaffAbsence.objects.count() == 1


def test_days_off_for_another_stores_staff_are_refused(client_for, store_manager, other_manager):
    data = {"staff": other_manager.pk, "first_day": later(1), "last_day": later(1)}
    response = client_for(store_manager).post(reverse("concierge:setup_days_off"), data)
    assert response.status_code == 200
    assert "Select a valid choice." in page_text(response)
    with pytest.raises(ActionRefused):
        setup_hours.add_absence(
            actor=store_manager, staff=other_manager, first_day=later(1), last_day=later(1)
        )
    assert not StaffAbsence.objects.exists()


def test_days_off_are_removed_and_audited_but_never_across_stores(
    client_for, store_manager, other_manager, vip_manager, store
):
    absence = StaffAbsence.objects.create(
        store=store, staff=vip_manager, first_day=later(1), last_day=later(2)
    )
    url = reverse("concierge:setup_absence_delete", args=[absence.pk])
    assert client_for(other_manager).post(url).status_code == 404
    assert "王丽" not in page_text(client_for(other_manager).get(reverse("concierge:setup_days_off")))
    assert StaffAbsence.objects.exists()
    assert client_for(store_manager).post(url).status_code == 302
    assert not StaffAbsence.objects.exists()
    assert AuditEntry.objects.filter(action="absences.removed").count() == 1


def test_the_change_log_lists_hours_and_days_off(client_for, store_manager, vip_manager, other_manager):
    setup_hours.save_opening_hours(actor=store_manager, week={d: [(T(9), T(17))] for d in range(7)})
    setup_hours.add_absence(actor=store_manager, staff=vip_manager, first_day=later(1), last_day=later(2))
    page = page_text(client_for(store_manager).get(reverse("concierge:setup_changes")))
    assert "Opening hours changed" in page and "Monday: 10:00–22:00 → 09:00–17:00" in page
    assert "Days off recorded" in page
    assert "Days off recorded" not in page_text(
        client_for(other_manager).get(reverse("concierge:setup_changes"))
    )
