"""The arrivals board, the host's arrival page and walk-ins, through their views; the live push."""

import datetime as dt

import pytest
from django.urls import reverse

from concierge.appointments import arrivals
from concierge.models import Alert, Appointment
from tests.appointments.arrivals_support import *  # noqa: F403  (the fixtures)
from tests.appointments.arrivals_support import at, fresh, visit
from tests.factories import MemberFactory, PurchaseFactory
from tests.helpers import HTMX

State = Appointment.State
pytestmark = pytest.mark.django_db
BOARD = "/reception/"


@pytest.fixture
def booked(store, member, vip_manager, lounge, clock):
    return visit(
        store, member, vip_manager, at(2026, 12, 1, 14, 30), room=lounge, party_size=2, car_plate="京B777"
    )


def test_the_board_shows_todays_visits_for_the_desk(client_for, front_desk, booked, english):
    page = client_for(front_desk).get(BOARD)
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "14:30",
        "Ms 张",
        "张美玲",
        "SVIP",
        "badge-A",
        "王丽",
        "贵宾室一",
        "京B777",
        "1/2",
        "Check in",
    ):
        assert expected in text
    assert 'id="board-signal"' in text and "data-refresh-on-board" in text


@pytest.mark.parametrize("persona", ["vip_manager", "store_manager"])
def test_vip_managers_and_the_manager_see_the_board(client_for, request, booked, persona):
    page = client_for(request.getfixturevalue(persona)).get(BOARD)
    assert page.status_code == 200 and "张美玲" in page.content.decode()


def test_other_roles_and_stores(client_for, complaint_handler, other_manager, booked):
    assert client_for(complaint_handler).get(BOARD).status_code == 403
    page = client_for(other_manager).get(BOARD)
    assert page.status_code == 200 and "张美玲" not in page.content.decode()
    assert client_for(other_manager).get(f"/visits/{booked.pk}/arrived/").status_code == 404
    assert client_for(other_manager).post(f"/visits/{booked.pk}/check-in/").status_code == 404
    assert fresh(booked).state == State.CONFIRMED


def test_the_filters(client_for, front_desk, store, member, vip_manager, clock):
    visit(store, member, vip_manager, at(2026, 12, 1, 14, 30))
    visit(store, MemberFactory(store=store, name="晚到的人"), vip_manager, at(2026, 12, 1, 18, 0))
    visit(store, MemberFactory(store=store, name="昨天的人"), vip_manager, at(2026, 11, 30, 18, 0))
    client = client_for(front_desk)
    now = client.get(BOARD + "?when=now").content.decode()
    later = client.get(BOARD + "?when=later").content.decode()
    today = client.get(BOARD).content.decode()
    assert "张美玲" in now and "晚到的人" not in now
    assert "晚到的人" in later and "张美玲" not in later
    assert "张美玲" in today and "晚到的人" in today and "昨天的人" not in today
    by_host = client.get(BOARD + f"?host={front_desk.pk}").content.decode()
    assert "张美玲" not in by_host
    assert client.get(BOARD + "?when=bogus").status_code == 400


def test_the_boards_query_count_stays_flat(
    client_for, front_desk, store, vip_manager, vip2, lounge, clock, django_assert_max_num_queries
):
    client = client_for(front_desk)
    visit(store, MemberFactory(store=store), vip_manager, at(2026, 12, 1, 20, 0))
    client.get(BOARD)
    # The rows, their checklists, and the names of hosts, rooms and tiers (one query each).
    with django_assert_max_num_queries(14) as few:
        client.get(BOARD)
    for n in range(30):
        visit(
            store,
            MemberFactory(store=store),
            (vip_manager, vip2)[n % 2],
            at(2026, 12, 1, 9, 0) + dt.timedelta(minutes=20 * n),
            minutes=15,  # no host or room twice at once: PostgreSQL's constraints hold in tests too
            room=lounge if n % 3 else None,
        )
    # Rooms and tiers appear now: their name queries are the only ones added.
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        page = client.get(BOARD)
    assert page.content.decode().count('class="board-row') == 31


def test_one_tap_checks_in_and_the_row_updates(client_for, front_desk, vip_manager, booked, english):
    page = client_for(front_desk).post(f"/visits/{booked.pk}/check-in/", **HTMX)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.lstrip().startswith('<li class="board-row state-arrived')
    assert "waiting 0 min" in text and "Ms 张 checked in" in text
    assert fresh(booked).state == State.ARRIVED
    assert Alert.objects.filter(recipient=vip_manager, kind="appointment.arrived").count() == 1


def test_a_refused_check_in_says_why_in_the_row(client_for, front_desk, store_manager, booked, english):
    arrivals.check_in_appointment(booked, actor=store_manager)
    page = client_for(front_desk).post(f"/visits/{booked.pk}/check-in/", **HTMX)
    assert page.status_code == 200
    assert "Already “Arrived”: 陈静" in page.content.decode()


def test_a_plain_post_goes_back_to_the_board(client_for, front_desk, booked):
    page = client_for(front_desk).post(f"/visits/{booked.pk}/check-in/")
    assert page.status_code == 302 and page.url == reverse("concierge:board")


def test_the_host_answers_and_the_board_shows_who_is_coming(
    client_for, front_desk, vip_manager, booked, clock, english
):
    arrivals.check_in_appointment(booked, actor=front_desk)
    clock.advance(minutes=3)
    board = client_for(front_desk).get(BOARD).content.decode()
    assert "waiting 3 min" in board
    host = client_for(vip_manager)
    arrival = host.get(f"/visits/{booked.pk}/arrived/").content.decode()
    assert "On my way" in arrival
    answered = host.post(f"/visits/{booked.pk}/on-my-way/", **HTMX).content.decode()
    assert "王丽 is on the way" in answered
    assert "On my way</button>" not in answered
    board = client_for(front_desk).get(BOARD).content.decode()
    assert "王丽 on the way" in board


def test_the_desk_cannot_answer_for_the_host(client_for, front_desk, booked, english):
    arrivals.check_in_appointment(booked, actor=front_desk)
    page = client_for(front_desk).get(f"/visits/{booked.pk}/arrived/").content.decode()
    assert "On my way</button>" not in page
    refused = client_for(front_desk).post(f"/visits/{booked.pk}/on-my-way/", **HTMX)
    assert refused.status_code == 200 and "Only the visit" in refused.content.decode()


def test_the_cheat_sheet(client_for, vip_manager, front_desk, store, member, booked, english):
    Appointment.objects.filter(pk=booked.pk).update(drinks="热柠檬水", allergies="花生", brands="Chanel")
    PurchaseFactory(member=member, items="真丝衬衫", amount="3200.00")
    visit(store, member, vip_manager, at(2026, 10, 1, 11, 0), state=State.COMPLETED)
    arrivals.check_in_appointment(booked, actor=front_desk)
    page = client_for(vip_manager).get(f"/visits/{booked.pk}/arrived/")
    text = page.content.decode()
    for expected in (
        "喜欢安静，偏爱真丝",
        "上衣 M，鞋 37",
        "热柠檬水",
        "花生",
        "Chanel",
        "真丝衬衫",
        "¥3,200",
        "2026-10-01",
        "贵宾室一",
    ):
        assert expected in text


# ---- walk-ins ------------------------------------------------------------------------------------


def test_a_walk_in_is_found_by_a_past_visits_car_plate(
    client_for, front_desk, store, member, vip_manager, clock
):
    member.car_plate = ""
    member.save()
    visit(store, member, vip_manager, at(2026, 11, 2, 11, 0), state=State.COMPLETED, car_plate="沪C88888")
    client = client_for(front_desk)
    found = client.get("/reception/walk-in/?q=沪C88888", **HTMX).content.decode()
    assert "张美玲" in found
    assert "张美玲" in client.get(f"/reception/walk-in/?q={member.phone_last4}", **HTMX).content.decode()
    assert "张美玲" in client.get(f"/reception/walk-in/?q={member.member_no}", **HTMX).content.decode()
    assert "张美玲" not in client.get("/reception/walk-in/?q=沪Z00000", **HTMX).content.decode()


def test_the_walk_in_form_picks_the_members_vip_manager(
    client_for, front_desk, store_manager, member, vip_manager
):
    from concierge import actions

    member.tier.dedicated_manager = True
    member.tier.save()
    actions.assign_member(member, vip_manager, actor=store_manager, direct=True)
    page = client_for(front_desk).get(f"/reception/walk-in/?member={member.pk}").content.decode()
    assert f'<option value="{vip_manager.pk}" selected>' in page


def test_a_walk_in_checked_in_on_the_spot(client_for, front_desk, member, vip_manager, clock):
    page = client_for(front_desk).post(
        "/reception/walk-in/",
        {"member": member.pk, "host": vip_manager.pk, "purpose": "shopping", "party_size": 1},
    )
    assert page.status_code == 302
    walked = Appointment.objects.get()
    assert walked.walk_in and walked.state == State.ARRIVED


def test_a_refused_walk_in_keeps_the_form_and_says_why(
    client_for, front_desk, store, member, vip_manager, clock, english
):
    visit(
        store,
        MemberFactory(store=store, name="李建", gender="m"),
        vip_manager,
        at(2026, 12, 1, 13, 30),
        state=State.IN_SERVICE,
    )
    page = client_for(front_desk).post(
        "/reception/walk-in/",
        {"member": member.pk, "host": vip_manager.pk, "purpose": "shopping", "party_size": 1},
        **HTMX,
    )
    assert page.status_code == 200
    assert "王丽 is with Mr 李 until 14:30: choose another host." in page.content.decode()
    assert Appointment.objects.count() == 1


def test_walk_ins_are_for_the_desk_and_managers(
    client_for, complaint_handler, other_manager, member, vip_manager
):
    assert client_for(complaint_handler).get("/reception/walk-in/").status_code == 403
    assert client_for(other_manager).get(f"/reception/walk-in/?member={member.pk}").status_code == 404
    page = client_for(other_manager).post(
        "/reception/walk-in/",
        {"member": member.pk, "host": vip_manager.pk, "purpose": "shopping", "party_size": 1},
    )
    assert page.status_code == 200
    assert not Appointment.objects.exists()
