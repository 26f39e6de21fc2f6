# ruff: noqa: RUF001, RUF002 (full-width characters are accepted on purpose, and named so)
"""One row of an import file to the values to store, or a RowError saying why not.

Numbers and dates are NFKC-normalised first, on purpose: Chinese input methods type full-width
digits and punctuation (２０２４－０５－０１, ￥１，２８０．００), and they mean the ASCII ones. After
that only ASCII digits count, so digits of other scripts are refused rather than guessed at.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from concierge.i18n import list_separator
from concierge.models import Member, Purchase, Tag
from concierge.models.members import phone_digits

MAX_AMOUNT = Decimal("9999999999.99")
# Purchases dated further ahead than this are taken for data errors (a day and month swapped).
FUTURE_TOLERANCE = dt.timedelta(days=1)
# Before these years a date is a typing slip (1899 for 1989, 0024 for 2024), not a real record.
EARLIEST_PURCHASE = dt.date(1990, 1, 1)
EARLIEST_BIRTHDAY = dt.date(1900, 1, 1)
# Real UTC offsets run from -12:00 to +14:00.
OFFSET_MIN = dt.timedelta(hours=-12)
OFFSET_MAX = dt.timedelta(hours=14)


class RowError(Exception):
    """One row cannot be imported; the message says why."""


_DATE_RE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_DATETIME_RE = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE | re.ASCII,
)
_AMOUNT_RE = re.compile(r"([+-]?)\s*[¥￥]?\s*([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?", re.ASCII)
_PHONE_RE = re.compile(r"\+?[\d\s\-()]+", re.ASCII)
_EXCEL_NUMBER_RE = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+", re.ASCII)
_TAG_SPLIT_RE = re.compile(r"[;；|、，]")
_GENDERS = {"f": "f", "female": "f", "女": "f", "m": "m", "male": "m", "男": "m"}


def _field_limit(model, name):
    return model._meta.get_field(name).max_length


MEMBER_NO_MAX = _field_limit(Member, "member_no")
NAME_MAX = _field_limit(Member, "name")
PHONE_MAX = _field_limit(Member, "phone")
SIZES_MAX = _field_limit(Member, "sizes")
TAG_MAX = _field_limit(Tag, "name")
RECEIPT_MAX = _field_limit(Purchase, "receipt_ref")
ITEMS_MAX = _field_limit(Purchase, "items")


def numeric(value):
    """Full-width digits and punctuation as their ASCII twins; ASCII text costs nothing."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value).strip()


def row_values(cells, index, width):
    """The row's values by column name; cells past the header's width must be empty."""
    if "\x00" in "".join(cells):
        # PostgreSQL cannot store it, and no sheet types it: the file is damaged here.
        raise RowError(_("the row contains a NUL character (a zero byte): this part of the file is damaged"))
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        raise RowError(
            _(
                "the row has %(cells)s cells but the header has %(columns)s columns "
                "(is a value with a comma, like 1,234.50, missing its quotes?)"
            )
            % {"cells": len(cells), "columns": width}
        )
    return {
        name: (cells[position].strip() if position < len(cells) else "") for name, position in index.items()
    }


def parse_date(value, column):
    match = _DATE_RE.fullmatch(numeric(value))
    if match:
        try:
            return dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            pass
    raise RowError(
        _("%(column)s “%(value)s” is not a date like 2024-05-01") % {"column": column, "value": value}
    )


def _not_a_moment(value):
    return RowError(
        _("purchased_at “%(value)s” is not a date or time like 2024-05-01 or 2024-05-01 14:30")
        % {"value": value}
    )


def parse_moment(value, tz, earliest=EARLIEST_PURCHASE, latest=None):
    """A date or date-time; naive values are local time, a date alone means noon.

    The date is checked against `earliest` and `latest` (dates) before a time zone is attached,
    so no value can overflow the calendar when converted to UTC.
    """
    match = _DATETIME_RE.fullmatch(numeric(value))
    if not match:
        raise _not_a_moment(value)
    year, _sep, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
        clock = (
            dt.time(12)
            if hour is None
            else dt.time(int(hour), int(minute), int(second or 0), int((fraction or "0").ljust(6, "0")))
        )
    except ValueError:
        raise _not_a_moment(value) from None
    if date < earliest:
        raise RowError(
            _("purchased_at “%(value)s” is before %(year)s: is the year right?")
            % {"value": value, "year": earliest.year}
        )
    if latest is not None and date > latest:
        raise _in_future("purchased_at", value)
    if offset is None or hour is None:
        tzinfo = tz
    elif offset.upper() == "Z":
        tzinfo = dt.UTC
    else:
        tzinfo = _offset(value, offset)
    return dt.datetime.combine(date, clock, tzinfo=tzinfo)


def _offset(value, text):
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    delta = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    if int(digits[2:4] or 0) > 59 or not OFFSET_MIN <= delta <= OFFSET_MAX:
        raise RowError(
            _(
                "purchased_at “%(value)s” has the time-zone offset %(offset)s; "
                "offsets run from -12:00 to +14:00"
            )
            % {"value": value, "offset": text}
        )
    return dt.timezone(delta)


def _in_future(column, value):
    return RowError(_("%(column)s “%(value)s” is in the future") % {"column": column, "value": value})


def parse_amount(value):
    text = numeric(value)
    match = _AMOUNT_RE.fullmatch(text)
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


def _too_long(column, limit):
    return _("%(column)s is longer than %(limit)s characters") % {"column": column, "limit": limit}


def _member_no(value, problems):
    if not value:
        problems.append(_("member_no is empty"))
    elif len(value) > MEMBER_NO_MAX:
        problems.append(_too_long("member_no", MEMBER_NO_MAX))
    return value


@dataclass(frozen=True)
class DateRule:
    column: str
    earliest: dt.date | None
    future_allowed: bool


MEMBER_DATES = (
    DateRule("birthday", EARLIEST_BIRTHDAY, future_allowed=False),
    DateRule("anniversary", None, future_allowed=True),
    DateRule("join_date", None, future_allowed=False),
)


def parse_member_row(row, today):
    """(member_no, values, tags): values holds the non-blank cells only, so blanks never erase."""
    problems = []
    member_no = _member_no(row["member_no"], problems)
    values = {}
    name = row["name"]
    if not name:
        problems.append(_("name is empty"))
    elif len(name) > NAME_MAX:
        problems.append(_too_long("name", NAME_MAX))
    values["name"] = name

    phone = numeric(row.get("phone", ""))
    if phone:
        if _EXCEL_NUMBER_RE.fullmatch(phone):
            problems.append(
                _("phone “%(value)s” was shortened by Excel: format the column as text and export again")
                % {"value": phone}
            )
        elif not _PHONE_RE.fullmatch(phone) or len(phone_digits(phone)) < 3:
            problems.append(_("phone “%(value)s” is not a phone number") % {"value": phone})
        elif len(phone) > PHONE_MAX:
            problems.append(_too_long("phone", PHONE_MAX))
        else:
            values["phone"] = phone

    gender = row.get("gender", "")
    if gender:
        if gender.lower() in _GENDERS:
            values["gender"] = _GENDERS[gender.lower()]
        else:
            problems.append(_("gender “%(value)s” is not f or m (or 女/男)") % {"value": gender})

    for rule in MEMBER_DATES:
        value = row.get(rule.column, "")
        if not value:
            continue
        try:
            date = parse_date(value, rule.column)
        except RowError as exc:
            problems.append(str(exc))
            continue
        if rule.earliest and date < rule.earliest:
            problems.append(
                _("%(column)s “%(value)s” is before %(year)s: is the year right?")
                % {"column": rule.column, "value": value, "year": rule.earliest.year}
            )
        elif not rule.future_allowed and date > today:
            problems.append(str(_in_future(rule.column, value)))
        else:
            values[rule.column] = date

    for column, limit in (("preferences", None), ("sizes", SIZES_MAX), ("notes", None)):
        value = row.get(column, "")
        if value:
            if limit and len(value) > limit:
                problems.append(_too_long(column, limit))
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
        raise RowError(list_separator().join(problems))
    return member_no, values, tuple(tags)


class PurchaseRow(NamedTuple):
    member_no: str
    receipt: str
    moment: dt.datetime
    amount: Decimal
    items: str


def parse_purchase_row(row, tz, latest):
    """A PurchaseRow; `latest` is the latest acceptable moment (an aware datetime)."""
    problems = []
    member_no = _member_no(row["member_no"], problems)
    receipt = row["receipt_ref"]
    if not receipt:
        problems.append(_("receipt_ref is empty"))
    elif len(receipt) > RECEIPT_MAX:
        problems.append(_too_long("receipt_ref", RECEIPT_MAX))
    moment = amount = None
    value = row["purchased_at"]
    if not value:
        problems.append(_("purchased_at is empty"))
    else:
        try:
            # The date test is a day wide on each side of `latest`: offsets move the day itself.
            moment = parse_moment(value, tz, latest=latest.date() + dt.timedelta(days=1))
            if moment > latest:
                raise _in_future("purchased_at", value)
        except RowError as exc:
            problems.append(str(exc))
    if not row["amount"]:
        problems.append(_("amount is empty"))
    else:
        try:
            amount = parse_amount(row["amount"])
        except RowError as exc:
            problems.append(str(exc))
    items = row.get("items", "")
    if len(items) > ITEMS_MAX:
        problems.append(_too_long("items", ITEMS_MAX))
    if problems:
        raise RowError(list_separator().join(problems))
    return PurchaseRow(member_no, receipt, moment, amount, items)
