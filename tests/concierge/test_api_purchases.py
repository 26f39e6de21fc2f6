"""The tills' purchase API (POST /api/purchases): the token, the body, each row checked as the CSV
import checks it, idempotence on the receipt, the figures and the audit entry, and two tills
sending one receipt at once on PostgreSQL."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from concierge.api_tokens import create_api_token, revoke_api_token
from concierge.models import ApiToken, Appointment, AuditEntry, Member, Purchase, ReceptionSettings
from tests.factories import AppointmentFactory, MemberFactory, StaffFactory
from tests.races import race

pytestmark = pytest.mark.usefixtures("english")
URL = "/api/purchases"


@pytest.fixture
def token(store, store_manager):
    _row, text = create_api_token(store, actor=store_manager, name="Till 1")
    return text


@pytest.fixture
def member(store):
    return MemberFactory(store=store, member_no="M0001")


def moment(days_ago=1):
    return (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)


# One time for every default purchase: two rows of one receipt made a second apart would differ.
YESTERDAY = moment()


def purchase(**overrides):
    row = {
        "member_no": "M0001",
        "purchased_at": YESTERDAY.isoformat(),
        "amount": "1280.00",
        "receipt_ref": "T1-0001",
        "items": "cashmere coat",
    }
    row.update(overrides)
    return row


def send(client, body, token=None, **headers):
    if token is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data, content_type=headers.pop("content_type", "application/json"), **headers)


# ---- the token ----------------------------------------------------------------------------------------


def test_the_url_is_named():
    assert reverse("concierge:api_purchases") == URL


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({}, "No token"),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-token-at-all"}, "not known"),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwdw=="}, "No token"),
    ],
)
def test_no_token_or_a_wrong_one_is_401(client, member, token, headers, says):
    response = send(client, purchase(), **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert says in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Purchase.objects.exists()


def test_a_token_one_letter_off_is_401(client, member, token):
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert send(client, purchase(), wrong).status_code == 401


def test_a_revoked_token_is_401(client, member, token, store_manager):
    revoke_api_token(ApiToken.objects.get(), actor=store_manager)
    response = send(client, purchase(), token)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]
    assert not Purchase.objects.exists()


def test_the_x_api_token_header_works_too(client, member, token):
    response = send(client, purchase(), HTTP_X_API_TOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


def test_a_signed_in_session_is_no_token(client_for, store_manager, member):
    response = send(client_for(store_manager), purchase())
    assert response.status_code == 401
    assert not Purchase.objects.exists()


def test_store_b_token_cannot_record_for_store_a_member(client, member, other_store, other_manager):
    _row, text = create_api_token(other_store, actor=other_manager, name="B till")
    response = send(client, purchase(), text)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["index"] == 0
    assert "not a member of this store" in error["message"]
    assert not Purchase.objects.exists()


# ---- the request itself -------------------------------------------------------------------------------


def test_get_is_405_json(client, token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "error" in response.json()


def test_anonymous_get_is_405_json_not_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


def test_a_form_post_is_415(client, member, token):
    response = client.post(URL, {"member_no": "M0001"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


@pytest.mark.parametrize("body", ["{not json", " ", "NaN", "[1, 2", '"a text"', "42", "null"])
def test_malformed_or_odd_json_is_400(client, member, token, body):
    response = send(client, body, token)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Purchase.objects.exists()


def test_more_than_1000_purchases_is_413(client, member, token):
    body = [purchase(receipt_ref=f"R{n}") for n in range(1001)]
    response = send(client, body, token)
    assert response.status_code == 413
    assert "1000" in response.json()["error"] or "1,000" in response.json()["error"]
    assert not Purchase.objects.exists()


def test_an_unexpected_error_is_json_and_writes_nothing(client, member, token, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("concierge.api_purchases.refresh_member_figures", broken)
    response = send(client, purchase(), token)
    assert response.status_code == 503
    assert "nothing was recorded" in response.json()["error"]
    assert not Purchase.objects.exists()


# ---- rows -------------------------------------------------------------------------------------------


def test_one_purchase_is_recorded_with_figures_visit_audit_and_last_use(client, store, member, token):
    staff = StaffFactory(username="s042", store=store)
    bought = moment(0) - dt.timedelta(minutes=30)
    visit = AppointmentFactory(
        store=store,
        member=member,
        starts_at=bought - dt.timedelta(hours=1),
        ends_at=bought + dt.timedelta(hours=1),
        arrived_at=bought - dt.timedelta(minutes=50),
        state=Appointment.State.ARRIVED,
    )
    response = send(client, purchase(purchased_at=bought.isoformat(), staff_no="s042", amount=1280), token)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}
    bought_row = Purchase.objects.get()
    assert (bought_row.member, bought_row.amount, bought_row.staff) == (member, Decimal("1280"), staff)
    assert bought_row.purchased_at == bought
    assert bought_row.items == "cashmere coat"
    assert bought_row.appointment == visit
    member.refresh_from_db()
    assert member.purchase_count == 1
    assert member.last_purchase_at == bought
    entry = AuditEntry.objects.get(action="api.purchases")
    assert entry.store == store
    assert entry.data["created"] == 1 and entry.data["bad"] == 0
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("grace", "ended_minutes_before", "linked"),
    [
        (None, 29, True),  # the default grace, 30 minutes
        (None, 31, False),
        (240, 239, True),  # the longest grace a store may set
        (240, 241, False),
    ],
)
def test_a_purchase_after_the_farewell_is_linked_within_the_grace_only(
    client, store, member, token, grace, ended_minutes_before, linked
):
    if grace is not None:
        ReceptionSettings.objects.create(store=store, purchase_grace_minutes=grace)
    bought = moment(0) - dt.timedelta(minutes=5)
    ended = bought - dt.timedelta(minutes=ended_minutes_before)
    visit = AppointmentFactory(
        store=store,
        member=member,
        starts_at=ended - dt.timedelta(hours=1),
        ends_at=ended,
        arrived_at=ended - dt.timedelta(minutes=50),
        completed_at=ended,
        state=Appointment.State.COMPLETED,
    )
    response = send(client, purchase(purchased_at=bought.isoformat()), token)
    assert response.json()["created"] == 1
    assert Purchase.objects.get().appointment == (visit if linked else None)


def test_a_purchase_before_the_arrival_is_not_linked(client, store, member, token):
    bought = moment(0) - dt.timedelta(minutes=30)
    AppointmentFactory(
        store=store,
        member=member,
        starts_at=bought,
        ends_at=bought + dt.timedelta(hours=1),
        arrived_at=bought + dt.timedelta(minutes=1),
        state=Appointment.State.ARRIVED,
    )
    send(client, purchase(purchased_at=bought.isoformat()), token)
    assert Purchase.objects.get().appointment is None


def test_the_same_request_twice_is_created_then_unchanged(client, member, token):
    body = [purchase(), purchase(receipt_ref="T1-0002", amount=99.5)]
    first = send(client, body, token)
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    second = send(client, body, token)
    assert second.status_code == 200
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    assert Purchase.objects.count() == 2
    assert AuditEntry.objects.filter(action="api.purchases").count() == 2


def test_a_receipt_sent_again_with_another_amount_is_a_row_error(client, member, token):
    send(client, purchase(), token)
    response = send(client, purchase(amount="1300.00"), token)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["receipt_ref"] == "T1-0001"
    assert "already recorded" in error["message"]
    assert "1280.00" in error["message"]
    assert Purchase.objects.get().amount == Decimal("1280.00")


def test_a_receipt_twice_in_one_request(client, member, token):
    body = [purchase(), purchase(), purchase(amount="5")]
    response = send(client, body, token)
    data = response.json()
    assert (data["created"], data["unchanged"]) == (1, 1)
    assert [error["index"] for error in data["errors"]] == [2]
    assert "index 0" in data["errors"][0]["message"]


def test_bad_rows_are_listed_by_index_and_good_ones_go_in(client, member, token):
    future = (timezone.now() + dt.timedelta(days=3)).isoformat()
    body = [
        purchase(receipt_ref="OK-1"),
        purchase(member_no="", receipt_ref="", purchased_at="", amount=""),
        purchase(receipt_ref="BAD-DATE", purchased_at="2024-13-45"),
        purchase(receipt_ref="FUTURE", purchased_at=future),
        purchase(receipt_ref="BAD-AMOUNT", amount="12,34.5x"),
        purchase(receipt_ref="X" * 65),
        purchase(receipt_ref="LONG-ITEMS", items="y" * 201),
        purchase(receipt_ref="STAFF", staff_no="nobody"),
        purchase(receipt_ref="BOOL", amount=True),
        purchase(receipt_ref="EXTRA", colour="red"),
        "not an object",
        purchase(receipt_ref="OK-2", amount=0),
    ]
    response = send(client, body, token)
    assert response.status_code == 200
    data = response.json()
    assert data["created"] == 2
    messages = {error["index"]: error["message"] for error in data["errors"]}
    assert sorted(messages) == list(range(1, 11))
    assert all(
        word in messages[1]
        for word in ("member_no is empty", "receipt_ref is empty", "purchased_at is empty", "amount is empty")
    )
    assert "is not a date" in messages[2]
    assert "in the future" in messages[3]
    assert "is not an amount" in messages[4]
    assert "receipt_ref is longer than 64" in messages[5]
    assert "items is longer than 200" in messages[6]
    assert "staff_no nobody" in messages[7]
    assert "amount must be text or a number" in messages[8]
    assert "unknown field colour" in messages[9]
    assert "JSON object" in messages[10]
    assert data["errors"][2]["receipt_ref"] == "FUTURE"
    assert set(Purchase.objects.values_list("receipt_ref", flat=True)) == {"OK-1", "OK-2"}


def test_a_batch_with_only_bad_rows_is_422(client, member, token):
    response = send(client, [purchase(amount="x"), purchase(member_no="NOPE")], token)
    assert response.status_code == 422
    assert [error["index"] for error in response.json()["errors"]] == [0, 1]
    assert AuditEntry.objects.get(action="api.purchases").data["bad"] == 2


def test_full_width_and_numbers_parse_as_in_the_import(client, member, token):
    body = [
        purchase(receipt_ref="FW", amount="￥１，２８０．００"),
        purchase(receipt_ref="NUM", amount=99.99, purchased_at=moment(2).date().isoformat()),
        purchase(receipt_ref="RET", amount="-99.50"),
    ]
    assert send(client, body, token).json()["created"] == 3
    amounts = dict(Purchase.objects.values_list("receipt_ref", "amount"))
    assert amounts == {"FW": Decimal("1280.00"), "NUM": Decimal("99.99"), "RET": Decimal("-99.50")}


def test_items_are_added_to_a_receipt_that_lacked_them(client, member, token):
    send(client, purchase(items=""), token)
    response = send(client, purchase(items="silk scarf"), token)
    assert response.json()["updated"] == 1
    assert Purchase.objects.get().items == "silk scarf"


def test_last_use_is_not_written_on_every_request(client, member, token):
    send(client, purchase(), token)
    used = ApiToken.objects.get().last_used_at
    send(client, purchase(receipt_ref="T1-0002"), token)
    assert ApiToken.objects.get().last_used_at == used


# ---- two tills at once ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_receipt_sent_twice_at_once_is_one_purchase(store, store_manager):
    MemberFactory(store=store, member_no="M0001")
    token, _text = create_api_token(store, actor=store_manager, name="Till 1")
    from concierge.api_purchases import record_purchases

    def slow_inserts(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "concierge_purchase"'):
            time.sleep(0.3)
        return result

    def send_once():
        with connection.execute_wrapper(slow_inserts):
            return record_purchases(ApiToken.objects.get(pk=token.pk), [purchase()])

    outcome = race(send_once, send_once)
    assert outcome.overlapped
    assert outcome.refusals == []
    assert sorted((result.created, result.unchanged, len(result.errors)) for result in outcome.results) == [
        (0, 1, 0),
        (1, 0, 0),
    ]
    assert Purchase.objects.count() == 1
    assert Member.objects.get().purchase_count == 1


def test_a_till_purchase_leaves_the_stores_ranking_to_the_nightly_refresh(client, store, member, token):
    # The member has no 12-month spend, so no class; after the purchase the nightly refresh (and an
    # import) would rank them, the till's purchase itself does not re-rank the store.
    assert member.value_class == ""
    response = send(client, purchase(purchased_at=(moment(0) - dt.timedelta(hours=1)).isoformat()), token)
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.purchase_count == 1 and member.spend_12m > 0
    assert member.value_class == ""
    from concierge.refresh import refresh_member_figures

    refresh_member_figures([member.pk])
    member.refresh_from_db()
    assert member.value_class != ""


# ---- served on WSGI workers (docs/deployment.md: the tills' own gunicorn) ----------------------------


def call_wsgi(body, token=None):
    """One request through concierge.wsgi's application, as gunicorn makes it."""
    import io
    from wsgiref.util import setup_testing_defaults

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from concierge.wsgi import application

    data = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": URL,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=int(status.split()[0]), headers=dict(headers))

    # As Django's test client does: the request's signals would close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        content = b"".join(result)
        result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered["status"], answered["headers"], json.loads(content)


def test_the_wsgi_application_serves_the_api_as_the_asgi_one_does(member, token):
    status, headers, answer = call_wsgi(purchase(amount="2400.00"))
    assert (status, headers["Content-Type"]) == (401, "application/json")
    assert Purchase.objects.count() == 0

    status, _headers, answer = call_wsgi(purchase(amount="2400.00"), token)
    assert (status, answer) == (200, {"created": 1, "updated": 0, "unchanged": 0, "errors": []})
    member.refresh_from_db()
    assert member.purchases.get().amount == Decimal("2400.00")
    assert member.spend_12m == Decimal("2400.00")

    status, _headers, answer = call_wsgi(purchase(amount="2400.00"), token)
    assert (status, answer["created"], answer["unchanged"]) == (200, 0, 1)
