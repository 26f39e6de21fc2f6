import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from concierge import imports
from concierge.management.commands.import_members import Command as ImportMembersCommand
from concierge.models import AuditEntry, Member, Purchase, Tag
from tests.factories import MemberFactory, PurchaseFactory
from tests.helpers import HTMX
from tests.tasks.helpers import make_task

UTC = dt.UTC


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(kind, path, *args):
    """(stdout, CommandError or None) of one import command."""
    out = io.StringIO()
    try:
        call_command(f"import_{kind}", str(path), *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def members_snapshot():
    return [
        (
            member.store_id,
            member.member_no,
            member.name,
            member.phone,
            member.phone_last4,
            member.gender,
            member.birthday,
            member.anniversary,
            member.join_date,
            member.preferences,
            member.sizes,
            member.notes,
            member.updated_at,
            tuple(sorted(tag.name for tag in member.tags.all())),
        )
        for member in Member.objects.order_by("store_id", "member_no").prefetch_related("tags")
    ]


def purchases_snapshot():
    return list(
        Purchase.objects.order_by("store_id", "receipt_ref").values_list(
            "id", "store_id", "member_id", "receipt_ref", "purchased_at", "amount"
        )
    )


MEMBERS_CSV = (
    "member_no,name,phone,gender,birthday,anniversary,join_date,tags,preferences,sizes,notes\n"
    "M001,王丽,138 1234 5678,女,1985-03-12,2012/10/01,2020.05.20,瓷器;美妆|高尔夫,喜欢真丝,上衣 M,周末来店\n"
    "M002,Li Na,,Female,1990/7/4,,,茶、美妆，瓷器,,,\n"
    "M003,张伟,13900001111,m,,,,,,,\n"
    "M004,Zhao,,MALE,,,,,,,\n"
    "M005,陈静,,,,,,,,,\n"
)


# ---------------------------------------------------------------------------------------------
# Members


def test_import_members_reads_every_column(tmp_path, store):
    out, error = run("members", write(tmp_path, MEMBERS_CSV))

    assert error is None, out
    assert "5 created" in out
    first = Member.objects.get(store=store, member_no="M001")
    assert first.name == "王丽"
    assert first.phone == "138 1234 5678"
    assert first.phone_last4 == "5678"
    assert first.gender == "f"
    assert first.birthday == dt.date(1985, 3, 12)
    assert first.anniversary == dt.date(2012, 10, 1)
    assert first.join_date == dt.date(2020, 5, 20)
    assert first.preferences == "喜欢真丝"
    assert first.sizes == "上衣 M"
    assert first.notes == "周末来店"
    assert sorted(first.tags.values_list("name", flat=True)) == ["瓷器", "美妆", "高尔夫"]
    second = Member.objects.get(store=store, member_no="M002")
    assert second.gender == "f"
    assert second.birthday == dt.date(1990, 7, 4)
    assert sorted(second.tags.values_list("name", flat=True)) == ["瓷器", "美妆", "茶"]
    assert Tag.objects.filter(name="美妆").count() == 1
    assert [m.gender for m in Member.objects.filter(member_no__in=["M003", "M004", "M005"])] == ["m", "m", ""]


def test_import_members_twice_changes_nothing(tmp_path, store):
    path = write(tmp_path, MEMBERS_CSV)
    run("members", path)
    before = members_snapshot()
    tag_count = Tag.objects.count()

    out, error = run("members", path)

    assert error is None
    assert "0 created, 0 updated, 5 unchanged, 0 bad" in out
    assert members_snapshot() == before
    assert Tag.objects.count() == tag_count


def test_import_members_updates_only_what_differs_and_never_erases(tmp_path, store):
    kept = MemberFactory(store=store, member_no="M001", name="王丽", phone="13812345678", notes="VIP 老客")
    same = MemberFactory(store=store, member_no="M002", name="Li Na", phone="13900000000")
    kept.tags.add(Tag.objects.create(name="茶"))
    same_stamp = Member.objects.get(pk=same.pk).updated_at
    path = write(
        tmp_path,
        "member_no,name,phone,notes,tags\nM001,王丽华,,,瓷器\nM002,Li Na,,,\n",
    )

    out, error = run("members", path)

    assert error is None, out
    assert "0 created, 1 updated, 1 unchanged" in out
    kept.refresh_from_db()
    assert kept.name == "王丽华"
    assert kept.phone == "13812345678"
    assert kept.notes == "VIP 老客"
    assert sorted(kept.tags.values_list("name", flat=True)) == ["瓷器", "茶"]
    assert Member.objects.get(pk=same.pk).updated_at == same_stamp


def test_phone_change_updates_the_last_four_digits(tmp_path, store):
    member = MemberFactory(store=store, member_no="M001", phone="13812345678")

    run("members", write(tmp_path, "member_no,name,phone\nM001,王丽,13700009999\n"))

    member.refresh_from_db()
    assert (member.phone, member.phone_last4) == ("13700009999", "9999")


def test_bad_rows_are_reported_by_physical_line_and_good_rows_kept(tmp_path, store):
    text = (
        "member_no,name,gender,birthday,notes\n"  # line 1
        'M001,王丽,f,1985-03-12,"two\n'  # line 2
        'line note"\n'  # line 3
        "\n"  # line 4
        "M002,李娜,x,1985-02-30,\n"  # line 5
        "M003,张伟,m,,\n"  # line 6
        ",没有号码,,,\n"  # line 7
        "M004,,,,\n"  # line 8
        "M005,陈静,,12/03/1985,\n"  # line 9
    )

    out, error = run("members", write(tmp_path, text))

    assert error is not None
    assert "4 bad rows" in str(error)
    assert sorted(Member.objects.values_list("member_no", flat=True)) == ["M001", "M003"]
    assert Member.objects.get(member_no="M001").notes == "two\nline note"
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert report[0].startswith("line 5: ")
    assert "gender “x”" in report[0]
    assert "1985-02-30" in report[0]
    assert report[1] == "line 7: member_no is empty"
    assert report[2] == "line 8: name is empty"
    assert report[3].startswith("line 9: birthday “12/03/1985”")
    assert len(report) == 4
    assert "2 created, 0 updated, 0 unchanged, 4 bad" in out


def test_bad_row_exits_non_zero_from_the_command_line(tmp_path, store):
    path = write(tmp_path, "member_no,name,gender\nM001,王丽,?\n")

    with pytest.raises(SystemExit) as exit_info:
        ImportMembersCommand(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(
            ["manage.py", "import_members", str(path)]
        )

    assert exit_info.value.code == 1


def test_member_twice_in_a_file(tmp_path, store):
    text = "member_no,name\nM001,王丽\nM001,王丽\nM001,王丽华\n"

    out, error = run("members", write(tmp_path, text))

    assert error is not None
    assert "line 4: member M001 is already on line 2 of this file with other values" in out
    assert "1 created, 0 updated, 1 unchanged, 1 bad" in out
    assert Member.objects.get(member_no="M001").name == "王丽"


def test_small_batches_keep_line_order_and_cross_batch_duplicates(tmp_path, store, monkeypatch):
    monkeypatch.setattr(imports.run, "BATCH_SIZE", 2)
    rows = [f"M{n:03d},会员{n}" for n in range(1, 8)]
    rows.insert(3, "M001,改名")  # line 5, in a later batch than M001
    rows.insert(6, "M099,")  # line 8
    text = "member_no,name\n" + "\n".join(rows) + "\n"

    out, error = run("members", write(tmp_path, text))

    assert error is not None
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert report == [
        "line 5: member M001 is already on line 2 of this file with other values",
        "line 8: name is empty",
    ]
    assert Member.objects.count() == 7
    assert Member.objects.get(member_no="M001").name == "会员1"


def test_too_many_cells_is_a_bad_row(tmp_path, store):
    out, error = run("members", write(tmp_path, "member_no,name\nM001,王丽,extra\nM002,李娜,,\n"))

    assert error is not None
    assert "line 2: the row has 3 cells but the header has 2 columns" in out
    assert list(Member.objects.values_list("member_no", flat=True)) == ["M002"]


def test_missing_required_column_writes_nothing(tmp_path, store):
    _out, error = run("members", write(tmp_path, "member_no,phone\nM001,13812345678\n"))

    assert error is not None
    assert "“name”" in str(error)
    assert "required" in str(error)
    assert not Member.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unknown_columns_are_ignored_with_a_warning(tmp_path, store):
    out, error = run("members", write(tmp_path, "Member No,Name,Loyalty Points\nM001,王丽,300\n"))

    assert error is None
    assert "Column “Loyalty Points” is not one this import uses: it was ignored." in out
    assert Member.objects.get(member_no="M001").name == "王丽"


def test_excel_utf8_file_with_bom(tmp_path, store):
    path = write(tmp_path, "member_no,name,tags\r\nM001,王丽,瓷器\r\n", encoding="utf-8-sig")

    out, error = run("members", path)

    assert error is None, out
    member = Member.objects.get(member_no="M001")
    assert member.name == "王丽"
    assert list(member.tags.values_list("name", flat=True)) == ["瓷器"]


def test_chinese_excel_gb18030_file(tmp_path, store):
    path = write(tmp_path, "member_no,name,gender,notes\r\nM001,王丽,女,喜欢真丝围巾\r\n", encoding="gb18030")

    out, error = run("members", path)

    assert error is None, out
    member = Member.objects.get(member_no="M001")
    assert (member.name, member.gender, member.notes) == ("王丽", "f", "喜欢真丝围巾")


def test_excel_unicode_text_file(tmp_path, store):
    path = write(tmp_path, "member_no\tname\tnotes\r\nM001\t王丽\t喜欢真丝, 围巾\r\n", encoding="utf-16")

    out, error = run("members", path)

    assert error is None, out
    assert Member.objects.get(member_no="M001").notes == "喜欢真丝, 围巾"


def test_semicolon_separated_file(tmp_path, store):
    out, error = run("members", write(tmp_path, "member_no;name;phone\nM001;王丽;13812345678\n"))

    assert error is None, out
    assert Member.objects.get(member_no="M001").phone == "13812345678"


def test_excel_scientific_phone_is_explained(tmp_path, store):
    out, error = run("members", write(tmp_path, "member_no,name,phone\nM001,王丽,1.38123E+10\n"))

    assert error is not None
    assert "line 2: phone “1.38123E+10” was shortened by Excel" in out
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "This is not a CSV file"),
        (b"\x80\xff\x80\xffabc\xff", "This is not a CSV file"),
        ("member_no,name\nM001,王丽\n".encode("utf-16-le"), "This is not a CSV file"),
        (b"Dear customer,\nthank you for shopping.\n", "This is not a CSV file"),
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
    ],
)
def test_files_that_cannot_be_imported(tmp_path, store, content, expected):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)

    _out, error = run("members", path)

    assert error is not None
    assert expected in str(error)
    assert not Member.objects.exists()


def test_missing_file_is_a_clear_error(tmp_path, store):
    _out, error = run("members", tmp_path / "nowhere.csv")

    assert "Cannot open" in str(error)


def test_store_is_required_when_there_are_several(tmp_path, store, other_store):
    path = write(tmp_path, "member_no,name\nM001,王丽\n")

    _out, error = run("members", path)

    assert "choose one with --store" in str(error)
    assert "bj01, sh01" in str(error)
    assert not Member.objects.exists()


def test_unknown_store_code_lists_the_valid_ones(tmp_path, store, other_store):
    _out, error = run("members", write(tmp_path, "member_no,name\nM001,王丽\n"), "--store", "gz09")

    assert "Unknown store code “gz09”" in str(error)
    assert "bj01, sh01" in str(error)


def test_store_option_chooses_the_store(tmp_path, store, other_store):
    MemberFactory(store=store, member_no="M001", name="北京的王丽")

    out, error = run("members", write(tmp_path, "member_no,name\nM001,上海的王丽\n"), "--store", "sh01")

    assert error is None, out
    assert Member.objects.get(store=other_store, member_no="M001").name == "上海的王丽"
    assert Member.objects.get(store=store, member_no="M001").name == "北京的王丽"


def test_command_import_is_audited(tmp_path, store):
    run("members", write(tmp_path, "member_no,name\nM001,王丽\n", name="members-may.csv"))

    entry = AuditEntry.objects.get(action="import.members")
    assert entry.store == store
    assert entry.actor is None
    assert entry.data == {
        "file": "members-may.csv",
        "source": "command",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "bad": 0,
    }


# ---------------------------------------------------------------------------------------------
# Purchases


@pytest.fixture
def members(store):
    return {no: MemberFactory(store=store, member_no=no) for no in ("M001", "M002")}


PURCHASES_CSV = (
    "member_no,purchased_at,amount,receipt_ref\n"
    "M001,2024-05-01,1280.00,R1\n"
    'M001,2024-05-01 14:30,"1,234.50",R2\n'
    "M002,2024/05/02 09:05:07,¥88,R3\n"
    "M002,2024-05-03T10:00:00Z,-99.50,R4\n"
    "M002,2024.5.4 8:00,0,R5\n"
    'M001,2024-05-05T20:15:00+08:00,"￥-1,000.00",R6\n'
)


def test_import_purchases(tmp_path, members):
    out, error = run("purchases", write(tmp_path, PURCHASES_CSV))

    assert error is None, out
    assert "6 created" in out
    got = {p.receipt_ref: (p.member.member_no, p.purchased_at, p.amount) for p in Purchase.objects.all()}
    assert got == {
        # Asia/Shanghai is UTC+8; a date alone means noon local time.
        "R1": ("M001", dt.datetime(2024, 5, 1, 4, 0, tzinfo=UTC), Decimal("1280.00")),
        "R2": ("M001", dt.datetime(2024, 5, 1, 6, 30, tzinfo=UTC), Decimal("1234.50")),
        "R3": ("M002", dt.datetime(2024, 5, 2, 1, 5, 7, tzinfo=UTC), Decimal("88.00")),
        "R4": ("M002", dt.datetime(2024, 5, 3, 10, 0, tzinfo=UTC), Decimal("-99.50")),
        "R5": ("M002", dt.datetime(2024, 5, 4, 0, 0, tzinfo=UTC), Decimal("0.00")),
        "R6": ("M001", dt.datetime(2024, 5, 5, 12, 15, tzinfo=UTC), Decimal("-1000.00")),
    }
    assert {p.store_id for p in Purchase.objects.all()} == {members["M001"].store_id}


def test_naive_times_follow_the_configured_time_zone(tmp_path, members, settings):
    settings.TIME_ZONE = "Europe/London"
    text = "member_no,purchased_at,amount,receipt_ref\nM001,2024-07-01,10,R1\nM001,2024-01-15 09:00,10,R2\n"

    out, error = run("purchases", write(tmp_path, text))

    assert error is None, out
    assert Purchase.objects.get(receipt_ref="R1").purchased_at == dt.datetime(2024, 7, 1, 11, 0, tzinfo=UTC)
    assert Purchase.objects.get(receipt_ref="R2").purchased_at == dt.datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


def test_import_purchases_twice_changes_nothing(tmp_path, members):
    path = write(tmp_path, PURCHASES_CSV)
    run("purchases", path)
    before = purchases_snapshot()
    figures = list(Member.objects.order_by("pk").values_list("pk", "last_purchase_at", "updated_at"))

    out, error = run("purchases", path)

    assert error is None
    assert "0 created, 0 updated, 6 unchanged, 0 bad" in out
    assert purchases_snapshot() == before
    assert list(Member.objects.order_by("pk").values_list("pk", "last_purchase_at", "updated_at")) == figures


def test_unknown_member_is_a_bad_row_and_never_created(tmp_path, members, other_store):
    MemberFactory(store=other_store, member_no="M777")
    text = "member_no,purchased_at,amount,receipt_ref\nM777,2024-05-01,10,R1\nM001,2024-05-01,10,R2\n"

    out, error = run("purchases", write(tmp_path, text), "--store", "bj01")

    assert error is not None
    assert "line 2: member M777 is not a member of this store" in out
    assert list(Purchase.objects.values_list("receipt_ref", flat=True)) == ["R2"]
    assert Member.objects.filter(member_no="M777").count() == 1


def test_receipt_already_recorded_with_other_data(tmp_path, members):
    PurchaseFactory(
        member=members["M001"],
        receipt_ref="R1",
        amount=Decimal("100.00"),
        purchased_at=dt.datetime(2024, 5, 1, 4, 0, tzinfo=UTC),
    )
    text = (
        "member_no,purchased_at,amount,receipt_ref\n"
        "M001,2024-05-01,100,R1\n"  # the same receipt, same data: unchanged
        "M001,2024-05-01,200,R1\n"  # line 3: already seen on line 2
        "M002,2024-05-01,100.00,R9\n"
    )

    out, error = run("purchases", write(tmp_path, text))

    assert error is not None
    assert "line 3: receipt R1 is already on line 2 of this file" in out
    assert "1 created, 0 updated, 1 unchanged, 1 bad" in out
    assert Purchase.objects.get(receipt_ref="R1").amount == Decimal("100.00")

    conflict = write(tmp_path, "member_no,purchased_at,amount,receipt_ref\nM002,2024-05-01,120,R1\n", "b.csv")
    out, error = run("purchases", conflict)

    assert error is not None
    assert (
        "line 2: receipt R1 is already recorded for another member, amount or time"
        " (member M001, amount 100.00)" in out
    )
    assert Purchase.objects.get(receipt_ref="R1").member == members["M001"]


def test_duplicate_receipts_across_batches(tmp_path, members, monkeypatch):
    monkeypatch.setattr(imports.run, "BATCH_SIZE", 2)
    text = (
        "member_no,purchased_at,amount,receipt_ref\n"
        "M001,2024-05-01,10,R1\n"
        "M001,2024-05-02,20,R2\n"
        "M001,2024-05-03,30,R3\n"
        "M001,2024-05-01,10,R1\n"  # line 5: the same as line 2, in a later batch
        "M002,2024-05-01,10,R2\n"  # line 6: R2 for another member
        "M001,2024-05-06,bad,R6\n"  # line 7
        "M001,2024-05-07,70,R7\n"
    )

    out, error = run("purchases", write(tmp_path, text))

    assert error is not None
    report = [line for line in out.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in report] == ["line 6", "line 7"]
    assert "receipt R2 is already recorded" in report[0]
    assert "amount “bad”" in report[1]
    assert "4 created, 0 updated, 1 unchanged, 2 bad" in out
    assert sorted(Purchase.objects.values_list("receipt_ref", flat=True)) == ["R1", "R2", "R3", "R7"]


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("M001,2024-05-01,12.345,R1", "amount “12.345” has more than 2 decimal places"),
        ('M001,2024-05-01,"1,23",R1', "amount “1,23” is not an amount"),
        ("M001,2024-05-01,12abc,R1", "amount “12abc” is not an amount"),
        ("M001,2024-05-01,--5,R1", "amount “--5” is not an amount"),
        ("M001,2024-05-01,,R1", "amount is empty"),
        ("M001,2024-13-01,10,R1", "purchased_at “2024-13-01” is not a date or time"),
        ("M001,01/05/2024,10,R1", "purchased_at “01/05/2024” is not a date or time"),
        ("M001,2024-05-01 25:00,10,R1", "purchased_at “2024-05-01 25:00” is not a date or time"),
        ("M001,2999-01-01,10,R1", "purchased_at “2999-01-01” is in the future"),
        ("M001,2024-05-01,10,", "receipt_ref is empty"),
        ("M001,2024-05-01,1,234.50,R1", "the row has 5 cells but the header has 4 columns"),
    ],
)
def test_bad_purchase_values(tmp_path, members, cells, reason):
    text = f"member_no,purchased_at,amount,receipt_ref\n{cells}\nM002,2024-05-01,5,R2\n"

    out, error = run("purchases", write(tmp_path, text))

    assert error is not None
    assert f"line 2: {reason}" in out
    assert list(Purchase.objects.values_list("receipt_ref", flat=True)) == ["R2"]


def test_purchases_refresh_the_figures_of_the_members_they_touch(tmp_path, members, monkeypatch):
    import concierge.refresh

    calls = []
    real = concierge.refresh.refresh_member_figures

    def spy(member_ids, *args, **kwargs):
        calls.append(sorted(member_ids))
        return real(member_ids, *args, **kwargs)

    monkeypatch.setattr(concierge.refresh, "refresh_member_figures", spy)
    first = write(tmp_path, "member_no,purchased_at,amount,receipt_ref\nM001,2024-05-01 10:00,10,R1\n")

    run("purchases", first)
    run("purchases", first)

    assert calls == [[members["M001"].pk]]
    member = Member.objects.get(pk=members["M001"].pk)
    assert member.last_purchase_at == dt.datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert member.purchase_count == 1


def test_purchase_file_checks_its_header(tmp_path, members):
    _out, error = run("purchases", write(tmp_path, "member_no,amount,receipt_ref\nM001,10,R1\n"))

    assert "“purchased_at”" in str(error)
    assert not Purchase.objects.exists()


def test_purchases_import_into_the_chosen_store_only(tmp_path, store, other_store):
    here = MemberFactory(store=store, member_no="M001")
    there = MemberFactory(store=other_store, member_no="M001")
    PurchaseFactory(member=there, receipt_ref="R1", amount=Decimal("5.00"))

    out, error = run(
        "purchases",
        write(tmp_path, "member_no,purchased_at,amount,receipt_ref\nM001,2024-05-01,10,R1\n"),
        "--store",
        "bj01",
    )

    assert error is None, out
    assert Purchase.objects.get(store=store, receipt_ref="R1").member == here
    assert Purchase.objects.get(store=other_store, receipt_ref="R1").amount == Decimal("5.00")


def test_import_functions_refuse_staff_without_the_permission(store, vip_manager):
    with pytest.raises(PermissionDenied):
        imports.import_members(io.BytesIO(b"member_no,name\nM1,A\n"), store=store, actor=vip_manager)
    assert not Member.objects.exists()


def test_another_store_is_refused_for_a_store_manager(store, other_manager):
    with pytest.raises(PermissionDenied):
        imports.import_members(io.BytesIO(b"member_no,name\nM1,A\n"), store=store, actor=other_manager)


# ---------------------------------------------------------------------------------------------
# What was bought


def test_items_are_imported_and_a_blank_never_erases_them(tmp_path, members, monkeypatch):
    import concierge.refresh

    refreshed = []
    real = concierge.refresh.refresh_member_figures

    def spy(ids, **kwargs):
        refreshed.append(ids)
        return real(ids, **kwargs)

    monkeypatch.setattr(concierge.refresh, "refresh_member_figures", spy)
    header = "member_no,purchased_at,amount,receipt_ref,items\n"
    first = header + "M001,2024-05-01,1280,R1,MaxMara 大衣\nM002,2024-05-02,88,R2,\n"

    out, error = run("purchases", write(tmp_path, first))

    assert error is None, out
    assert dict(Purchase.objects.values_list("receipt_ref", "items")) == {"R1": "MaxMara 大衣", "R2": ""}

    blank = header + "M001,2024-05-01,1280,R1,\nM002,2024-05-02,88,R2,雅诗兰黛 护肤套装\n"
    out, error = run("purchases", write(tmp_path, blank, "blank.csv"))

    assert error is None, out
    assert "0 created, 1 updated, 1 unchanged, 0 bad" in out
    assert dict(Purchase.objects.values_list("receipt_ref", "items")) == {
        "R1": "MaxMara 大衣",
        "R2": "雅诗兰黛 护肤套装",
    }

    out, _error = run("purchases", write(tmp_path, blank, "blank.csv"))

    assert "0 created, 0 updated, 2 unchanged, 0 bad" in out
    # Naming what was bought changes no figure: only the first file's new purchases were refreshed.
    assert len(refreshed) == 1


def test_items_longer_than_the_column_are_a_bad_row(tmp_path, members):
    text = f"member_no,purchased_at,amount,receipt_ref,items\nM001,2024-05-01,10,R1,{'大' * 201}\n"

    out, error = run("purchases", write(tmp_path, text))

    assert error is not None
    assert "line 2: items is longer than 200 characters" in out
    assert not Purchase.objects.exists()


def test_a_receipt_twice_in_a_file_with_other_items(tmp_path, members):
    text = (
        "member_no,purchased_at,amount,receipt_ref,items\n"
        "M001,2024-05-01,10,R1,\n"
        "M001,2024-05-01,10,R1,丝巾\n"  # the same receipt, now saying what it was
        "M001,2024-05-01,10,R1,大衣\n"  # line 4: something else
    )

    out, error = run("purchases", write(tmp_path, text))

    assert error is not None
    assert "line 4: receipt R1 is already on line 2 of this file with other items" in out
    assert Purchase.objects.get(receipt_ref="R1").items == "丝巾"


def test_profile_and_cheat_sheet_show_what_was_bought(client_for, vip_manager, store_manager, members):
    member = members["M001"]
    PurchaseFactory(member=member, amount=Decimal("12800.00"), items="MaxMara 大衣")
    PurchaseFactory(member=member, amount=Decimal("0.00"), items="")

    profile = client_for(store_manager).get(reverse("concierge:member_detail", args=[member.pk]))

    assert profile.status_code == 200
    html = profile.content.decode()
    assert '<span class="purchase-items">MaxMara 大衣</span>' in html
    assert html.count('class="purchase-items"') == 1

    task = make_task(member, vip_manager)
    panel = client_for(vip_manager).get(reverse("tasks:task_detail", args=[task.pk]), **HTMX)

    assert '<span class="cheat-items">MaxMara 大衣</span>' in panel.content.decode()
