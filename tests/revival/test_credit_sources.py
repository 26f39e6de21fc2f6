"""Revivals credited as the purchases arrive: through the tills' API and the CSV import, in their
own transaction, and two tills sending one member's purchases at once (PostgreSQL)."""

import datetime as dt
import io
import json
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from concierge.api_purchases import record_purchases
from concierge.api_tokens import create_api_token
from concierge.imports.run import import_purchases
from concierge.models import ApiToken, Purchase
from tasks.models import IncentiveEntry, RevivalCase, RevivalCredit
from tests.factories import MemberFactory, StaffFactory
from tests.races import race
from tests.revival import factories as rv

pytestmark = pytest.mark.usefixtures("english")
URL = "/api/purchases"


def hours_ago(hours):
    return (timezone.now() - dt.timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def member(store):
    return MemberFactory(store=store, member_no="M0001", name="张女士", value_class="A")


@pytest.fixture
def case(store, member, vip_manager):
    campaign = rv.campaign(store, min_amount=Decimal("500"), window_days=30)
    made = rv.case(campaign, member, vip_manager)
    rv.attempt(made, at=hours_ago(48))
    return made


def row(receipt="T1-0001", amount="1280.00", hours=2, **more):
    return {
        "member_no": "M0001",
        "purchased_at": hours_ago(hours).isoformat(),
        "amount": amount,
        "receipt_ref": receipt,
        **more,
    }


def send(client, token, body):
    return client.post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def token(store, store_manager):
    return create_api_token(store, actor=store_manager, name="Till 1")[1]


def test_a_till_purchase_credits_the_revival_at_once(client, store, case, token, vip_manager):
    response = send(client, token, [row()])
    assert response.status_code == 200, response.content
    credit = RevivalCredit.objects.get()
    assert (credit.member, credit.staff, credit.amount) == (case.member, vip_manager, Decimal("1280.00"))
    assert RevivalCase.objects.get(pk=case.pk).state == "revived"
    assert IncentiveEntry.objects.get().kind == "reward"


def test_a_till_return_claws_back_and_sending_it_again_changes_nothing(client, store, case, token):
    send(client, token, [row()])
    body = [row("T1-0002", "-1280.00", hours=1)]
    assert send(client, token, body).json()["created"] == 1
    assert RevivalCredit.objects.get().state == "clawed_back"
    assert IncentiveEntry.objects.get().state == "reversed"
    assert send(client, token, body).json()["unchanged"] == 1
    assert RevivalCredit.objects.count() == 1


def test_the_seller_named_by_the_till_is_the_self_rung_check(client, store, case, token, vip_manager):
    response = send(client, token, [row(staff_no=vip_manager.username)])
    assert response.status_code == 200, response.content
    assert not RevivalCredit.objects.exists()
    colleague = StaffFactory(store=store, username="s2")
    send(client, token, [row("T1-0002", staff_no=colleague.username)])
    assert RevivalCredit.objects.get().staff == vip_manager


def test_a_till_purchase_of_a_member_without_a_case_costs_one_more_query(
    client, store, member, token, django_assert_max_num_queries
):
    # The API's own queries plus the candidate search: nothing locked, nothing else read.
    send(client, token, [row("warm-up")])
    with django_assert_max_num_queries(40) as seen:
        send(client, token, [row("T1-0009")])
    sql = [query["sql"] for query in seen.captured_queries]
    assert not any("tasks_revivalcase" in text and "FOR" in text for text in sql)
    assert sum("tasks_revival" in text for text in sql) == 1


def test_an_imported_purchase_credits_the_revival_in_the_import(store, case, store_manager):
    moment = timezone.localtime(hours_ago(3)).strftime("%Y-%m-%d %H:%M")
    text = f"member_no,purchased_at,amount,receipt_ref\nM0001,{moment},900,R1\nM0001,{moment},300,R2\n"
    result = import_purchases(io.BytesIO(text.encode()), store=store, actor=store_manager)
    assert result.created == 2
    credit = RevivalCredit.objects.get()
    assert credit.purchase == Purchase.objects.get(receipt_ref="R1")
    # The same file again: unchanged, no second credit.
    again = import_purchases(io.BytesIO(text.encode()), store=store, actor=store_manager)
    assert again.unchanged == 2
    assert RevivalCredit.objects.count() == 1


def test_an_imported_return_claws_back(store, case, store_manager):
    moment = timezone.localtime(hours_ago(3)).strftime("%Y-%m-%d %H:%M")
    later = timezone.localtime(hours_ago(1)).strftime("%Y-%m-%d %H:%M")
    first = f"member_no,purchased_at,amount,receipt_ref\nM0001,{moment},900,R1\n"
    import_purchases(io.BytesIO(first.encode()), store=store, actor=store_manager)
    second = f"member_no,purchased_at,amount,receipt_ref\nM0001,{later},-900,R1-return\n"
    import_purchases(io.BytesIO(second.encode()), store=store, actor=store_manager)
    assert RevivalCredit.objects.get().state == "clawed_back"
    assert RevivalCase.objects.get(pk=case.pk).state == "contacted"


# ---- two tills at once -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purchases_of_one_member_arriving_at_once_credit_once(store, store_manager, vip_manager):
    member = MemberFactory(store=store, member_no="M0001", value_class="B")
    campaign = rv.campaign(store, min_amount=Decimal("500"), window_days=30)
    case = rv.case(campaign, member, vip_manager)
    rv.attempt(case, at=hours_ago(48))
    token, _text = create_api_token(store, actor=store_manager, name="Till 1")

    def slow_inserts(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "concierge_purchase"'):
            time.sleep(0.3)  # both purchases are in before either looks for a credit
        return result

    def till(receipt):
        def send_once():
            with connection.execute_wrapper(slow_inserts):
                return record_purchases(ApiToken.objects.get(pk=token.pk), [row(receipt)])

        return send_once

    outcome = race(till("T1-0001"), till("T2-0001"))
    assert outcome.overlapped
    assert outcome.refusals == []
    assert sorted(result.created for result in outcome.results) == [1, 1]
    assert Purchase.objects.count() == 2
    assert RevivalCredit.objects.count() == 1
    assert IncentiveEntry.objects.filter(kind="reward").count() == 1
    assert RevivalCase.objects.get(pk=case.pk).state == "revived"
