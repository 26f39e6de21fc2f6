"""The care tasks around a visit: the host's confirmation the day before, the thank-you call the day
after, what completing them does to the visit, and the visit in the task's panel."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from concierge.appointments import visits
from concierge.errors import ActionRefused
from concierge.models import Appointment, AuditEntry, ContactLog, Room
from concierge.roles import Role
from tasks import actions, etiquette, jobs, messages, visit_tasks
from tasks.models import CareTask
from tasks.models.messages import Purpose
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX
from tests.tasks.helpers import fresh, text

pytestmark = pytest.mark.django_db
Kind = CareTask.Kind
State = Appointment.State
TODAY = dt.date(2026, 12, 2)  # a Wednesday: tomorrow is Thursday 3 December
TOMORROW = TODAY + dt.timedelta(days=1)


def at(day, hour=14, minute=30):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def book(member, host, day, hour=14, state=State.REQUESTED, **fields):
    starts = at(day, hour)
    return Appointment.objects.create(
        store=member.store,
        member=member,
        host=host,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        purpose=Appointment.Purpose.SHOPPING,
        state=state,
        **fields,
    )


@pytest.fixture
def member(store):
    return MemberFactory(store=store, name="王丽华", gender="f", form_of_address="王女士")


@pytest.fixture
def room(store):
    return Room.objects.create(store=store, name="贵宾室二")


def confirmations(**lookup):
    return list(CareTask.objects.filter(kind=Kind.VISIT_CONFIRMATION, **lookup).order_by("pk"))


def fresh_visit(visit):
    return Appointment.objects.get(pk=visit.pk)


# The confirmation task ----------------------------------------------------------------------------


def test_tomorrows_booked_visits_get_one_confirmation_task_for_their_host(store, member, vip_manager):
    visit = book(member, vip_manager, TOMORROW)
    book(MemberFactory(store=store), vip_manager, TOMORROW, hour=10, state=State.CONFIRMED)
    book(MemberFactory(store=store), vip_manager, TOMORROW, hour=11, state=State.CANCELLED)
    book(MemberFactory(store=store), vip_manager, TODAY, hour=16)
    book(MemberFactory(store=store), vip_manager, TOMORROW + dt.timedelta(days=1))

    assert jobs.visit_confirmations(as_of=TODAY) == {"confirmations": 1}
    (task,) = confirmations()
    assert (task.appointment, task.member, task.assignee, task.store) == (visit, member, vip_manager, store)
    assert task.due_date == TODAY
    assert task.state == CareTask.State.OPEN
    assert "2026-12-03 14:30" in task.reason

    # Every minute after: nothing more, however often it runs.
    assert jobs.visit_confirmations(as_of=TODAY) == {}
    call_command("tick", "--as-of", TODAY.isoformat(), verbosity=0)
    assert len(confirmations()) == 1


def test_a_visit_booked_later_in_the_day_for_tomorrow_gets_its_task_at_the_next_minute(
    store, member, vip_manager
):
    assert jobs.visit_confirmations(as_of=TODAY) == {}
    visit = book(member, vip_manager, TOMORROW, hour=9)
    assert jobs.visit_confirmations(as_of=TODAY) == {"confirmations": 1}
    assert confirmations()[0].appointment == visit


def test_each_store_s_visits_go_to_their_own_host(store, other_store, member, vip_manager):
    other_host = StaffFactory(store=other_store, roles=[Role.VIP_MANAGER])
    theirs = book(MemberFactory(store=other_store), other_host, TOMORROW)
    book(member, vip_manager, TOMORROW)
    jobs.visit_confirmations(as_of=TODAY)
    (task,) = confirmations(store=other_store)
    assert (task.appointment, task.assignee) == (theirs, other_host)


def test_a_visit_readied_before_the_member_confirmed_still_gets_its_confirmation(store, member, vip_manager):
    waiting = book(member, vip_manager, TOMORROW, state=State.PREPARED)
    book(
        MemberFactory(store=store),
        vip_manager,
        TOMORROW,
        hour=10,
        state=State.PREPARED,
        confirmed_at=timezone.now(),
    )
    assert jobs.visit_confirmations(as_of=TODAY) == {"confirmations": 1}
    (task,) = confirmations()
    assert task.appointment == waiting


def test_a_host_who_left_leaves_the_task_in_the_pool(member, vip_manager):
    vip_manager.is_active = False
    vip_manager.save()
    book(member, vip_manager, TOMORROW)
    jobs.visit_confirmations(as_of=TODAY)
    assert confirmations()[0].assignee is None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda visit: Appointment.objects.filter(pk=visit.pk).update(state=State.CANCELLED),
            id="cancelled",
        ),
        pytest.param(
            lambda visit: Appointment.objects.filter(pk=visit.pk).update(state=State.CONFIRMED),
            id="confirmed",
        ),
        pytest.param(
            lambda visit: Appointment.objects.filter(pk=visit.pk).update(
                starts_at=at(TOMORROW + dt.timedelta(days=3)), ends_at=at(TOMORROW + dt.timedelta(days=3), 16)
            ),
            id="moved",
        ),
        pytest.param(lambda visit: visit.delete(), id="deleted"),
    ],
)
def test_a_confirmation_no_longer_needed_is_closed_by_the_job(member, vip_manager, change):
    visit = book(member, vip_manager, TOMORROW)
    keeps = book(MemberFactory(store=member.store), vip_manager, TOMORROW, hour=10)
    jobs.visit_confirmations(as_of=TODAY)
    (task,) = confirmations(appointment=visit)
    (kept,) = confirmations(appointment=keeps)
    change(visit)
    assert jobs.visit_confirmations(as_of=TODAY) == {"confirmations_closed": 1}
    assert fresh(task).state == CareTask.State.CANCELLED
    assert fresh(kept).state == CareTask.State.OPEN
    entry = AuditEntry.objects.get(action="care_task.cancelled")
    assert (entry.object_id, entry.data["why"]) == (str(task.pk), "visit changed")
    assert jobs.visit_confirmations(as_of=TODAY) == {}


def test_a_visit_moved_within_tomorrow_keeps_its_task(member, vip_manager):
    visit = book(member, vip_manager, TOMORROW)
    jobs.visit_confirmations(as_of=TODAY)
    Appointment.objects.filter(pk=visit.pk).update(starts_at=at(TOMORROW, 17), ends_at=at(TOMORROW, 18))
    assert jobs.visit_confirmations(as_of=TODAY) == {}
    assert confirmations()[0].state == CareTask.State.OPEN


def test_a_visit_moved_to_another_day_is_confirmed_the_day_before_its_new_date(member, vip_manager):
    visit = book(member, vip_manager, TOMORROW)
    jobs.visit_confirmations(as_of=TODAY)
    later = TOMORROW + dt.timedelta(days=2)
    Appointment.objects.filter(pk=visit.pk).update(
        starts_at=at(later), ends_at=at(later, 16), reschedule_count=1
    )
    jobs.visit_confirmations(as_of=TODAY)
    jobs.visit_confirmations(as_of=later - dt.timedelta(days=1))
    first, second = confirmations()
    assert first.state == CareTask.State.CANCELLED
    assert (second.state, second.due_date, second.appointment) == (
        CareTask.State.OPEN,
        later - dt.timedelta(days=1),
        visit,
    )


# The drafted message ------------------------------------------------------------------------------


@pytest.fixture
def confirmation(member, vip_manager, room):
    book(member, vip_manager, TOMORROW, room=room, drinks="龙井", items_to_pull="藏青大衣 38 码")
    jobs.visit_confirmations(as_of=TODAY)
    return confirmations()[0]


def test_the_confirmation_draft_greets_the_member_and_names_time_store_and_host(confirmation, vip_manager):
    purpose, draft = messages.draft_for(confirmation, vip_manager, "zh-hans")
    assert purpose == Purpose.VISIT_CONFIRMATION
    assert draft.startswith("王女士您好！")
    assert "12月3日（周四）14:30" in draft
    assert draft.endswith("——北京王府井店 王丽")
    with translation.override("en"):
        _purpose, english = messages.draft_for(confirmation, vip_manager, "en")
    assert english.startswith("Dear 王女士,")
    assert "Thursday 3 December at 14:30" in english
    assert english.endswith("— 北京王府井店 王丽")
    for language, body in (("zh-hans", draft), ("en", english)):
        assert (
            etiquette.check_message(
                body,
                purpose,
                store=confirmation.store,
                language=language,
                staff_name="王丽",
                store_name="北京王府井店",
            )
            == []
        )


def test_the_form_of_address_is_the_members_own_when_given(confirmation, member, vip_manager):
    member.form_of_address = "王总"
    member.save()
    assert messages.draft_for(fresh(confirmation), vip_manager, "zh-hans")[1].startswith("王总您好！")
    # None given: the surname and the gender's title, in the message's language.
    member.form_of_address = ""
    member.save()
    assert messages.draft_for(fresh(confirmation), vip_manager, "en")[1].startswith("Dear Ms 王,")


@pytest.mark.parametrize("purpose", [Purpose.VISIT_CONFIRMATION, Purpose.THANK_YOU])
def test_a_visit_message_that_sells_or_is_unsigned_is_warned_about(store, purpose):
    def check(body):
        return [
            warning.code
            for warning in etiquette.check_message(
                body, purpose, store=store, language="zh-hans", staff_name="王丽", store_name="北京王府井店"
            )
        ]

    assert check("王女士您好！明天14:30见，店里正在打折。\n——北京王府井店 王丽") == ["promotion"]
    assert check("Dear Ms Wang, see you tomorrow. Our sale starts then!\n— 北京王府井店 王丽") == [
        "promotion"
    ]
    assert check("王女士您好！明天14:30见。") == ["signature"]


def test_the_store_can_word_the_confirmation_itself(confirmation, vip_manager):
    from tasks.models import MessageTemplate

    MessageTemplate.objects.create(
        store=confirmation.store,
        purpose=Purpose.VISIT_CONFIRMATION,
        language="zh-hans",
        body="{member}，{time}见！\n{store} {staff}",
    )
    assert (
        messages.draft_for(confirmation, vip_manager, "zh-hans")[1]
        == "王女士，12月3日（周四）14:30见！\n北京王府井店 王丽"
    )


# Completing the confirmation ----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["message_sent", "reached"])
def test_the_host_records_the_confirmation_and_the_visit_shows_confirmed(confirmation, vip_manager, outcome):
    actions.complete_task(confirmation, actor=vip_manager, outcome=outcome, message="王女士您好！")
    visit = fresh_visit(confirmation.appointment)
    assert visit.state == State.CONFIRMED and visit.confirmed_at is not None
    assert fresh(confirmation).state == CareTask.State.DONE
    entry = AuditEntry.objects.get(action="appointment.confirmed")
    assert (entry.actor, entry.object_id) == (vip_manager, str(visit.pk))
    assert ContactLog.objects.get(member=confirmation.member).outcome == outcome
    # Confirmed now: the minute job has nothing to close, nor to make again.
    assert jobs.visit_confirmations(as_of=TODAY) == {}


def test_the_store_manager_may_record_it_for_the_host(confirmation, store_manager):
    actions.complete_task(confirmation, actor=store_manager, outcome="reached")
    assert fresh_visit(confirmation.appointment).state == State.CONFIRMED


def test_a_colleague_who_is_not_given_the_task_may_not(confirmation, colleague):
    with pytest.raises(ActionRefused):
        actions.complete_task(confirmation, actor=colleague, outcome="reached")
    assert fresh_visit(confirmation.appointment).state == State.REQUESTED
    assert fresh(confirmation).state == CareTask.State.OPEN


def test_a_visit_the_desk_confirmed_meanwhile_stays_confirmed(confirmation, vip_manager, front_desk):
    from concierge.appointments.booking import confirm_appointment

    confirm_appointment(confirmation.appointment, actor=front_desk)
    actions.complete_task(confirmation, actor=vip_manager, outcome="reached")
    assert fresh(confirmation).state == CareTask.State.DONE
    assert AuditEntry.objects.filter(action="appointment.confirmed").count() == 1


@translation.override("en")
def test_a_visit_cancelled_meanwhile_is_not_confirmed(confirmation, vip_manager):
    Appointment.objects.filter(pk=confirmation.appointment_id).update(state=State.CANCELLED)
    with pytest.raises(ActionRefused, match="nothing to confirm"):
        actions.complete_task(confirmation, actor=vip_manager, outcome="reached")
    assert fresh(confirmation).state == CareTask.State.OPEN
    assert not ContactLog.objects.exists()


# The thank-you call -------------------------------------------------------------------------------


def seen_off(member, host, day, **fields):
    return book(member, host, day, state=State.COMPLETED, completed_at=at(day, 15, 45), **fields)


def thank_yous(**lookup):
    return list(CareTask.objects.filter(kind=Kind.THANK_YOU_CALL, **lookup).order_by("pk"))


def test_the_day_after_a_visit_seen_off_its_host_gets_a_thank_you_call(store, member, vip_manager):
    yesterday = TODAY - dt.timedelta(days=1)
    visit = seen_off(member, vip_manager, yesterday)
    seen_off(MemberFactory(store=store), vip_manager, TODAY)  # seen off today: tomorrow's call
    book(MemberFactory(store=store), vip_manager, yesterday, state=State.NO_SHOW)
    book(MemberFactory(store=store), vip_manager, yesterday, hour=10, state=State.FOLLOWED_UP)
    seen_off(MemberFactory(store=store), vip_manager, TODAY - dt.timedelta(days=10))  # long past

    assert jobs.thank_you_calls(as_of=TODAY) == {"thank_you_calls": 1}
    (task,) = thank_yous()
    assert (task.appointment, task.assignee, task.due_date) == (visit, vip_manager, TODAY)
    assert "2026-12-01" in task.reason
    assert jobs.thank_you_calls(as_of=TODAY) == {}
    # Run by tick: daily, and a task already made is not made again the next day.
    call_command("tick", "--as-of", (TODAY + dt.timedelta(days=1)).isoformat(), verbosity=0)
    assert len(thank_yous(appointment=visit)) == 1
    assert len(thank_yous()) == 2


@pytest.fixture
def thank_you(member, vip_manager):
    seen_off(member, vip_manager, TODAY - dt.timedelta(days=1))
    jobs.thank_you_calls(as_of=TODAY)
    return thank_yous()[0]


def test_the_thank_you_draft_names_the_day_of_the_visit(thank_you, vip_manager):
    purpose, draft = messages.draft_for(thank_you, vip_manager, "zh-hans")
    assert purpose == Purpose.THANK_YOU
    assert "感谢您12月1日（周二）光临北京王府井店" in draft
    assert "14:30" not in draft


@pytest.mark.parametrize("who", ["vip_manager", "store_manager"])
def test_completing_the_thank_you_call_follows_the_visit_up(thank_you, who, request):
    actor = request.getfixturevalue(who)
    actions.complete_task(thank_you, actor=actor, outcome="reached", note="很满意")
    visit = fresh_visit(thank_you.appointment)
    assert visit.state == State.FOLLOWED_UP and visit.followed_up_at is not None
    assert AuditEntry.objects.get(action="appointment.followed_up").actor == actor


def test_a_colleague_handed_the_call_records_the_follow_up(thank_you, colleague, store_manager):
    actions.hand_out_tasks([thank_you], actor=store_manager, to_users=[colleague])
    actions.complete_task(fresh(thank_you), actor=colleague, outcome="reached")
    assert fresh(thank_you).state == CareTask.State.DONE
    assert fresh_visit(thank_you.appointment).state == State.FOLLOWED_UP
    assert AuditEntry.objects.get(action="appointment.followed_up").actor == colleague


@translation.override("en")
def test_a_colleague_without_the_call_may_not_record_the_follow_up(thank_you, colleague):
    with pytest.raises(ActionRefused, match="host"):
        visits.follow_up_appointment(thank_you.appointment, actor=colleague)
    assert fresh_visit(thank_you.appointment).state == State.COMPLETED


def test_visit_tasks_do_not_count_against_the_weekly_contact_cap(settings, thank_you, confirmation):
    assert {Kind.VISIT_CONFIRMATION, Kind.THANK_YOU_CALL} <= CareTask.CAP_EXEMPT


# The task's panel -------------------------------------------------------------------------------


def test_the_panel_shows_the_visit_and_its_draft(client_for, english, confirmation, vip_manager):
    page = text(client_for(vip_manager).get(reverse("tasks:task_detail", args=[confirmation.pk])))
    assert "Confirm the visit" in page
    assert reverse("concierge:visit_detail", args=[confirmation.appointment_id]) in page
    assert "贵宾室二" in page and "龙井" in page and "藏青大衣 38 码" in page
    assert "Personal shopping" in page
    assert "Thursday 3 December at 14:30" in page
    assert "Sent, the member confirmed" in page and "Confirmed on the phone" in page
    assert "Nothing to fix: the message follows the etiquette." in page


def test_confirming_from_the_panel_moves_the_visit(client_for, english, confirmation, vip_manager):
    client = client_for(vip_manager)
    response = client.post(
        reverse("tasks:complete", args=[confirmation.pk]),
        {"page": "panel", "from": "day", "outcome": "message_sent", "message": "hi"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "The visit shows confirmed." in text(response)
    assert fresh_visit(confirmation.appointment).state == State.CONFIRMED


def test_a_refusal_is_shown_in_the_panel(client_for, english, confirmation, vip_manager):
    Appointment.objects.filter(pk=confirmation.appointment_id).update(state=State.CANCELLED)
    response = client_for(vip_manager).post(
        reverse("tasks:complete", args=[confirmation.pk]),
        {"page": "panel", "from": "day", "outcome": "reached"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "there is nothing to confirm" in text(response)
    assert fresh(confirmation).state == CareTask.State.OPEN


def test_another_store_s_manager_never_sees_the_task(client_for, confirmation, other_manager):
    client = client_for(other_manager)
    assert client.get(reverse("tasks:task_detail", args=[confirmation.pk])).status_code == 404
    response = client.post(reverse("tasks:complete", args=[confirmation.pk]), {"outcome": "reached"})
    assert response.status_code == 404
    assert fresh_visit(confirmation.appointment).state == State.REQUESTED


def test_the_period_keeps_within_its_column(store, member, vip_manager):
    visit = book(member, vip_manager, TOMORROW)
    visit.pk = 9_999_999_999
    visit.reschedule_count = 32767
    assert len(visit_tasks.confirmation_period(visit)) <= CareTask._meta.get_field("period").max_length
