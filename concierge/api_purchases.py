"""Purchases sent by a till through the API (POST /api/purchases): checked row by row exactly as
the CSV import checks them, and written with the import's own writer.

One request is one unit of work: the good rows, the refreshed figures of their members, their
visits linked, one AuditEntry "api.purchases" and the token's last use, in one transaction. A bad
row is reported by its index in the request and the other rows go on, as in the import. Receipts
are the key: a receipt already stored with the same data is "unchanged", so a till may always
send a request again; with other data it is a bad row, never an overwrite.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge import extensions, rawsql
from concierge.appointments.visits import link_new_purchases
from concierge.i18n import list_separator
from concierge.imports import parsing, writing
from concierge.imports.parsing import RowError
from concierge.imports.run import _conflict_message
from concierge.models import ApiToken, AuditEntry, Member, Purchase, Staff
from concierge.refresh import refresh_member_figures
from concierge.workflow import action

MAX_PURCHASES = 1000
FIELDS = ("member_no", "purchased_at", "amount", "receipt_ref", "items", "staff_no")
# A request's last use is written at most this often: a busy till must not queue on its token's row.
LAST_USED_EVERY = dt.timedelta(minutes=1)


@dataclass
class ApiResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (index, receipt_ref or None, message), in index order
    errors: list = field(default_factory=list)

    @property
    def written(self):
        return self.created + self.updated + self.unchanged

    def as_json(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [
                {"index": index, "receipt_ref": receipt, "message": message}
                for index, receipt, message in self.errors
            ],
        }


def _cell(name, value):
    """A JSON value as the text a CSV cell would hold: text and numbers are taken, nothing else."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\x00" in value:
            raise RowError(_("%(field)s contains a NUL character (a zero byte)") % {"field": name})
        return value.strip()
    # JSON numbers arrive as int or Decimal (never float: the body is read with parse_float=Decimal).
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise RowError(_("%(field)s must be text or a number") % {"field": name})


def _row_values(purchase):
    """{field: text} of one purchase object, or RowError listing every problem of its shape."""
    if not isinstance(purchase, dict):
        raise RowError(
            _("a purchase must be a JSON object with member_no, purchased_at, amount, receipt_ref")
        )
    problems = []
    unknown = sorted(str(name) for name in purchase if name not in FIELDS)
    if unknown:
        problems.append(
            _("unknown field %(fields)s (the fields are %(known)s)")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    values = {}
    for name in FIELDS:
        try:
            values[name] = _cell(name, purchase.get(name))
        except RowError as exc:
            problems.append(str(exc))
            values[name] = ""
    if problems:
        raise RowError(list_separator().join(problems))
    return values


def _ids_by_number(model, column, store, numbers):
    """{number: id} of the store's rows (members by member_no, staff by username) among `numbers`.

    Written out, as every till request asks it (concierge/rawsql.py)."""
    if not numbers:
        return {}
    among, params = rawsql.any_of(column, sorted(numbers))
    sql = f"SELECT {column}, id FROM {model._meta.db_table} WHERE store_id = %s AND {among}"
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [store.pk, *params])
        return dict(cursor.fetchall())


def _receipt_of(purchase):
    receipt = purchase.get("receipt_ref") if isinstance(purchase, dict) else None
    return receipt if isinstance(receipt, str) else None


@action
def record_purchases(token, purchases):
    """Record a till's purchases (a list of JSON objects) for the token's store. Returns ApiResult.

    Side effects, in one transaction: purchases created (or given the items they lacked), the
    figures of the members with new purchases refreshed, those purchases linked to the visit they
    were bought during, one AuditEntry "api.purchases", the token's last_used_at.
    """
    store = token.store
    result = ApiResult()
    tz = timezone.get_default_timezone()
    now = timezone.now()
    latest = now + parsing.FUTURE_TOLERANCE

    parsed = []  # (index, PurchaseRow, staff_no)
    for index, purchase in enumerate(purchases):
        try:
            values = _row_values(purchase)
            row = parsing.parse_purchase_row(values, tz, latest)
        except RowError as exc:
            result.errors.append((index, _receipt_of(purchase), str(exc)))
            continue
        parsed.append((index, row, values["staff_no"]))

    # Members and sellers of the token's store only: another store's member number is unknown here.
    member_ids = _ids_by_number(Member, "member_no", store, {row.member_no for _i, row, _s in parsed})
    staff_ids = _ids_by_number(Staff, "username", store, {no for _i, _r, no in parsed if no})

    batch, sellers = {}, {}
    for index, row, staff_no in parsed:
        member_id = member_ids.get(row.member_no)
        problems = []
        if member_id is None:
            problems.append(_("member %(no)s is not a member of this store") % {"no": row.member_no})
        if staff_no and staff_no not in staff_ids:
            problems.append(_("staff_no %(no)s is not a staff member of this store") % {"no": staff_no})
        if problems:
            result.errors.append((index, row.receipt, list_separator().join(problems)))
            continue
        first = batch.get(row.receipt)
        if first is not None:
            message = None
            if first[1:4] != (member_id, row.moment, row.amount):
                message = _(
                    "receipt %(receipt)s is already at index %(first)s of this request "
                    "for another member, amount or time"
                )
            elif row.items and first[4] and row.items != first[4]:
                message = _(
                    "receipt %(receipt)s is already at index %(first)s of this request with other items"
                )
            if message:
                result.errors.append(
                    (index, row.receipt, message % {"receipt": row.receipt, "first": first[0]})
                )
            else:
                if row.items and not first[4]:
                    batch[row.receipt] = (*first[:4], row.items)
                result.unchanged += 1
            continue
        batch[row.receipt] = (index, member_id, row.moment, row.amount, row.items)
        if staff_no:
            sellers[row.receipt] = staff_ids[staff_no]

    new_ids = set()
    if batch:
        # A concurrent request with the same receipts (the unique store + receipt): the insert
        # waits for the first's rows and skips them, then finds them unchanged or a conflict; where
        # an insert cannot say what it skipped, the writer's retry meets it (in a savepoint).
        def write():
            return writing.write_purchases(store, batch, staff=sellers)

        created, updated, unchanged, conflicts, new_ids = (
            write() if writing.skips_known() else writing.with_retry(write)
        )
        result.created += created
        result.updated += updated
        result.unchanged += unchanged
        if conflicts:
            numbers = dict(
                Member.objects.filter(pk__in={stored[0] for _l, _r, stored in conflicts}).values_list(
                    "id", "member_no"
                )
            )
            for index, receipt, stored in conflicts:
                result.errors.append(
                    (index, receipt, _conflict_message(receipt, stored, batch[receipt], numbers))
                )
    result.errors.sort(key=lambda error: error[0])

    if new_ids:
        # The members' own figures now; their store's A/B/C ranking waits for the nightly refresh
        # (or the next import): re-ranking 20,000 members per till purchase made every request
        # cost 60 ms and made concurrent tills wait on each other's rows.
        refresh_member_figures(sorted(new_ids), rerank=False, store=store)
        moments = [moment for _i, _m, moment, _a, _items in batch.values()]
        link_new_purchases(
            lambda: Purchase.objects.filter(
                store=store, member_id__in=new_ids, receipt_ref__in=list(batch), appointment__isnull=True
            ),
            now,
            members=sorted(new_ids),
            first=min(moments),
            last=max(moments),
        )
        # What else a new purchase sets off (a revival's credit), in this same transaction. A
        # subquery of its own: the one linked above leaves out the purchases just linked to a visit.
        # Built only if a hook asks for it: most purchases set off nothing (one cheap look).
        extensions.purchases_recorded(
            store,
            lambda: Purchase.objects.filter(
                store=store, member_id__in=new_ids, receipt_ref__in=list(batch)
            ).values("pk"),
            members=sorted(new_ids),
        )

    AuditEntry.record(
        "api.purchases",
        token,
        store=store,
        data={
            "token": token.name,
            "received": len(purchases),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "bad": len(result.errors),
        },
    )
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        # The row's own value decides (another request may have written it since this one read it).
        ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(
            last_used_at=now
        )
    return result
