"""The CSV export of complaints: the rows and columns, formula cells neutralised, the date range
checked on the page, and streamed."""

import csv
import io
import re
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from complaints.models import Complaint
from concierge.exports import csv_lines, neutralised
from tests.complaints.conftest import at
from tests.complaints.test_overview import make

State = Complaint.State
URL = reverse("complaints:export")
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


def read(response):
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel in China reads UTF-8 only with it
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(start):
    assert neutralised(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("text", ["plain", "1+1", "a=b", "", "#12", "'quoted"])
def test_other_cells_are_left_alone(text):
    assert neutralised(text) == text


def test_numbers_and_nothing():
    assert neutralised(12) == "12"
    assert neutralised(Decimal("50.00")) == "50.00"
    assert neutralised(None) == ""


def test_the_header_is_neutralised_too():
    lines = list(csv_lines(["=x", "ok"], [["-1", "@a"]]))
    assert lines[0] == "\ufeff'=x,ok\r\n"
    assert lines[1] == "'-1,'@a\r\n"


def test_one_row_per_complaint_with_every_column(
    client_for, store, store_manager, complaint_handler, quality, member, english
):
    member.name = "张美玲"
    member.save()
    first = make(store, quality, member=member, customer_name="", recorded=at(2026, 10, 20, 10, 0))
    make(
        store, quality, member=member, customer_name="", handler=complaint_handler,
        recorded=at(2026, 11, 2, 10, 5), counter="Dior", public_risk=True, severity="critical",
        first_contact_at=at(2026, 11, 2, 10, 35), contact_minutes=30, resolved_at=at(2026, 11, 3, 12, 0),
        resolve_minutes=400, contact_breached=True, solution="换新", compensation="voucher",
        compensation_value=Decimal("500"), approval="approved", satisfied=False, score=2,
        feedback_note="还是不满意", reopen_count=1, follows=first,
    )  # fmt: skip
    make(
        store, quality, customer_name="散客王先生", state=State.IN_PROGRESS, recorded=at(2026, 11, 30, 21, 0)
    )
    make(store, quality, customer_name="取消的", state=State.CANCELLED, recorded=at(2026, 11, 5, 10, 0))
    make(store, quality, customer_name="十二月", recorded=at(2026, 12, 1, 0, 5))

    response = client_for(store_manager).get(URL, NOVEMBER)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="complaints-2026-11-01-2026-11-30.csv"'
    header, *rows = read(response)
    assert header[:4] == ["Number", "Recorded at", "Customer", "Channel"]
    assert len(header) == 25
    assert len(rows) == 2
    row = dict(zip(header, rows[0], strict=True))
    assert row["Recorded at"] == "2026-11-02 10:05"
    assert row["Customer"] == f"{member.member_no} 张美玲"
    assert row["Channel"] == "At the counter"
    assert row["Category"] == "Product quality"
    assert row["Brand or counter"] == "Dior"
    assert row["Severity"] == "Critical"
    assert row["Mentions 12315 or the media"] == "yes"
    assert row["State"] == "Closed"
    assert row["Handler"] == str(complaint_handler)
    assert row["First contact at"] == "2026-11-02 10:35"
    assert row["Minutes to first contact"] == "30"
    assert row["Resolved at"] == "2026-11-03 12:00"
    assert row["Minutes to resolution"] == "400"
    assert row["Deadlines missed"] == "First contact"
    assert row["Agreed solution"] == "换新"
    assert (row["Compensation"], row["Compensation value (yuan)"], row["Approval"]) == (
        "Voucher",
        "500.00",
        "Approved",
    )
    assert (row["Satisfied"], row["Satisfaction (1-5)"], row["What was wrong"]) == ("no", "2", "还是不满意")
    assert (row["Times reopened"], row["Follows case"]) == ("1", f"#{first.pk}")
    walk_in = dict(zip(header, rows[1], strict=True))
    assert walk_in["Customer"] == "散客王先生"
    assert walk_in["State"] == "In progress"
    assert walk_in["Handler"] == walk_in["Satisfied"] == walk_in["Compensation"] == ""


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_typed_text_that_starts_like_a_formula_is_neutralised(
    client_for, store, store_manager, quality, start
):
    make(
        store, quality, customer_name=f"{start}cmd|' /C calc'!A0", counter=f"{start}SUM(A1)",
        solution=f"{start}1+1", feedback_note=f"{start}HYPERLINK(\"http://x\")",
    )  # fmt: skip
    _header, row = read(client_for(store_manager).get(URL, NOVEMBER))
    assert f"'{start}cmd|' /C calc'!A0" in row
    assert f"'{start}SUM(A1)" in row
    assert f"'{start}1+1" in row
    assert f'\'{start}HYPERLINK("http://x")' in row
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_headers_in_the_users_language(client_for, store, store_manager, quality, english):
    header, *_rows = read(client_for(store_manager).get(URL, NOVEMBER))
    assert header[0] == "Number"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "start", "This field is required."),
        ({"start": "2026-11-30", "end": "2026-11-01"}, "end", "comes before"),
        ({"start": "2026-11-01", "end": "2099-11-30"}, "end", "Choose"),
        ({"start": "2020-01-01", "end": "2026-11-30"}, "end", "at most 731 days"),
        ({"start": "2026-13-01", "end": "2026-11-30"}, "start", "valid date"),
        ({"start": "a\x00b", "end": "2026-11-30"}, "start", "valid date"),
    ],
)
def test_a_bad_range_is_shown_on_the_page_with_its_error(
    client_for, store_manager, english, query, field, message
):
    response = client_for(store_manager).get(URL, query)
    assert response.status_code == 200
    assert not response.streaming
    form = response.context["export_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert "Check the dates of the export." in html
    assert 'id="export_start"' in html
    # The browser scrolls to the first date to correct.
    (box,) = re.findall(rf'<input[^>]*id="export_{field}"[^>]*>', html)
    assert " autofocus " in box


def test_streamed_a_chunk_at_a_time_under_asgi(client_for, store, store_manager, quality, monkeypatch):
    """Under daphne the rows are read in chunks in the request's thread, not all at once."""
    for n in range(7):
        make(store, quality, customer_name=f"顾客{n}", recorded=at(2026, 11, 10 + n, 10, 0))
    response = client_for(store_manager).get(URL, NOVEMBER)
    monkeypatch.setattr(type(response), "chunk_lines", 3)

    async def consume():
        return [chunk async for chunk in response]

    chunks = async_to_sync(consume)()
    # Header and seven rows in chunks of three lines.
    assert len(chunks) == 3
    text = b"".join(chunks).decode("utf-8-sig")
    assert all(f"顾客{n}" in text for n in range(7))


def test_a_day_is_a_local_day(client_for, store, store_manager, quality):
    make(store, quality, customer_name="最后一刻", recorded=at(2026, 11, 30, 23, 59))
    make(store, quality, customer_name="第一刻", recorded=at(2026, 11, 1, 0, 0))
    make(store, quality, customer_name="前一天", recorded=at(2026, 10, 31, 23, 59))
    _header, *rows = read(client_for(store_manager).get(URL, NOVEMBER))
    assert [row[2] for row in rows] == ["第一刻", "最后一刻"]
