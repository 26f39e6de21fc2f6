"""Files that used to crash an import or half-write it: every bad line reported, nothing half-applied."""

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from concierge import imports
from concierge.imports import parsing, reading, writing
from concierge.models import AuditEntry, Member, Purchase
from tests.factories import MemberFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def in_english(english):
    """The command and the page both answer in English."""


def run(kind, text, tmp_path):
    """(bad lines as {line: message}, stdout, CommandError or None) of one import command."""
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    out = io.StringIO()
    error = None
    try:
        call_command(f"import_{kind}", str(path), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        error = exc
    bad = {}
    for line in out.getvalue().splitlines():
        match = re.match(r"line (\d+): (.*)", line)
        if match:
            bad[int(match[1])] = match[2]
    return bad, out.getvalue(), error


def upload(client, kind, text):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("concierge:imports"),
        {"kind": kind, "file": SimpleUploadedFile("data.csv", content, content_type="text/csv")},
    )


def page_bad_rows(response):
    """{line: message} from the report table of the imports page."""
    html = unescape(response.content.decode())
    table = re.search(r'<table class="table" id="bad-rows">(.*?)</table>', html, re.S)
    if table is None:
        return {}
    return {
        int(line): message
        for line, message in re.findall(r'<td class="num">(\d+)</td><td>(.*?)</td>', table[1], re.S)
    }


def tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def filler(rows, make):
    """Enough good rows to carry what follows past the first 8 KB the encoding check reads."""
    return "".join(make(n) for n in range(rows))


def members_file():
    """(text, {line: expected reason}, member numbers that must be created)."""
    lines = [
        "member_no,name,phone,birthday,join_date,notes",
        "M001,王丽,13812345678,1985-03-12,2020-05-20,",
        "M002,李娜,,0000-01-01,,",
        "M003,张伟,,1899-12-31,,",
        f"M004,赵敏,,{tomorrow()},,",
        f"M005,陈静,,,{tomorrow()},",
        "M006,周强,１３９　０００１　１１１１,１９８５－０３－１２,２０２０／０５／２０,",
        'M007,"吴芳,,,,',
        'M008,郑洁,,,,"喜欢真丝, 围巾"',
    ]
    lines += [f"F{n:04d},会员{n},,,,填充的一行" for n in range(600)]
    nul_line = len(lines) + 1
    lines += ["M009,孙\x00丽,,,,", "M010,钱多多,,,,"]
    text = "\n".join(lines) + "\n"
    assert text.index("\x00") > reading.HEAD_BYTES
    expected = {
        3: "birthday “0000-01-01” is not a date like 2024-05-01",
        4: "birthday “1899-12-31” is before 1900: is the year right?",
        5: f"birthday “{tomorrow()}” is in the future",
        6: f"join_date “{tomorrow()}” is in the future",
        8: 'a quote (") opened on this line is not closed where its cell ends',
        nul_line: "the row contains a NUL character",
    }
    created = {"M001", "M006", "M008", "M010"} | {f"F{n:04d}" for n in range(600)}
    return text, expected, created


def purchases_file():
    lines = [
        "member_no,purchased_at,amount,receipt_ref,items",
        "M001,2024-05-01 14:30,1280.00,R01,MaxMara 大衣",
        "M001,0000-01-01,10,R02,",
        "M001,0001-01-01T00:00:00+08:00,10,R03,",
        "M001,2024-05-01T10:00:00+15:00,10,R04,",
        "M001,2024-05-01T10:00:00+24:00,10,R05,",
        "M001,1989-12-31,10,R06,",
        "M001,9999-12-31T23:00:00-05:00,10,R07,",
        "M002,２０２４－０５－０２　０９：０５,￥１，２８０．５０,R08,雅诗兰黛 护肤套装",
        'M002,2024-05-03,"99,R09,',
        'M002,2024-05-04,"1,234.50",R10,羊绒衫',
        "M002,2024-05-05,٣٣,R11,",
    ]
    lines += [f"M001,2024-05-06 10:00,1,F{n:04d}," for n in range(400)]
    nul_line = len(lines) + 1
    lines += ["M002,2024-05-07,5,R12,\x00", "M002,2024-05-08,6,R13,"]
    text = "\n".join(lines) + "\n"
    assert text.index("\x00") > reading.HEAD_BYTES
    expected = {
        3: "purchased_at “0000-01-01” is not a date or time",
        4: "purchased_at “0001-01-01T00:00:00+08:00” is before 1990: is the year right?",
        5: "has the time-zone offset +15:00; offsets run from -12:00 to +14:00",
        6: "has the time-zone offset +24:00",
        7: "purchased_at “1989-12-31” is before 1990",
        8: "purchased_at “9999-12-31T23:00:00-05:00” is in the future",
        10: 'a quote (") opened on this line is not closed where its cell ends',
        12: "amount “٣٣” is not an amount",
        nul_line: "the row contains a NUL character",
    }
    created = {"R01", "R08", "R10", "R13"} | {f"F{n:04d}" for n in range(400)}
    return text, expected, created


@pytest.fixture
def buyers(store):
    return {no: MemberFactory(store=store, member_no=no) for no in ("M001", "M002")}


def assert_reported(bad, expected):
    assert sorted(bad) == sorted(expected)
    for line, reason in expected.items():
        assert reason in bad[line], (line, bad[line])


# ---------------------------------------------------------------------------------------------
# Every kind of bad row, from the command


def test_member_file_with_every_kind_of_bad_row(tmp_path, store):
    text, expected, created = members_file()

    bad, _out, error = run("members", text, tmp_path)

    assert error is not None
    assert f"{len(expected)} bad rows were not imported" in str(error)
    assert_reported(bad, expected)
    assert set(Member.objects.values_list("member_no", flat=True)) == created
    full_width = Member.objects.get(member_no="M006")
    assert full_width.phone == "139 0001 1111"
    assert full_width.phone_last4 == "1111"
    assert full_width.birthday == dt.date(1985, 3, 12)
    assert full_width.join_date == dt.date(2020, 5, 20)
    # The row after the unclosed quote is read on its own, quotes and all.
    assert Member.objects.get(member_no="M008").notes == "喜欢真丝, 围巾"


def test_purchase_file_with_every_kind_of_bad_row(tmp_path, buyers):
    text, expected, created = purchases_file()

    bad, out, error = run("purchases", text, tmp_path)

    assert error is not None
    assert_reported(bad, expected)
    assert set(Purchase.objects.values_list("receipt_ref", flat=True)) == created
    full_width = Purchase.objects.get(receipt_ref="R08")
    assert full_width.purchased_at == dt.datetime(2024, 5, 2, 1, 5, tzinfo=UTC)
    assert full_width.amount == Decimal("1280.50")
    assert full_width.items == "雅诗兰黛 护肤套装"
    assert Purchase.objects.get(receipt_ref="R10").amount == Decimal("1234.50")
    assert f"{len(created)} created, 0 updated, 0 unchanged, {len(expected)} bad" in out


def test_the_same_bad_file_twice_changes_nothing_the_second_time(tmp_path, buyers):
    text, expected, _created = purchases_file()
    run("purchases", text, tmp_path)
    before = list(Purchase.objects.order_by("pk").values_list("pk", "receipt_ref", "amount", "items"))

    bad, out, _error = run("purchases", text, tmp_path)

    assert sorted(bad) == sorted(expected)
    assert list(Purchase.objects.order_by("pk").values_list("pk", "receipt_ref", "amount", "items")) == before
    assert " 0 created, 0 updated, " in out


def test_a_nul_byte_near_the_top_is_a_bad_row_not_a_bad_file(tmp_path, store):
    text = "member_no,name,notes\nM001,王丽,\x00\nM002,李娜,\n"

    bad, _out, _error = run("members", text, tmp_path)

    assert list(bad) == [2]
    assert "NUL character" in bad[2]
    assert list(Member.objects.values_list("member_no", flat=True)) == ["M002"]


def test_an_unclosed_quote_at_the_end_is_reported_where_it_opened(tmp_path, buyers):
    text = (
        "member_no,purchased_at,amount,receipt_ref,items\n"
        "M001,2024-05-01,10,R1,\n"
        'M001,2024-05-02,20,R2,"MaxMara\n'  # line 3: never closed
        "M001,2024-05-03,30,R3,\n"
        "M001,2024-05-04,40,R4,\n"
    )

    bad, out, error = run("purchases", text, tmp_path)

    assert error is not None
    assert list(bad) == [3]
    assert "quote" in bad[3]
    assert sorted(Purchase.objects.values_list("receipt_ref", flat=True)) == ["R1", "R3", "R4"]
    assert "3 created, 0 updated, 0 unchanged, 1 bad" in out


def test_a_multi_line_cell_that_is_closed_is_still_one_row(tmp_path, store):
    text = 'member_no,name,notes\nM001,王丽,"第一行\n第二行, 还有"\nM002,李娜,\n'

    bad, _out, error = run("members", text, tmp_path)

    assert error is None
    assert bad == {}
    assert Member.objects.get(member_no="M001").notes == "第一行\n第二行, 还有"


def test_an_unexpected_error_on_a_row_is_a_bad_row(tmp_path, buyers, monkeypatch):
    real = parsing.parse_amount

    def choking(value):
        if value == "13":
            raise ZeroDivisionError("the parser choked")
        return real(value)

    monkeypatch.setattr(parsing, "parse_amount", choking)
    text = (
        "member_no,purchased_at,amount,receipt_ref\n"
        "M001,2024-05-01,12,R1\n"
        "M001,2024-05-02,13,R2\n"
        "M002,2024-05-03,14,R3\n"
    )

    bad, out, error = run("purchases", text, tmp_path)

    assert error is not None
    assert "2 created, 0 updated, 0 unchanged, 1 bad" in out
    assert bad == {3: "this row could not be read (unexpected ZeroDivisionError); check its values"}
    assert sorted(Purchase.objects.values_list("receipt_ref", flat=True)) == ["R1", "R3"]


def test_an_unexpected_error_on_a_member_row_is_a_bad_row(tmp_path, store, monkeypatch):
    real = parsing.parse_date

    def choking(value, column):
        if value == "1985-03-13":
            raise OverflowError("date value out of range")
        return real(value, column)

    monkeypatch.setattr(parsing, "parse_date", choking)
    text = "member_no,name,birthday\nM001,王丽,1985-03-12\nM002,李娜,1985-03-13\n"

    bad, _out, _error = run("members", text, tmp_path)

    assert bad == {3: "this row could not be read (unexpected OverflowError); check its values"}
    assert list(Member.objects.values_list("member_no", flat=True)) == ["M001"]


# ---------------------------------------------------------------------------------------------
# All or nothing


def failing_after(monkeypatch, module, name, calls, error):
    """Let `calls` calls of module.name through, then raise `error`."""
    real = getattr(module, name)
    seen = []

    def flaky(*args, **kwargs):
        seen.append(1)
        if len(seen) > calls:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)


PURCHASES_CSV = "member_no,purchased_at,amount,receipt_ref\n" + "".join(
    f"M00{1 + n % 2},2024-05-0{1 + n},{10 + n},R{n}\n" for n in range(7)
)


def test_a_write_that_fails_leaves_nothing_of_the_file(tmp_path, buyers, monkeypatch):
    monkeypatch.setattr(imports.run, "BATCH_SIZE", 2)
    failing_after(
        monkeypatch, writing, "write_purchases", 2, OperationalError("server closed the connection")
    )
    figures = list(Member.objects.order_by("pk").values_list("pk", "purchase_count", "last_purchase_at"))

    _bad, _out, error = run("purchases", PURCHASES_CSV, tmp_path)

    assert error is not None
    assert str(error).endswith(
        "Nothing of the file was imported: writing lines 6 to 7 failed (OperationalError). "
        "Try again; if it fails again, tell an administrator."
    )
    assert not Purchase.objects.exists()
    assert not AuditEntry.objects.filter(action="import.purchases").exists()
    assert (
        list(Member.objects.order_by("pk").values_list("pk", "purchase_count", "last_purchase_at")) == figures
    )

    monkeypatch.undo()
    _bad, out, error = run("purchases", PURCHASES_CSV, tmp_path)

    assert error is None, out
    assert Purchase.objects.count() == 7
    assert Member.objects.get(member_no="M001").purchase_count == 4


def test_a_member_write_that_fails_leaves_nothing_of_the_file(tmp_path, store, monkeypatch):
    monkeypatch.setattr(imports.run, "BATCH_SIZE", 2)
    failing_after(monkeypatch, writing, "write_members", 1, RuntimeError("disk full"))
    MemberFactory(store=store, member_no="M001", name="旧名")
    text = "member_no,name\nM001,新名\nM002,李娜\nM003,张伟\n"

    _bad, _out, error = run("members", text, tmp_path)

    assert "writing lines 4 to 4 failed (RuntimeError)" in str(error)
    assert list(Member.objects.values_list("member_no", "name")) == [("M001", "旧名")]


def test_a_failing_refresh_undoes_the_purchases(tmp_path, buyers, monkeypatch):
    import concierge.refresh

    failing_after(monkeypatch, concierge.refresh, "refresh_member_figures", 0, OperationalError("deadlock"))

    _bad, _out, error = run("purchases", PURCHASES_CSV, tmp_path)

    assert "Nothing of the file was imported" in str(error)
    assert "(OperationalError)" in str(error)
    assert not Purchase.objects.exists()


def test_members_whose_join_date_is_set_are_refreshed(tmp_path, store):
    long_ago = timezone.localdate() - dt.timedelta(days=800)
    text = f"member_no,name,join_date\nM001,王丽,{long_ago.isoformat()}\nM002,李娜,\n"

    run("members", text, tmp_path)

    assert Member.objects.get(member_no="M001").lifecycle == Member.Lifecycle.LOST
    assert Member.objects.get(member_no="M002").lifecycle == Member.Lifecycle.NEW


# ---------------------------------------------------------------------------------------------
# The upload page with the same files


def test_the_page_reports_every_bad_member_row(client_for, store_manager):
    text, expected, created = members_file()

    response = upload(client_for(store_manager), "members", text)

    assert response.status_code == 200
    assert_reported(page_bad_rows(response), expected)
    assert set(Member.objects.values_list("member_no", flat=True)) == created


def test_the_page_reports_every_bad_purchase_row(client_for, store_manager, buyers):
    text, expected, created = purchases_file()

    response = upload(client_for(store_manager), "purchases", text)

    assert response.status_code == 200
    assert_reported(page_bad_rows(response), expected)
    assert set(Purchase.objects.values_list("receipt_ref", flat=True)) == created


def test_the_page_reports_an_unexpected_row_error(client_for, store_manager, buyers, monkeypatch):
    monkeypatch.setattr(parsing, "parse_amount", lambda value: 1 / 0)

    response = upload(
        client_for(store_manager),
        "purchases",
        "member_no,purchased_at,amount,receipt_ref\nM001,2024-05-01,1,R1\n",
    )

    assert response.status_code == 200
    assert page_bad_rows(response) == {
        2: "this row could not be read (unexpected ZeroDivisionError); check its values"
    }


def test_the_page_says_when_nothing_was_written(client_for, store_manager, buyers, monkeypatch):
    monkeypatch.setattr(imports.run, "BATCH_SIZE", 2)
    failing_after(
        monkeypatch, writing, "write_purchases", 1, OperationalError("server closed the connection")
    )

    response = upload(client_for(store_manager), "purchases", PURCHASES_CSV)

    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Nothing of the file was imported: writing lines 4 to 5 failed (OperationalError)." in page
    assert 'id="import-report"' not in page
    assert not Purchase.objects.exists()


# ---------------------------------------------------------------------------------------------
# PostgreSQL cannot store a NUL character: the rows holding one never reach it


@pytest.mark.postgres
def test_nul_bytes_after_the_first_8_kb_on_postgresql(tmp_path, buyers):
    text, expected, created = purchases_file()
    bad, _out, _error = run("purchases", text, tmp_path)
    assert_reported(bad, expected)
    assert set(Purchase.objects.values_list("receipt_ref", flat=True)) == created

    text, expected, created = members_file()
    bad, _out, _error = run("members", text, tmp_path)
    assert_reported(bad, expected)
    # M002 was already there for the purchases; its bad row left it alone.
    assert set(Member.objects.values_list("member_no", flat=True)) == created | {"M002"}
