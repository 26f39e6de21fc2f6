# ruff: noqa: RUF001 (the accepted separators and currency signs are full-width characters)
"""The two import file formats: their columns, as the upload page and the parser both need them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

MEMBERS = "members"
PURCHASES = "purchases"
KIND_CHOICES = [(MEMBERS, gettext_lazy("Members")), (PURCHASES, gettext_lazy("Purchases"))]


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
    Column(
        "birthday",
        False,
        gettext_lazy("Date: YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD; from 1900, not in the future"),
        "1985-03-12",
    ),
    Column("anniversary", False, gettext_lazy("Date, as for the birthday"), "2012/10/01"),
    Column("join_date", False, gettext_lazy("Date the member joined; not in the future"), "2020-05-20"),
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
        gettext_lazy(
            "Date, or date and time (local time); a date alone counts as 12:00; from 1990, not in the future"
        ),
        "2024-05-01 14:30",
    ),
    Column(
        "amount",
        True,
        gettext_lazy("Yuan, at most 2 decimals; negative for a return; 1,234.50 and ¥ are accepted"),
        "1280.00",
    ),
    Column("receipt_ref", True, gettext_lazy("Receipt number, unique in the store"), "R20240501-0042"),
    Column(
        "items",
        False,
        gettext_lazy("What was bought: brand, category or description, free text"),
        "MaxMara 大衣",
    ),
)

COLUMNS = {MEMBERS: MEMBER_COLUMNS, PURCHASES: PURCHASE_COLUMNS}
