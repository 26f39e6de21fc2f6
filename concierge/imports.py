# ruff: noqa: RUF001 (the accepted separators and currency signs are full-width characters)
"""Member and purchase imports from CSV files, shared by the import commands and the upload page.

Both imports read the file as a stream, validate every row, keep the good rows and report each
bad row by its physical line number (the header is line 1). They are idempotent: members are
upserted by member number and only touched when a value differs; purchases are keyed by receipt,
and a receipt already stored with the same data is left alone. Work goes in batches, each in its
own transaction, so a row is written entirely or not at all and a late bad row never undoes the
good rows before it.
"""

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concierge.models import AuditEntry, Member, Purchase, Tag
from concierge.models.members import phone_digits

MEMBERS = "members"
PURCHASES = "purchases"
KIND_CHOICES = [(MEMBERS, gettext_lazy("Members")), (PURCHASES, gettext_lazy("Purchases"))]

BATCH_SIZE = 5000
# The page lists this many bad rows; the command prints them all as it goes.
MAX_KEPT_BAD_ROWS = 1000
# Purchases dated further ahead than this are taken for data errors (a day and month swapped).
FUTURE_TOLERANCE = dt.timedelta(days=1)
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str


MEMBER_COLUMNS = (
    Column("member_no", True, gettext_lazy("Member number, unique in the store"), "M000123"),
    Column("name", True, gettext_lazy("Full name"), "王丽"),
    Column("phone", False, gettext_lazy("Mobile number"), "13812345678"),
    Column("gender", False, gettext_lazy("f or m (also female/male, 女/男)"), "女"),
    Column("birthday", False, gettext_lazy("Date: YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD"), "1985-03-12"),
    Column("anniversary", False, gettext_lazy("Date, as for the birthday"), "2012/10/01"),
    Column("join_date", False, gettext_lazy("Date the member joined"), "2020-05-20"),
    Column(
        "tags",
        False,
        gettext_lazy("Interests, separated by ; | 、 or ，; added to the ones already recorded"),
        "瓷器;美妆",
    ),
    Column("preferences", False, gettext_lazy("Preferences and hobbies"), "喜欢素色，偏爱真丝"),
    Column("sizes", False, gettext_lazy("Clothing and shoe sizes"), "上衣 M，鞋 37"),
    Column("notes", False, gettext_lazy("Notes for the staff"), "周末下午来店"),
)

PURCHASE_COLUMNS = (
    Column("member_no", True, gettext_lazy("Member number of a member already in the store"), "M000123"),
    Column(
        "purchased_at",
        True,
        gettext_lazy("Date, or date and time (local time); a date alone counts as 12:00"),
        "2024-05-01 14:30",
    ),
    Column(
        "amount",
        True,
        gettext_lazy("Yuan, at most 2 decimals; negative for a return; 1,234.50 and ¥ are accepted"),
        "1280.00",
    ),
    Column("receipt_ref", True, gettext_lazy("Receipt number, unique in the store"), "R20240501-0042"),
)

COLUMNS = {MEMBERS: MEMBER_COLUMNS, PURCHASES: PURCHASE_COLUMNS}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing was written)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RowError(Exception):
    """One row cannot be imported; the message says why."""


@dataclass
class ImportResult:
    kind: str
    file_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    # (line, message), in line order; at most MAX_KEPT_BAD_ROWS of them.
    bad_rows: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def rows(self):
        return self.created + self.updated + self.unchanged + self.bad

    @property
    def bad_rows_not_listed(self):
        return self.bad - len(self.bad_rows)

    def counts(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": self.bad,
        }

    def summary(self):
        return _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(bad)s bad."
        ) % {
            "rows": self.rows,
            **self.counts(),
        }


def bad_row_line(line, message):
    return _("line %(line)s: %(message)s") % {"line": line, "message": message}


# ---------------------------------------------------------------------------------------------
# Reading the file


def _decodes(binary, encoding):
    binary.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _not_csv_error(kind):
    names = ", ".join(column.name for column in COLUMNS[kind])
    return ImportFileError(
        _(
            "This is not a CSV file. Save the sheet as CSV (comma separated, UTF-8) with a header "
            "line naming the columns: %(columns)s."
        )
        % {"columns": names}
    )


def _raise(exc):
    raise exc


def _choose_encoding(binary, kind):
    """UTF-8 (with or without the BOM Excel writes), else GB18030 as Chinese Excel exports it, or
    UTF-16 when the file starts with its byte order mark.

    The whole file is checked before a row is written: a stray GB18030 byte deep in a UTF-8
    guess would otherwise stop the import halfway.
    """
    binary.seek(0)
    head = binary.read(8192)
    if len(head) < 8192 and not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab separated.
        return "utf-16" if _decodes(binary, "utf-16") else _raise(_not_csv_error(kind))
    if b"\x00" in head:
        raise _not_csv_error(kind)
    if _decodes(binary, "utf-8"):
        return "utf-8-sig"
    if _decodes(binary, "gb18030"):
        return "gb18030"
    raise _not_csv_error(kind)


def _normalise_header(cell):
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


@dataclass
class _Source:
    """An open CSV file positioned after its header."""

    binary: object
    text: io.TextIOWrapper
    reader: object
    index: dict
    width: int
    # Physical lines before the reader's first line (the header and blank lines above it).
    offset: int
    warnings: list

    def close(self):
        # Detach so the caller's file object stays open: the page's upload belongs to Django.
        self.text.detach()


def _open_source(binary, kind):
    columns = COLUMNS[kind]
    encoding = _choose_encoding(binary, kind)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        offset = 0
        header_line = ""
        while True:
            line = text.readline()
            if not line:
                break
            offset += 1
            if line.strip():
                header_line = line
                break
        if not header_line:
            raise ImportFileError(_("The file is empty."))
        # Excel in some locales separates with semicolons, and "Unicode text" exports use tabs.
        delimiter = max([",", ";", "\t"], key=header_line.count)
        try:
            header = next(csv.reader([header_line], delimiter=delimiter))
        except csv.Error as exc:
            raise _not_csv_error(kind) from exc
        names = [_normalise_header(cell) for cell in header]
        known = {column.name for column in columns}
        if not known.intersection(names):
            raise _not_csv_error(kind)
        index = {}
        warnings = []
        for position, name in enumerate(names):
            if not name:
                continue
            if name in index:
                raise ImportFileError(
                    _("The column “%(name)s” appears twice in the header.") % {"name": name}
                )
            index[name] = position
            if name not in known:
                warnings.append(
                    _("Column “%(name)s” is not one this import uses: it was ignored.")
                    % {"name": header[position]}
                )
        missing = [column.name for column in columns if column.required and column.name not in index]
        if missing:
            raise ImportFileError(
                ngettext(
                    "The header has no column “%(missing)s”, which is required. "
                    "Required columns: %(required)s.",
                    "The header lacks the required columns %(missing)s. Required columns: %(required)s.",
                    len(missing),
                )
                % {
                    "missing": ", ".join(missing),
                    "required": ", ".join(column.name for column in columns if column.required),
                }
            )
        reader = csv.reader(text, delimiter=delimiter)
    except BaseException:
        text.detach()
        raise
    return _Source(binary, text, reader, index, len(header), offset, warnings)


class _BrokenCsv(Exception):
    def __init__(self, line, detail):
        super().__init__(detail)
        self.line = line
        self.detail = detail


def _records(source):
    """(first physical line, cells) for each non-blank row; a row may span lines inside quotes."""
    previous = 0
    reader = source.reader
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _BrokenCsv(source.offset + previous + 1, str(exc)) from exc
        line = source.offset + previous + 1
        previous = reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells


def _cells(source, cells):
    """The row's values by column name; cells past the header's width must be empty."""
    if len(cells) > source.width and any(cell.strip() for cell in cells[source.width :]):
        raise RowError(
            _(
                "the row has %(cells)s cells but the header has %(columns)s columns "
                "(is a value with a comma, like 1,234.50, missing its quotes?)"
            )
            % {"cells": len(cells), "columns": source.width}
        )
    return {
        name: (cells[position].strip() if position < len(cells) else "")
        for name, position in source.index.items()
    }


def check_file(kind, binary):
    """Check the encoding and header without writing; raise ImportFileError. Returns the warnings."""
    source = _open_source(binary, kind)
    warnings = source.warnings
    source.close()
    binary.seek(0)
    return warnings


# ---------------------------------------------------------------------------------------------
# Values

_DATE_RE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DATETIME_RE = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_AMOUNT_RE = re.compile(r"([+-]?)\s*[¥￥]?\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?")
_PHONE_RE = re.compile(r"\+?[\d\s\-()]+")
_EXCEL_NUMBER_RE = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
_TAG_SPLIT_RE = re.compile(r"[;；|、，]")
_GENDERS = {"f": "f", "female": "f", "女": "f", "m": "m", "male": "m", "男": "m"}


def parse_date(value, column):
    match = _DATE_RE.fullmatch(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            pass
    raise RowError(
        _("%(column)s “%(value)s” is not a date like 2024-05-01") % {"column": column, "value": value}
    )


def parse_moment(value, tz):
    """A date or date-time; naive values are local time, a date alone means noon."""
    match = _DATETIME_RE.fullmatch(value)
    if match:
        year, _sep, month, day, hour, minute, second, fraction, offset = match.groups()
        try:
            if hour is None:
                return dt.datetime(int(year), int(month), int(day), 12, tzinfo=tz)
            tzinfo = tz if offset is None else dt.UTC if offset.upper() == "Z" else _offset(offset)
            return dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                int((fraction or "0").ljust(6, "0")),
                tzinfo=tzinfo,
            )
        except ValueError:
            pass
    raise RowError(
        _("purchased_at “%(value)s” is not a date or time like 2024-05-01 or 2024-05-01 14:30")
        % {"value": value}
    )


def _offset(text):
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_amount(value):
    match = _AMOUNT_RE.fullmatch(value)
    if not match or (match[1] and match[2]):
        raise RowError(_("amount “%(value)s” is not an amount like 1280.00 or -99.50") % {"value": value})
    sign = match[1] or match[2]
    whole, fraction = match[3].replace(",", ""), match[4] or ""
    if len(fraction) > 2:
        raise RowError(_("amount “%(value)s” has more than 2 decimal places") % {"value": value})
    amount = Decimal(f"{'-' if sign == '-' else ''}{whole}.{fraction or '0'}")
    if abs(amount) > MAX_AMOUNT:
        raise RowError(_("amount “%(value)s” is too large") % {"value": value})
    return amount


def _too_long(column, value, limit):
    return _("%(column)s is longer than %(limit)s characters") % {"column": column, "limit": limit}


def _field_limit(name):
    return Member._meta.get_field(name).max_length


MEMBER_NO_MAX = _field_limit("member_no")
NAME_MAX = _field_limit("name")
PHONE_MAX = _field_limit("phone")
SIZES_MAX = _field_limit("sizes")
TAG_MAX = Tag._meta.get_field("name").max_length
RECEIPT_MAX = Purchase._meta.get_field("receipt_ref").max_length


def _member_no(value, problems):
    if not value:
        problems.append(_("member_no is empty"))
    elif len(value) > MEMBER_NO_MAX:
        problems.append(_too_long("member_no", value, MEMBER_NO_MAX))
    return value


def parse_member_row(row):
    """(member_no, values, tags): values holds the non-blank cells only, so blanks never erase."""
    problems = []
    member_no = _member_no(row["member_no"], problems)
    values = {}
    name = row["name"]
    if not name:
        problems.append(_("name is empty"))
    elif len(name) > NAME_MAX:
        problems.append(_too_long("name", name, NAME_MAX))
    values["name"] = name

    phone = row.get("phone", "")
    if phone:
        if _EXCEL_NUMBER_RE.fullmatch(phone):
            problems.append(
                _("phone “%(value)s” was shortened by Excel: format the column as text and export again")
                % {"value": phone}
            )
        elif not _PHONE_RE.fullmatch(phone) or len(phone_digits(phone)) < 3:
            problems.append(_("phone “%(value)s” is not a phone number") % {"value": phone})
        elif len(phone) > PHONE_MAX:
            problems.append(_too_long("phone", phone, PHONE_MAX))
        else:
            values["phone"] = phone

    gender = row.get("gender", "")
    if gender:
        if gender.lower() in _GENDERS:
            values["gender"] = _GENDERS[gender.lower()]
        else:
            problems.append(_("gender “%(value)s” is not f or m (or 女/男)") % {"value": gender})

    for column in ("birthday", "anniversary", "join_date"):
        value = row.get(column, "")
        if value:
            try:
                values[column] = parse_date(value, column)
            except RowError as exc:
                problems.append(str(exc))

    for column, limit in (("preferences", None), ("sizes", SIZES_MAX), ("notes", None)):
        value = row.get(column, "")
        if value:
            if limit and len(value) > limit:
                problems.append(_too_long(column, value, limit))
            else:
                values[column] = value

    tags = []
    for tag in _TAG_SPLIT_RE.split(row.get("tags", "")):
        tag = tag.strip()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX:
            problems.append(
                _("tag “%(value)s” is longer than %(limit)s characters") % {"value": tag, "limit": TAG_MAX}
            )
        tags.append(tag)

    if problems:
        raise RowError("; ".join(problems))
    return member_no, values, tuple(tags)


def parse_purchase_row(row, tz, latest):
    """(member_no, receipt_ref, purchased_at, amount)."""
    problems = []
    member_no = _member_no(row["member_no"], problems)
    receipt = row["receipt_ref"]
    if not receipt:
        problems.append(_("receipt_ref is empty"))
    elif len(receipt) > RECEIPT_MAX:
        problems.append(_too_long("receipt_ref", receipt, RECEIPT_MAX))
    moment = amount = None
    if not row["purchased_at"]:
        problems.append(_("purchased_at is empty"))
    else:
        try:
            moment = parse_moment(row["purchased_at"], tz)
        except RowError as exc:
            problems.append(str(exc))
        else:
            if moment > latest:
                problems.append(
                    _("purchased_at “%(value)s” is in the future") % {"value": row["purchased_at"]}
                )
    if not row["amount"]:
        problems.append(_("amount is empty"))
    else:
        try:
            amount = parse_amount(row["amount"])
        except RowError as exc:
            problems.append(str(exc))
    if problems:
        raise RowError("; ".join(problems))
    return member_no, receipt, moment, amount


# ---------------------------------------------------------------------------------------------
# Running an import


class _Report:
    """Collects a batch's bad rows and hands them on in line order once the batch is done."""

    def __init__(self, result, on_bad_row):
        self.result = result
        self.on_bad_row = on_bad_row
        self.pending = []

    def bad(self, line, message):
        self.pending.append((line, message))

    def flush(self):
        self.pending.sort(key=lambda item: item[0])
        for line, message in self.pending:
            self.result.bad += 1
            if len(self.result.bad_rows) < MAX_KEPT_BAD_ROWS:
                self.result.bad_rows.append((line, message))
            if self.on_bad_row is not None:
                self.on_bad_row(line, message)
        self.pending = []


def _lookup_chunks(values):
    # SQLite builds may cap a statement at 999 parameters; PostgreSQL takes the batch at once.
    size = 900 if connection.vendor == "sqlite" else BATCH_SIZE
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _write_with_retry(write):
    """Run one batch; if a concurrent import inserted the same keys first, look again once."""
    try:
        return write()
    except IntegrityError:
        return write()


def _check_actor(actor, store):
    if actor is None:
        return
    if not actor.has_perm("concierge.import_data") or (actor.store_id != store.pk and not actor.is_superuser):
        raise PermissionDenied


def run_import(kind, binary, **kwargs):
    importer = {MEMBERS: import_members, PURCHASES: import_purchases}[kind]
    return importer(binary, **kwargs)


def _run(kind, binary, *, store, actor, file_name, source_label, on_bad_row, on_progress, process):
    _check_actor(actor, store)
    source = _open_source(binary, kind)
    result = ImportResult(kind=kind, file_name=file_name, warnings=list(source.warnings))
    report = _Report(result, on_bad_row)

    def progress():
        if on_progress is not None:
            on_progress(binary.tell())

    try:
        process(source, result, report, progress)
    finally:
        source.close()
    progress()
    AuditEntry.record(
        f"import.{kind}",
        actor=actor,
        store=store,
        data={"file": file_name, "source": source_label, **result.counts()},
    )
    return result


def _broken_csv(report, exc):
    report.bad(
        exc.line,
        _("the file is not valid CSV from here on (%(detail)s); the rest of the file was not read")
        % {"detail": exc.detail},
    )


def import_members(
    binary,
    *,
    store,
    actor=None,
    file_name="",
    source_label="page",
    on_bad_row=None,
    on_progress=None,
):
    """Create or update the store's members from a CSV file (a binary file object).

    Side effects: members created or updated (only where a value differs; blank cells never
    erase), interest tags created and linked, one AuditEntry "import.members".
    Raises ImportFileError when the file cannot be read at all (nothing is written).
    """

    def process(source, result, report, progress):
        # member_no -> (line, values): a member twice in one file must say the same thing twice.
        seen = {}
        batch = []
        try:
            for line, cells in _records(source):
                try:
                    member_no, values, tags = parse_member_row(_cells(source, cells))
                except RowError as exc:
                    report.bad(line, str(exc))
                    continue
                fingerprint = (tuple(sorted(values.items())), tuple(sorted(tags)))
                if member_no in seen:
                    first_line, first_print = seen[member_no]
                    if first_print == fingerprint:
                        result.unchanged += 1
                    else:
                        report.bad(
                            line,
                            _("member %(no)s is already on line %(first)s of this file with other values")
                            % {"no": member_no, "first": first_line},
                        )
                    continue
                seen[member_no] = (line, fingerprint)
                batch.append((line, member_no, values, tags))
                if len(batch) >= BATCH_SIZE:
                    _flush_members(store, batch, result, report)
                    batch = []
                    progress()
        except _BrokenCsv as exc:
            _broken_csv(report, exc)
        _flush_members(store, batch, result, report)

    return _run(
        MEMBERS,
        binary,
        store=store,
        actor=actor,
        file_name=file_name,
        source_label=source_label,
        on_bad_row=on_bad_row,
        on_progress=on_progress,
        process=process,
    )


def _flush_members(store, batch, result, report):
    if batch:
        created, updated, unchanged = _write_with_retry(lambda: _write_members(store, batch))
        result.created += created
        result.updated += updated
        result.unchanged += unchanged
    report.flush()


def _write_members(store, batch):
    numbers = [member_no for _line, member_no, _values, _tags in batch]
    existing = {}
    for chunk in _lookup_chunks(numbers):
        existing.update(
            (member.member_no, member) for member in Member.objects.filter(store=store, member_no__in=chunk)
        )
    through = Member.tags.through
    current_tags = {}
    tagged_ids = [existing[no].pk for _line, no, _values, tags in batch if tags and no in existing]
    for chunk in _lookup_chunks(tagged_ids):
        for member_id, tag_name in through.objects.filter(member_id__in=chunk).values_list(
            "member_id", "tag__name"
        ):
            current_tags.setdefault(member_id, set()).add(tag_name)

    now = timezone.now()
    to_create, to_update, update_fields, wanted_links = [], [], {"updated_at"}, []
    created = updated = unchanged = 0
    for _line, member_no, values, tags in batch:
        member = existing.get(member_no)
        if member is None:
            member = Member(store=store, member_no=member_no, **values)
            # bulk_create skips save(), which keeps the search column in step.
            member.phone_last4 = phone_digits(member.phone)[-4:]
            to_create.append(member)
            wanted_links.extend((member, tag) for tag in tags)
            created += 1
            continue
        changed = [name for name, value in values.items() if getattr(member, name) != value]
        new_tags = [tag for tag in tags if tag not in current_tags.get(member.pk, ())]
        if not changed and not new_tags:
            unchanged += 1
            continue
        for name in changed:
            setattr(member, name, values[name])
        if "phone" in changed:
            member.phone_last4 = phone_digits(member.phone)[-4:]
            changed.append("phone_last4")
        member.updated_at = now
        update_fields.update(changed)
        to_update.append(member)
        wanted_links.extend((member, tag) for tag in new_tags)
        updated += 1

    with transaction.atomic():
        Member.objects.bulk_create(to_create, batch_size=1000)
        if to_create and to_create[0].pk is None:
            ids = dict(
                Member.objects.filter(
                    store=store, member_no__in=[m.member_no for m in to_create]
                ).values_list("member_no", "id")
            )
            for member in to_create:
                member.pk = ids[member.member_no]
        if to_update:
            Member.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
        if wanted_links:
            names = {tag for _member, tag in wanted_links}
            Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
            tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
            through.objects.bulk_create(
                [through(member_id=member.pk, tag_id=tag_ids[tag]) for member, tag in wanted_links],
                ignore_conflicts=True,
                batch_size=1000,
            )
    return created, updated, unchanged


def import_purchases(
    binary,
    *,
    store,
    actor=None,
    file_name="",
    source_label="page",
    on_bad_row=None,
    on_progress=None,
):
    """Record the store's purchases from a CSV file (a binary file object).

    Side effects: purchases created (a receipt already stored with the same data is left alone;
    with other data it is a bad row), the figures of the members whose purchases changed
    refreshed, one AuditEntry "import.purchases". Unknown member numbers are bad rows.
    Raises ImportFileError when the file cannot be read at all (nothing is written).
    """
    touched = set()

    def process(source, result, report, progress):
        member_ids = dict(
            Member.objects.filter(store=store).values_list("member_no", "id").iterator(chunk_size=20000)
        )
        tz = timezone.get_default_timezone()
        latest = timezone.now() + FUTURE_TOLERANCE
        member_numbers = {}
        # receipt -> (line, member_id, moment, amount) for the rows of the open batch
        batch = {}
        try:
            for line, cells in _records(source):
                try:
                    member_no, receipt, moment, amount = parse_purchase_row(_cells(source, cells), tz, latest)
                except RowError as exc:
                    report.bad(line, str(exc))
                    continue
                member_id = member_ids.get(member_no)
                if member_id is None:
                    report.bad(
                        line,
                        _("member %(no)s is not a member of this store: import the member first")
                        % {"no": member_no},
                    )
                    continue
                first = batch.get(receipt)
                if first is not None:
                    if first[1:] == (member_id, moment, amount):
                        result.unchanged += 1
                    else:
                        report.bad(
                            line,
                            _(
                                "receipt %(receipt)s is already on line %(first)s of this file "
                                "for another member, amount or time"
                            )
                            % {"receipt": receipt, "first": first[0]},
                        )
                    continue
                batch[receipt] = (line, member_id, moment, amount)
                if len(batch) >= BATCH_SIZE:
                    _flush_purchases(store, batch, result, report, touched, member_ids, member_numbers)
                    batch = {}
                    progress()
        except _BrokenCsv as exc:
            _broken_csv(report, exc)
        _flush_purchases(store, batch, result, report, touched, member_ids, member_numbers)
        if touched:
            from concierge.refresh import refresh_member_figures

            refresh_member_figures(sorted(touched))

    return _run(
        PURCHASES,
        binary,
        store=store,
        actor=actor,
        file_name=file_name,
        source_label=source_label,
        on_bad_row=on_bad_row,
        on_progress=on_progress,
        process=process,
    )


def _flush_purchases(store, batch, result, report, touched, member_ids, member_numbers):
    if batch:
        created, unchanged, conflicts, new_ids = _write_with_retry(lambda: _write_purchases(store, batch))
        result.created += created
        result.unchanged += unchanged
        touched.update(new_ids)
        if conflicts and not member_numbers:
            member_numbers.update((pk, no) for no, pk in member_ids.items())
        for line, receipt, stored in conflicts:
            report.bad(line, _conflict_message(receipt, stored, batch[receipt], member_numbers))
    report.flush()


def _conflict_message(receipt, stored, row, member_numbers):
    stored_member, stored_moment, stored_amount = stored
    _line, member_id, moment, amount = row
    differences = []
    if stored_member != member_id:
        differences.append(_("member %(no)s") % {"no": member_numbers.get(stored_member, "?")})
    if stored_amount != amount:
        differences.append(_("amount %(amount)s") % {"amount": stored_amount})
    if stored_moment != moment:
        differences.append(
            _("time %(time)s") % {"time": timezone.localtime(stored_moment).strftime("%Y-%m-%d %H:%M:%S")}
        )
    return _("receipt %(receipt)s is already recorded for another member, amount or time (%(stored)s)") % {
        "receipt": receipt,
        "stored": ", ".join(differences),
    }


def _write_purchases(store, batch):
    stored = {}
    for chunk in _lookup_chunks(batch):
        stored.update(
            (receipt, (member_id, moment, amount))
            for receipt, member_id, moment, amount in Purchase.objects.filter(
                store=store, receipt_ref__in=chunk
            ).values_list("receipt_ref", "member_id", "purchased_at", "amount")
        )
    new, conflicts, new_ids = [], [], set()
    unchanged = 0
    for receipt, (line, member_id, moment, amount) in batch.items():
        found = stored.get(receipt)
        if found is None:
            new.append(
                Purchase(
                    store=store, member_id=member_id, receipt_ref=receipt, purchased_at=moment, amount=amount
                )
            )
            new_ids.add(member_id)
        elif found == (member_id, moment, amount):
            unchanged += 1
        else:
            conflicts.append((line, receipt, found))
    with transaction.atomic():
        Purchase.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return len(new), unchanged, conflicts, new_ids
