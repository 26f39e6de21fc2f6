"""concierge/rawsql.py: the statements a till's request writes out give back what the ORM would,
write rows as the ORM would, and (on PostgreSQL, on pooled connections) are prepared once while
Django's own queries never are."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concierge import rawsql
from concierge.models import AuditEntry, Purchase
from tests.factories import MemberFactory, PurchaseFactory

PURCHASE_FIELDS = [Purchase._meta.get_field(name) for name in ("id", "purchased_at", "amount", "items")]


@pytest.fixture
def purchase(store):
    member = MemberFactory(store=store)
    return PurchaseFactory(
        member=member, amount=Decimal("1280.50"), purchased_at=dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.UTC)
    )


def test_select_gives_back_the_values_the_orm_gives(purchase):
    among, params = rawsql.any_of("id", [purchase.pk])
    rows = rawsql.select(
        f"SELECT id, purchased_at, amount, items FROM concierge_purchase WHERE {among}",
        params,
        PURCHASE_FIELDS,
    )
    orm = list(Purchase.objects.filter(pk=purchase.pk).values_list("id", "purchased_at", "amount", "items"))
    assert [tuple(row) for row in rows] == orm
    assert rows[0][1].tzinfo is not None and rows[0][2] == Decimal("1280.50")


@pytest.mark.parametrize("count", [1, 3])
def test_any_of_one_or_many(store, count):
    members = [MemberFactory(store=store) for _n in range(count + 1)]
    among, params = rawsql.any_of("id", [member.pk for member in members[:count]])
    with rawsql.cursor() as cursor:
        cursor.execute(f"SELECT id FROM concierge_member WHERE {among} ORDER BY id", params)
        assert [row[0] for row in cursor.fetchall()] == [member.pk for member in members[:count]]


def test_insert_writes_the_row_as_save_would(store):
    entry = AuditEntry(
        action="test.written", store=store, data={"amount": Decimal("12.30"), "name": "张女士"}
    )
    rawsql.insert(entry)
    assert entry.pk is not None and not entry._state.adding
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.store, stored.data) == (
        "test.written",
        store,
        {"amount": "12.30", "name": "张女士"},
    )
    assert abs(stored.at - timezone.now()) < dt.timedelta(minutes=1)


def test_insert_skipping_leaves_stored_rows_alone(purchase, store):
    member = purchase.member
    fresh = Purchase(store=store, member=member, receipt_ref="NEW-1", purchased_at=timezone.now(), amount=1)
    again = Purchase(
        store=store, member=member, receipt_ref=purchase.receipt_ref, purchased_at=timezone.now(), amount=2
    )
    inserted = rawsql.insert_skipping([fresh, again], ("store", "receipt_ref"), ("receipt_ref",))
    assert inserted == [["NEW-1"]]
    assert Purchase.objects.get(receipt_ref=purchase.receipt_ref).amount == purchase.amount
    assert Purchase.objects.count() == 2


@pytest.mark.postgres
def test_pooled_connections_prepare_at_the_second_use_and_django_never(store, monkeypatch):
    monkeypatch.setattr(rawsql, "_prepares", lambda db: True)
    sql = "SELECT code FROM concierge_store WHERE id = %s"

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    with transaction.atomic():
        for _n in range(2):
            with rawsql.cursor() as cursor:
                cursor.execute(sql, [store.pk])
                assert cursor.fetchone() == (store.code,)
            assert connection.connection.prepare_threshold is None
        assert prepared() == ["SELECT code FROM concierge_store WHERE id = $1"]
        # Django's log shows the statement with its value, even run prepared.
        with CaptureQueriesContext(connection) as seen, rawsql.cursor() as cursor:
            cursor.execute(sql, [store.pk])
        assert seen.captured_queries[0]["sql"] == f"SELECT code FROM concierge_store WHERE id = {store.pk}"
        for _n in range(3):
            list(type(store).objects.filter(pk=store.pk))
        assert len(prepared()) == 1
