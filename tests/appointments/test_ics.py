"""The visit's calendar file: a valid VCALENDAR with one VEVENT, folded and escaped by the rules."""

import datetime as dt

import pytest

from concierge.appointments import ics
from concierge.models import Appointment, Room
from tests.appointments.visit_fixtures import *  # noqa: F403  (the fixtures)
from tests.appointments.visit_fixtures import at, make_visit

pytestmark = pytest.mark.django_db


def unfold(text):
    return text.replace("\r\n ", "")


def fields(text):
    return dict(line.split(":", 1) for line in unfold(text).split("\r\n") if line)


@pytest.fixture
def visit(store, member, vip_manager, clock):
    room = Room.objects.create(store=store, name="Lounge 2; east", capacity=4)
    return make_visit(store, member, vip_manager, at(2026, 12, 2, 15, 0), minutes=90, room=room)


def test_the_event(visit, english):
    text = ics.visit_calendar(visit, stamp=at(2026, 12, 1, 10, 0), domain="example.com")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    got = fields(text)
    assert got["UID"] == f"visit-{visit.store_id}-{visit.pk}@example.com"
    assert got["DTSTAMP"] == "20261201T020000Z"  # 10:00 in Shanghai
    assert got["DTSTART"] == "20261202T070000Z"
    assert got["DTEND"] == "20261202T083000Z"
    assert got["SUMMARY"] == "Your visit to 北京王府井店"
    assert got["LOCATION"] == "北京王府井店\\, Lounge 2\\; east"
    assert got["DESCRIPTION"] == "Your host: 王丽\\nPurpose: Personal shopping"
    assert got["STATUS"] == "CONFIRMED"
    assert unfold(text).count("BEGIN:VEVENT") == 1


def test_the_uid_is_stable_and_a_moved_visit_has_a_new_sequence(visit):
    first = fields(ics.visit_calendar(visit, stamp=at(2026, 12, 1, 10, 0)))
    visit.reschedule_count = 1
    second = fields(ics.visit_calendar(visit, stamp=at(2026, 12, 1, 11, 0)))
    assert first["UID"] == second["UID"]
    assert (first["SEQUENCE"], second["SEQUENCE"]) == ("0", "1")


def test_a_cancelled_visit_says_so(visit):
    Appointment.objects.filter(pk=visit.pk).update(state=Appointment.State.CANCELLED)
    assert fields(ics.visit_calendar(Appointment.objects.get(pk=visit.pk)))["STATUS"] == "CANCELLED"


def test_escaping():
    assert ics.escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


@pytest.mark.parametrize("text", ["x" * 200, "王" * 100, "ab王" * 60, "x" * 74 + "王" * 3])
def test_folding_at_75_octets_never_inside_a_character(text):
    folded = ics.fold("DESCRIPTION:" + text)
    lines = folded.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + text


def test_a_long_line_in_the_file_is_folded(visit, store):
    visit.store.name = "很长的店名" * 10
    text = ics.visit_calendar(visit)
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert fields(text)["LOCATION"].startswith("很长的店名很长的店名")


def test_the_filename(visit):
    visit.starts_at = at(2026, 12, 2, 15, 0) + dt.timedelta(minutes=5)
    assert ics.filename(visit) == f"visit-{visit.pk}-20261202-1505.ics"
