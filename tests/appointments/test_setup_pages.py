"""The reception set-up in the store's Settings: rooms and lounges, department contacts, hosts'
working hours and blocked times, the reception rules. Who may open and change them, store scoping,
field errors in the page, one "reception_setup.*" audit entry per change, shown on "Recent changes"."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.appointments import setup
from concierge.errors import ActionRefused
from concierge.models import (
    Appointment,
    AuditEntry,
    Department,
    DepartmentContact,
    ReceptionSettings,
    Room,
    StaffBlock,
    StaffHours,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.usefixtures("english")

PAGES = [
    "concierge:setup_rooms",
    "concierge:setup_departments",
    "concierge:setup_staff_hours",
    "concierge:setup_reception",
]


def text(response):
    return html.unescape(response.content.decode())


def codes():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def room_post(prefix="new", **values):
    data = {"name": "VIP 1", "kind": "lounge", "capacity": "6", **values}
    return {f"{prefix}-{key}": value for key, value in data.items()}


def local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# ---- who gets in -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_the_store_manager_opens_every_page(client_for, store_manager, vip_manager, name):
    response = client_for(store_manager).get(reverse(name))
    assert response.status_code == 200
    # The Settings bar lists the reception pages.
    assert reverse("concierge:setup_rooms") in text(response)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_the_floor_roles_are_refused(request, client_for, name, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), room_post()).status_code in (403, 405)
    assert not Room.objects.exists()


def test_the_settings_bar_shows_the_reception_pages_to_the_manager(client_for, store_manager):
    page = text(client_for(store_manager).get(reverse("concierge:setup_staff")))
    assert reverse("concierge:setup_rooms") in page


# ---- rooms -------------------------------------------------------------------------------------------


def test_adding_a_room(client_for, store_manager):
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_rooms"), room_post())
    assert response.status_code == 302
    room = Room.objects.get()
    assert (room.store, room.name, room.kind, room.capacity, room.active) == (
        store_manager.store,
        "VIP 1",
        "lounge",
        6,
        True,
    )
    entry = AuditEntry.objects.get()
    assert entry.action == "reception_setup.room_added"
    assert entry.store == store_manager.store
    assert entry.actor == store_manager


def test_bad_room_input_gives_field_errors_in_the_page(client_for, store_manager):
    Room.objects.create(store=store_manager.store, name="VIP 1")
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_rooms"), room_post(name="vip 1", capacity="0"))
    assert response.status_code == 200
    page = text(response)
    assert "The store already has a room called vip 1." in page
    assert "greater than or equal to 1" in page
    assert Room.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_changing_a_room_records_what_changed(client_for, store_manager):
    room = Room.objects.create(store=store_manager.store, name="VIP 1", capacity=4)
    client = client_for(store_manager)
    data = room_post(f"room-{room.pk}", name="VIP 一号", kind="private", capacity="8")
    assert client.post(reverse("concierge:setup_room", args=[room.pk]), data).status_code == 302
    room.refresh_from_db()
    assert (room.name, room.kind, room.capacity) == ("VIP 一号", "private", 8)
    entry = AuditEntry.objects.get()
    assert entry.action == "reception_setup.room_changed"
    assert entry.data["changed"] == {
        "name": ["VIP 1", "VIP 一号"],
        "kind": ["lounge", "private"],
        "capacity": [4, 8],
    }
    # The same post again changes nothing and writes nothing.
    client.post(reverse("concierge:setup_room", args=[room.pk]), data)
    assert AuditEntry.objects.count() == 1


def test_bookable_off_and_on(client_for, store_manager):
    room = Room.objects.create(store=store_manager.store, name="VIP 1")
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_room_bookable", args=[room.pk]), {"bookable": "0"})
    room.refresh_from_db()
    assert not room.active
    client.post(reverse("concierge:setup_room_bookable", args=[room.pk]), {"bookable": "1"})
    room.refresh_from_db()
    assert room.active
    assert codes() == ["reception_setup.room_unbookable", "reception_setup.room_bookable"]


def test_moving_a_room_renumbers_the_list(client_for, store_manager):
    store = store_manager.store
    first = Room.objects.create(store=store, name="A", position=0)
    second = Room.objects.create(store=store, name="B", position=0)
    third = Room.objects.create(store=store, name="C", position=0)
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_room_move", args=[third.pk]), {"direction": "up"})
    assert list(Room.objects.filter(store=store).values_list("name", flat=True)) == ["A", "C", "B"]
    # The first one cannot go further up: nothing moves, nothing is written.
    client.post(reverse("concierge:setup_room_move", args=[first.pk]), {"direction": "up"})
    assert list(Room.objects.filter(store=store).values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    assert codes() == ["reception_setup.room_moved"]


def _visit(store, host, room, hours=0, **extra):
    # Hours apart: on PostgreSQL a host cannot have two visits at once.
    starts = timezone.now() + dt.timedelta(days=1, hours=2 * hours)
    return Appointment.objects.create(
        store=store,
        member=MemberFactory(store=store),
        host=host,
        room=room,
        purpose=Appointment.Purpose.SHOPPING,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        **extra,
    )


def test_deleting_an_unused_room(client_for, store_manager):
    room = Room.objects.create(store=store_manager.store, name="VIP 1")
    response = client_for(store_manager).post(reverse("concierge:setup_room_delete", args=[room.pk]))
    assert response.status_code == 302
    assert not Room.objects.exists()
    assert codes() == ["reception_setup.room_deleted"]


def test_deleting_a_room_used_by_visits_is_refused_with_not_bookable_offered(
    client_for, store_manager, vip_manager
):
    room = Room.objects.create(store=store_manager.store, name="VIP 1")
    _visit(store_manager.store, vip_manager, room)
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_room_delete", args=[room.pk]), follow=True)
    assert "Make it not bookable instead" in text(response)
    assert Room.objects.filter(pk=room.pk).exists()
    assert not AuditEntry.objects.exists()
    # The page offers "not bookable", not "delete", for a room in use.
    page = text(client.get(reverse("concierge:setup_rooms")))
    assert reverse("concierge:setup_room_delete", args=[room.pk]) not in page
    assert reverse("concierge:setup_room_bookable", args=[room.pk]) in page


def test_another_stores_room_is_a_404(client_for, other_manager, store_manager):
    room = Room.objects.create(store=store_manager.store, name="VIP 1")
    client = client_for(other_manager)
    for name, data in [
        ("concierge:setup_room", room_post(f"room-{room.pk}", name="x")),
        ("concierge:setup_room_bookable", {"bookable": "0"}),
        ("concierge:setup_room_move", {"direction": "down"}),
        ("concierge:setup_room_delete", {}),
    ]:
        assert client.post(reverse(name, args=[room.pk]), data).status_code == 404
    room.refresh_from_db()
    assert room.name == "VIP 1" and room.active
    assert "VIP 1" not in text(client.get(reverse("concierge:setup_rooms")))


def test_the_action_refuses_another_stores_manager(other_manager, store_manager):
    room = Room.objects.create(store=store_manager.store, name="VIP 1")
    with pytest.raises(ActionRefused):
        setup.change_room(room, actor=other_manager, values={"name": "x", "kind": "lounge", "capacity": 2})
    with pytest.raises(ActionRefused):
        setup.add_room(actor=store_manager, values={"name": " ", "kind": "lounge", "capacity": 2})


# ---- department contacts -------------------------------------------------------------------------


def test_naming_department_contacts(client_for, store_manager, front_desk, vip_manager):
    client = client_for(store_manager)
    data = {"catering": [front_desk.pk, vip_manager.pk], "brand": [vip_manager.pk]}
    assert client.post(reverse("concierge:setup_departments"), data).status_code == 302
    named = set(DepartmentContact.objects.values_list("department", "staff_id"))
    assert named == {
        (Department.CATERING, front_desk.pk),
        (Department.CATERING, vip_manager.pk),
        (Department.BRAND, vip_manager.pk),
    }
    entry = AuditEntry.objects.get()
    assert entry.action == "reception_setup.contacts_changed"
    assert entry.data["departments"] == {
        "catering": [[], sorted([str(front_desk), str(vip_manager)])],
        "brand": [[], [str(vip_manager)]],
    }
    # Nobody named again: the front desk.
    client.post(reverse("concierge:setup_departments"), {"brand": [vip_manager.pk]})
    assert set(DepartmentContact.objects.values_list("department", flat=True)) == {Department.BRAND}
    assert "The front desk" in text(client.get(reverse("concierge:setup_departments")))


def test_another_stores_colleague_cannot_be_named(client_for, store_manager, other_manager):
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_departments"), {"catering": [other_manager.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not DepartmentContact.objects.exists()
    with pytest.raises(ActionRefused):
        setup.save_department_contacts(actor=store_manager, contacts={"catering": [other_manager]})


# ---- working hours and blocks --------------------------------------------------------------------


def hours_post(**overrides):
    data = {"mode": "own"}
    for day in range(5):
        data[f"day{day}_works"] = "on"
        data[f"day{day}_starts"], data[f"day{day}_ends"] = "10:00", "19:00"
    data.update(overrides)
    return data


def test_the_hosts_list_shows_vip_managers(client_for, store_manager, vip_manager, front_desk):
    page = text(client_for(store_manager).get(reverse("concierge:setup_staff_hours")))
    assert str(vip_manager) in page
    assert reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk]) in page
    assert reverse("concierge:setup_staff_hours_detail", args=[front_desk.pk]) not in page


def test_setting_a_hosts_week(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk])
    assert client.post(url, hours_post()).status_code == 302
    rows = set(StaffHours.objects.values_list("weekday", "starts", "ends", "store_id"))
    assert rows == {(day, dt.time(10), dt.time(19), store_manager.store_id) for day in range(5)}
    entry = AuditEntry.objects.get()
    assert entry.action == "reception_setup.hours_changed"
    assert entry.data["week_before"] == {}
    assert entry.data["week_after"]["0"] == "10:00\u201319:00"
    assert entry.data["week_after"]["6"] == ""
    # Back to the store's hours: no rows.
    client.post(url, {"mode": "store"})
    assert not StaffHours.objects.exists()
    assert AuditEntry.objects.count() == 2


def test_bad_hours_give_field_errors(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk])
    response = client.post(url, hours_post(day0_ends="09:00", day1_starts=""))
    assert response.status_code == 200
    page = text(response)
    assert "Give when they start, or untick the day." in page
    assert "after" in page  # the closing time must come after the opening
    response = client.post(url, {"mode": "own"})
    assert "Tick at least one working day" in text(response)
    assert not StaffHours.objects.exists()
    assert not AuditEntry.objects.exists()


def test_blocking_time_and_removing_it(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {"starts_at": f"{tomorrow}T14:00", "ends_at": f"{tomorrow}T16:00", "reason": "品牌培训"}
    url = reverse("concierge:setup_staff_block_add", args=[vip_manager.pk])
    assert client.post(url, data).status_code == 302
    block = StaffBlock.objects.get()
    assert (block.staff, block.starts_at, block.ends_at, block.reason) == (
        vip_manager,
        local(tomorrow, 14),
        local(tomorrow, 16),
        "品牌培训",
    )
    page = text(client.get(reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk])))
    assert "品牌培训" in page
    client.post(reverse("concierge:setup_staff_block_delete", args=[block.pk]))
    assert not StaffBlock.objects.exists()
    assert codes() == ["reception_setup.block_added", "reception_setup.block_removed"]


def test_a_backwards_or_past_block_is_a_field_error(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_block_add", args=[vip_manager.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url, {"starts_at": f"{tomorrow}T16:00", "ends_at": f"{tomorrow}T14:00"})
    assert response.status_code == 200
    assert "The blocked time must end after it starts." in text(response)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url, {"starts_at": f"{yesterday}T10:00", "ends_at": f"{yesterday}T11:00"})
    assert "This time has passed" in text(response)
    assert not StaffBlock.objects.exists()


def test_another_stores_host_and_block_are_404(client_for, other_manager, store_manager, vip_manager):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    block = StaffBlock.objects.create(
        store=store_manager.store,
        staff=vip_manager,
        starts_at=tomorrow,
        ends_at=tomorrow + dt.timedelta(hours=1),
    )
    client = client_for(other_manager)
    detail = reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, hours_post()).status_code == 404
    assert (
        client.post(reverse("concierge:setup_staff_block_add", args=[vip_manager.pk]), {}).status_code == 404
    )
    assert client.post(reverse("concierge:setup_staff_block_delete", args=[block.pk])).status_code == 404
    assert StaffBlock.objects.exists()
    assert not StaffHours.objects.exists()
    with pytest.raises(ActionRefused):
        setup.save_staff_hours(actor=other_manager, staff=vip_manager, week=None)


# ---- the reception rules -------------------------------------------------------------------------


def rules_post(**overrides):
    return {**{field: str(value) for field, value in ReceptionSettings.DEFAULTS.items()}, **overrides}


def test_saving_the_rules(client_for, store_manager):
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_reception"), rules_post(ack_minutes="3"))
    assert response.status_code == 302
    saved = ReceptionSettings.objects.get(store=store_manager.store)
    assert saved.ack_minutes == 3
    entry = AuditEntry.objects.get()
    assert entry.action == "reception_setup.rules_changed"
    assert entry.data["changed"] == {"ack_minutes": [5, 3]}


def test_rules_out_of_range_are_field_errors(client_for, store_manager):
    client = client_for(store_manager)
    response = client.post(reverse("concierge:setup_reception"), rules_post(no_show_minutes="1"))
    assert response.status_code == 200
    assert "greater than or equal to 5" in text(response)
    assert not ReceptionSettings.objects.exists()
    with pytest.raises(ActionRefused):
        setup.save_reception_settings(
            actor=store_manager, values={**ReceptionSettings.DEFAULTS, "ack_minutes": 0}
        )


# ---- the change log ------------------------------------------------------------------------------


def test_every_change_shows_on_recent_changes(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_rooms"), room_post(name="贵宾室一"))
    client.post(reverse("concierge:setup_departments"), {"catering": [vip_manager.pk]})
    client.post(reverse("concierge:setup_staff_hours_detail", args=[vip_manager.pk]), hours_post())
    client.post(reverse("concierge:setup_reception"), rules_post(ack_minutes="3"))
    page = text(client.get(reverse("concierge:setup_changes")))
    assert "Room or lounge added" in page
    assert "贵宾室一" in page
    assert "Department contacts changed" in page
    assert "Catering: the front desk → " in page
    assert "Working hours changed" in page
    assert "the store's opening hours → Monday 10:00\u201319:00" in page
    assert "Reception rules changed" in page
    assert ": 5 → 3" in page


def test_the_change_log_stays_in_its_store(client_for, store_manager, other_manager):
    client = client_for(store_manager)
    client.post(reverse("concierge:setup_rooms"), room_post(name="贵宾室一"))
    assert "贵宾室一" in text(client.get(reverse("concierge:setup_changes")))  # the flash is read here
    assert "贵宾室一" not in text(client_for(other_manager).get(reverse("concierge:setup_changes")))


def test_the_rooms_page_is_flat_in_queries(
    client_for, store_manager, vip_manager, django_assert_max_num_queries
):
    store = store_manager.store
    client = client_for(store_manager)
    for number in range(12):
        room = Room.objects.create(store=store, name=f"R{number}")
        if number % 3 == 0:
            _visit(store, vip_manager, room, hours=number)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("concierge:setup_rooms")).status_code == 200
