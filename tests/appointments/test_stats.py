"""The store manager's reception figures on hand-made visits: per host (booked, came, no-shows and
their rate, the answer time, conversion, sales during visits), the totals, the days, the CSV
export; who may see them; query counts flat in the number of visits."""

import csv
import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concierge.appointments import stats
from concierge.models import Appointment, Purchase, Room
from tests.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.usefixtures("english")

State = Appointment.State
DAY = timezone.localdate() - dt.timedelta(days=10)
RANGE = {"period": "custom", "start": (DAY - dt.timedelta(days=5)).isoformat(), "end": timezone.localdate()}


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def visit(store, host, state, hour, *, answer=None, walk_in=False, member=None, day=DAY, **extra):
    starts = at(hour, day=day)
    fields = {}
    if state in stats.CAME_STATES:
        fields["arrived_at"] = starts
        if answer is not None:
            fields["acknowledged_at"] = starts + dt.timedelta(minutes=answer)
    return Appointment.objects.create(
        store=store,
        member=member or MemberFactory(store=store),
        host=host,
        state=state,
        walk_in=walk_in,
        purpose=Appointment.Purpose.SHOPPING,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=50),
        **fields,
        **extra,
    )


receipts = iter(range(10_000))


def bought(appointment, amount):
    return Purchase.objects.create(
        store=appointment.store,
        member=appointment.member,
        receipt_ref=f"R{next(receipts)}",
        purchased_at=appointment.starts_at + dt.timedelta(minutes=30),
        amount=Decimal(amount),
        appointment=appointment,
    )


@pytest.fixture
def hosts(store):
    from concierge.roles import Role

    return (
        StaffFactory(username="ha", display_name="甲", store=store, roles=[Role.VIP_MANAGER]),
        StaffFactory(username="hb", display_name="乙", store=store, roles=[Role.VIP_MANAGER]),
    )


@pytest.fixture
def visits(store, other_store, hosts):
    a, b = hosts
    v1 = visit(store, a, State.FOLLOWED_UP, 10, answer=2)
    bought(v1, 1000)
    visit(store, a, State.COMPLETED, 11, answer=4)
    visit(store, a, State.NO_SHOW, 12)
    visit(store, a, State.CANCELLED, 13, cancel_reason="出差")
    v5 = visit(store, a, State.COMPLETED, 14, answer=6, walk_in=True)
    bought(v5, 500)
    bought(v5, 300)
    visit(store, a, State.REQUESTED, 16)
    visit(store, b, State.NO_SHOW, 10)
    visit(store, b, State.COMPLETED, 11, answer=10)
    # Outside the period, and another store's: not counted.
    bought(visit(store, a, State.COMPLETED, 10, answer=1, day=DAY - dt.timedelta(days=30)), 9999)
    other_host = StaffFactory(username="oh", store=other_store)
    bought(visit(other_store, other_host, State.COMPLETED, 10, answer=30), 7777)
    return a, b


def test_figures_per_host(store_manager, visits):
    a, b = visits
    figures = stats.period_figures(store_manager, DAY - dt.timedelta(days=5), timezone.localdate())
    rows = {row["host"]: row for row in figures["hosts"]}
    assert set(rows) == {a.pk, b.pk}
    first = rows[a.pk]
    assert (first["visits"], first["booked"], first["walk_ins"], first["came"], first["no_shows"]) == (
        5,
        4,
        1,
        3,
        1,
    )
    assert first["cancelled"] == 1
    assert first["no_show_rate"] == pytest.approx(100 / 3)
    assert first["answer_median"] == pytest.approx(4, abs=0.01)
    assert first["answer_avg"] == pytest.approx(4, abs=0.01)
    assert (first["converted"], first["conversion"]) == (2, pytest.approx(200 / 3))
    assert first["sales"] == Decimal("1800")
    second = rows[b.pk]
    assert (second["came"], second["no_shows"], second["no_show_rate"]) == (1, 1, 50.0)
    assert second["answer_median"] == pytest.approx(10, abs=0.01)
    assert (second["converted"], second["conversion"], second["sales"]) == (0, 0.0, Decimal("0"))
    totals = figures["totals"]
    assert totals["visits"] == 7
    assert totals["no_show_rate"] == pytest.approx(40.0)
    assert totals["answer_median"] == pytest.approx(5, abs=0.01)
    assert totals["conversion"] == pytest.approx(50.0)
    assert totals["sales"] == Decimal("1800")
    assert totals["walk_in_share"] == pytest.approx(100 / 7)


def test_the_chart_has_every_day_and_the_visits_of_the_day(store_manager, visits):
    chart = stats.period_figures(store_manager, DAY - dt.timedelta(days=5), timezone.localdate())["chart"]
    assert chart["daily"]
    assert len(chart["rows"]) == 16
    day = next(row for row in chart["rows"] if row["day"] == DAY)
    assert (day["total"], day["came"], day["walk_ins"], day["no_shows"], day["other"]) == (7, 3, 1, 2, 1)
    assert day["came_bar"] + day["walk_ins_bar"] + day["no_shows_bar"] + day["other_bar"] == pytest.approx(
        100
    )
    assert chart["total"] == 7


def test_a_long_period_is_drawn_per_week(store_manager, visits):
    chart = stats.period_figures(store_manager, DAY - dt.timedelta(days=200), timezone.localdate())["chart"]
    assert not chart["daily"]
    assert chart["total"] == 8
    assert all(row["day"].weekday() == 0 for row in chart["rows"])


def test_the_page_shows_the_figures(client_for, store_manager, visits):
    response = client_for(store_manager).get(reverse("concierge:reception_stats"), RANGE)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "甲" in page and "乙" in page
    assert "33%" in page  # host 甲's no-show rate
    assert "¥1,800" in page
    assert "data-bar-width" in page
    assert 'style="' not in page


def test_the_default_period_and_bad_dates(client_for, store_manager, visits):
    client = client_for(store_manager)
    assert client.get(reverse("concierge:reception_stats")).status_code == 200
    response = client.get(
        reverse("concierge:reception_stats"), {"period": "custom", "start": "2020-05-01", "end": "2020-01-01"}
    )
    assert response.status_code == 200
    assert "The last day comes before the first." in html.unescape(response.content.decode())


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_floor_roles_are_refused(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("concierge:reception_stats")).status_code == 403
    assert client.get(reverse("concierge:reception_export"), RANGE).status_code == 403


def test_another_store_sees_only_its_own(client_for, other_manager, visits):
    page = client_for(other_manager).get(reverse("concierge:reception_stats"), RANGE).content.decode()
    assert "甲" not in page


def test_the_overview_links_to_the_figures(client_for, store_manager):
    page = client_for(store_manager).get(reverse("concierge:overview")).content.decode()
    assert reverse("concierge:reception_stats") in page


# ---- the CSV export ------------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_lists_the_visits_of_the_range(client_for, store_manager, visits, store):
    a, _b = visits
    room = Room.objects.create(store=store, name="贵宾室")
    sneaky = MemberFactory(store=store, name="=HYPERLINK(1)")
    extra = visit(store, a, State.COMPLETED, 18, answer=3, member=sneaky, room=room)
    bought(extra, 250)
    response = client_for(store_manager).get(
        reverse("concierge:reception_export"), {"start": RANGE["start"], "end": RANGE["end"]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[0] == "Number"
    assert len(body) == 9  # the eight of the day, the cancelled one included, and the one added
    row = next(r for r in body if r[0] == str(extra.pk))
    record = dict(zip(header, row, strict=True))
    assert record["Member"] == "'=HYPERLINK(1)"
    assert record["Room or lounge"] == "贵宾室"
    assert record["Host"] == "甲"
    assert record["State"] == "Seen off"
    assert record["Minutes to answer"] == "3.0"
    assert record["Purchases during the visit"] == "1"
    assert record["Sales during the visit (yuan)"] == "250.00"
    cancelled = next(
        dict(zip(header, r, strict=True)) for r in body if r[header.index("State")] == "Cancelled"
    )
    assert cancelled["Why cancelled"] == "出差"
    assert "7777.00" not in str(body)


def test_a_bad_export_range_is_a_field_error(client_for, store_manager):
    response = client_for(store_manager).get(reverse("concierge:reception_export"), {"start": "x", "end": ""})
    assert response.status_code == 200
    assert "Check the dates of the export." in html.unescape(response.content.decode())


# ---- queries -------------------------------------------------------------------------------------


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_visits(client_for, store_manager, hosts, store):
    client = client_for(store_manager)
    a, b = hosts
    page, export = reverse("concierge:reception_stats"), reverse("concierge:reception_export")
    dates = {"start": RANGE["start"], "end": RANGE["end"]}
    bought(visit(store, a, State.COMPLETED, 10, answer=2), 100)
    few = (_queries(client, page, RANGE), _queries(client, export, dates))
    for offset in range(1, 9):
        day = DAY - dt.timedelta(days=offset % 4)
        for host in (a, b):
            bought(visit(store, host, State.FOLLOWED_UP, 9 + offset, answer=offset, day=day), 100 * offset)
        visit(store, a, State.NO_SHOW, 9 + offset, day=day + dt.timedelta(days=4))
    many = (_queries(client, page, RANGE), _queries(client, export, dates))
    assert many == few
    assert few[0] <= 12
