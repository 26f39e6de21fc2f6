"""The reception's demo: rooms, contacts, hours and a block, today's board in every state, the
coming days, three months of visits with purchases for the figures; a second run gives the same."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from concierge.dates import local_midnight
from concierge.management.commands.seed_demo import STORE_CODE
from concierge.models import (
    Appointment,
    AuditEntry,
    DepartmentContact,
    PreparationItem,
    Purchase,
    ReceptionSettings,
    Room,
    StaffBlock,
    StaffHours,
    Store,
)

State = Appointment.State


pytestmark = pytest.mark.xdist_group("reception_demo")


@pytest.fixture
def seeded(db, demo_for_the_module):
    return Store.objects.get(pk=demo_for_the_module)


@pytest.fixture
def seeded_now(db, demo_for_the_module, clock):
    """Loaded again under the test's own standing clock (the module's was loaded at the real time)."""
    call_command("seed_demo", "--force", verbosity=0)
    return Store.objects.get(code=STORE_CODE)


def test_the_store_is_set_up_for_reception(seeded):
    assert Room.objects.filter(store=seeded).count() == 3
    assert DepartmentContact.objects.filter(store=seeded).exists()
    assert ReceptionSettings.objects.filter(store=seeded).exists()
    assert StaffHours.objects.filter(store=seeded).exists()
    assert StaffBlock.objects.filter(store=seeded, ends_at__gt=timezone.now()).exists()


def test_todays_board_has_every_state(seeded):
    today = Appointment.objects.filter(store=seeded).on_day(timezone.localdate())
    states = set(today.values_list("state", flat=True))
    assert states == set(State.values) - {State.FOLLOWED_UP}
    assert today.filter(walk_in=True).exists()
    waiting = today.filter(state=State.ARRIVED, acknowledged_at__isnull=True)
    answered = today.filter(state=State.ARRIVED, acknowledged_at__isnull=False)
    assert waiting.exists() and answered.exists()
    # Followed up on past days, with purchases linked for the figures; bookings in the coming days.
    visits = Appointment.objects.filter(store=seeded)
    assert visits.filter(state=State.FOLLOWED_UP).exists()
    tomorrow = local_midnight(timezone.localdate() + dt.timedelta(days=1))
    assert visits.filter(starts_at__gte=tomorrow).count() >= 5
    assert visits.filter(starts_at__lt=timezone.now() - dt.timedelta(days=80)).exists()
    assert Purchase.objects.filter(store=seeded, appointment__isnull=False).count() > 20
    assert PreparationItem.objects.filter(appointment__store=seeded, done_at__isnull=True).exists()
    assert AuditEntry.objects.filter(store=seeded, action="appointment.checked_in").exists()


def test_no_host_or_room_is_double_booked(seeded):
    holding = list(
        Appointment.objects.filter(store=seeded)
        .holding_slot()
        .values_list("host_id", "room_id", "starts_at", "ends_at")
    )
    for index, (host, room, starts, ends) in enumerate(holding):
        for other_host, other_room, other_starts, other_ends in holding[index + 1 :]:
            if starts < other_ends and other_starts < ends:
                assert host != other_host
                assert room is None or room != other_room


def test_a_second_run_gives_the_same_reception(seeded_now):
    # The clock stands still: today's visits are placed around the time of the run.
    def shape():
        store = Store.objects.get(code=STORE_CODE)
        visits = Appointment.objects.filter(store=store)
        return (
            visits.count(),
            sorted(visits.values_list("state", "walk_in", "host__username", "starts_at")),
            Room.objects.filter(store=store).count(),
            Purchase.objects.filter(Q(store=store), appointment__isnull=False).count(),
        )

    before = shape()
    call_command("seed_demo", "--force", verbosity=0)
    assert shape() == before
    assert Appointment.objects.filter(store__code=STORE_CODE).count() == before[0]
