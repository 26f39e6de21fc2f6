"""The incentive ledger: approving, paying and correcting (actions and pages), per role and store;
the payout statement and its CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.errors import ActionRefused
from concierge.models import AuditEntry
from concierge.roles import Role
from tasks.models import IncentiveEntry
from tasks.revival.ledger import add_correction, approve_entries, mark_paid, paid_moment
from tests.factories import MemberFactory, PurchaseFactory, StaffFactory
from tests.helpers import HTMX, at
from tests.revival import factories as rv

pytestmark = pytest.mark.usefixtures("english")

Kind = IncentiveEntry.Kind
Entry = IncentiveEntry.State
LEDGER = "/tasks/revival/ledger/"


@pytest.fixture
def campaign(store):
    return rv.campaign(store, name="十一月激活", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))


def entry(campaign, staff, amount="200", kind=Kind.REWARD, state=Entry.PENDING, **fields):
    made = IncentiveEntry.objects.create(
        store=campaign.store, campaign=campaign, staff=staff, kind=kind, amount=Decimal(amount), **fields
    )
    if state != Entry.PENDING:
        IncentiveEntry.objects.filter(pk=made.pk).update(state=state)
    return IncentiveEntry.objects.get(pk=made.pk)


def fresh(row):
    return IncentiveEntry.objects.get(pk=row.pk)


# ---- the actions -----------------------------------------------------------------------------------


def test_pending_to_approved_to_paid_audited(store, campaign, vip_manager, store_manager):
    row = entry(campaign, vip_manager)
    approve_entries(store, store_manager, [row.pk])
    row = fresh(row)
    assert (row.state, row.approved_by) == (Entry.APPROVED, store_manager)
    mark_paid(store, store_manager, [row.pk], dt.date(2026, 11, 28))
    row = fresh(row)
    assert row.state == Entry.PAID
    assert timezone.localtime(row.paid_at).date() == dt.date(2026, 11, 28)
    actions = AuditEntry.objects.filter(object_id=str(row.pk), action__startswith="revival.")
    assert sorted(actions.values_list("action", "actor")) == [
        ("revival.entry_approved", store_manager.pk),
        ("revival.entry_paid", store_manager.pk),
    ]


def test_payment_today_is_recorded_now(store):
    before = timezone.now()
    assert paid_moment(timezone.localdate()) >= before


def test_of_a_mixed_selection_only_the_approved_entries_are_paid(store, campaign, vip_manager, store_manager):
    approved = entry(campaign, vip_manager, state=Entry.APPROVED)
    pending = entry(campaign, vip_manager)
    assert mark_paid(store, store_manager, [approved.pk, pending.pk], timezone.localdate()) == [approved]
    assert (fresh(approved).state, fresh(pending).state) == (Entry.PAID, Entry.PENDING)


@pytest.mark.parametrize("state", [Entry.APPROVED, Entry.PAID, Entry.REVERSED])
def test_only_pending_entries_are_approved(store, campaign, vip_manager, store_manager, state):
    row = entry(campaign, vip_manager, state=state)
    with pytest.raises(ActionRefused):
        approve_entries(store, store_manager, [row.pk])
    assert fresh(row).state == state


def test_a_payment_cannot_be_dated_in_the_future(store, campaign, vip_manager, store_manager):
    row = entry(campaign, vip_manager, state=Entry.APPROVED)
    with pytest.raises(ActionRefused, match="future"):
        mark_paid(store, store_manager, [row.pk], timezone.localdate() + dt.timedelta(days=1))


def test_only_the_stores_manager_approves(store, campaign, vip_manager, other_manager, other_store):
    row = entry(campaign, vip_manager)
    with pytest.raises(ActionRefused):
        approve_entries(store, vip_manager, [row.pk])
    with pytest.raises(ActionRefused):
        approve_entries(store, other_manager, [row.pk])
    with pytest.raises(ActionRefused):  # their own store: the entry is not found there
        approve_entries(other_store, other_manager, [row.pk])
    assert fresh(row).state == Entry.PENDING


def test_a_correction_is_a_new_entry_never_an_edit(store, campaign, vip_manager, store_manager):
    row = entry(campaign, vip_manager, state=Entry.PAID)
    made = add_correction(store, store_manager, vip_manager, campaign, Decimal("-50"), " wrong class ")
    assert (made.kind, made.amount, made.state, made.reason, made.created_by) == (
        Kind.CORRECTION,
        Decimal("-50"),
        Entry.PENDING,
        "wrong class",
        store_manager,
    )
    assert fresh(row).amount == Decimal("200")
    assert AuditEntry.objects.get(action="revival.correction_recorded").actor == store_manager


@pytest.mark.parametrize(("amount", "reason"), [("0", "x"), ("10", "  "), ("1000001", "x")])
def test_a_correction_needs_an_amount_and_a_reason(
    store, campaign, vip_manager, store_manager, amount, reason
):
    with pytest.raises(ActionRefused):
        add_correction(store, store_manager, vip_manager, campaign, Decimal(amount), reason)
    assert not IncentiveEntry.objects.exists()


def test_a_correction_for_another_stores_person_is_refused(store, campaign, store_manager, other_manager):
    with pytest.raises(ActionRefused):
        add_correction(store, store_manager, other_manager, campaign, Decimal("10"), "x")


# ---- the ledger page --------------------------------------------------------------------------------


@pytest.fixture
def ledger(store, campaign, vip_manager):
    member = MemberFactory(store=store, name="张女士", value_class="A")
    case = rv.case(campaign, member, vip_manager)
    attempt = rv.attempt(case, at=at(2026, 11, 10, 20))
    purchase = PurchaseFactory(
        member=member, purchased_at=at(2026, 11, 11, 10), amount=Decimal("2380"), receipt_ref="R-2380"
    )
    from tasks.models import RevivalCredit

    credit = RevivalCredit.objects.create(
        store=store,
        campaign=campaign,
        case=case,
        member=member,
        staff=vip_manager,
        attempt=attempt,
        purchase=purchase,
        amount=purchase.amount,
        returns_until=purchase.purchased_at + dt.timedelta(days=14),
    )
    return {
        "reward": entry(campaign, vip_manager, credit=credit),
        "approved": entry(campaign, vip_manager, "500", kind=Kind.BONUS, state=Entry.APPROVED),
        "paid": entry(campaign, vip_manager, "80", state=Entry.PAID, paid_at=at(2026, 11, 20, 12)),
    }


def test_the_ledger_lists_entries_with_totals_per_state(client_for, store_manager, ledger):
    page = client_for(store_manager).get(LEDGER)
    assert page.status_code == 200
    text = page.content.decode()
    assert "张女士" in text and "R-2380" in text and "¥2,380" in text
    assert 'data-total="pending">¥200<' in text
    assert 'data-total="approved">¥500<' in text
    assert 'data-total="paid">¥80<' in text


def test_the_ledger_filters(client_for, store_manager, ledger):
    page = client_for(store_manager).get(LEDGER, {"state": "approved", "kind": "bonus"})
    text = page.content.decode()
    assert f'data-entry="{ledger["approved"].pk}"' in text
    assert f'data-entry="{ledger["reward"].pk}"' not in text


def test_bad_filters_are_field_errors_not_errors(client_for, store_manager, ledger):
    page = client_for(store_manager).get(LEDGER, {"campaign": "99999999999999999999", "state": "nope"})
    assert page.status_code == 200
    assert page.content.decode().count('class="field-error"') == 2


def test_approve_and_pay_through_the_page(client_for, store_manager, ledger):
    client = client_for(store_manager)
    reward = ledger["reward"]
    response = client.post(
        reverse("tasks:revival_ledger_approve"), {"entries": [reward.pk, ledger["approved"].pk]}, **HTMX
    )
    assert "1 entry approved. 1 other chosen entry was left as it was." in response.content.decode()
    assert fresh(reward).state == Entry.APPROVED
    response = client.post(
        reverse("tasks:revival_ledger_pay"),
        {"entries": [reward.pk, ledger["approved"].pk], "paid_on": timezone.localdate().isoformat()},
        **HTMX,
    )
    assert response.status_code == 200
    assert "2 entries marked paid." in response.content.decode()
    assert fresh(reward).state == fresh(ledger["approved"]).state == Entry.PAID


def test_paying_without_a_date_is_a_field_error(client_for, store_manager, ledger):
    response = client_for(store_manager).post(
        reverse("tasks:revival_ledger_pay"), {"entries": [ledger["approved"].pk]}
    )
    assert response.status_code == 200
    assert "Choose the day it was paid." in response.content.decode()
    assert fresh(ledger["approved"]).state == Entry.APPROVED


def test_a_correction_through_the_page(client_for, store_manager, vip_manager, campaign, ledger):
    response = client_for(store_manager).post(
        reverse("tasks:revival_ledger_correct"),
        {"staff": vip_manager.pk, "campaign": campaign.pk, "amount": "-80", "reason": "double count"},
    )
    assert response.status_code == 302
    assert IncentiveEntry.objects.get(kind=Kind.CORRECTION).amount == Decimal("-80")


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_only_the_store_manager_opens_or_posts_the_ledger(request, client_for, ledger, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LEDGER).status_code == 403
    client.post(reverse("tasks:revival_ledger_approve"), {"entries": [ledger["reward"].pk]})
    assert fresh(ledger["reward"]).state == Entry.PENDING


def test_another_stores_manager_sees_and_approves_nothing(client_for, other_manager, ledger):
    client = client_for(other_manager)
    assert "张女士" not in client.get(LEDGER).content.decode()
    response = client.post(reverse("tasks:revival_ledger_approve"), {"entries": [ledger["reward"].pk]})
    assert response.status_code == 200  # the form comes back: not one of their entries
    assert fresh(ledger["reward"]).state == Entry.PENDING


# ---- the payout statement ----------------------------------------------------------------------------


def test_the_statement_of_a_month(client_for, vip_manager, ledger, campaign):
    entry(campaign, vip_manager, "999", state=Entry.PAID, paid_at=at(2026, 10, 31, 12))  # October
    entry(campaign, vip_manager, "-80", kind=Kind.CLAW_BACK, state=Entry.PAID, paid_at=at(2026, 11, 25, 12))
    page = client_for(vip_manager).get(reverse("tasks:revival_statement"), {"month": "2026-11"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-total="paid">¥0<' in text  # 80 paid, 80 taken back
    assert 'data-total="awaiting">¥500<' in text
    assert "¥999" not in text
    assert "R-2380" not in text  # pending: not on the statement yet


def test_a_vip_manager_sees_only_their_own_statement(client_for, store, vip_manager, campaign, ledger):
    colleague = StaffFactory(store=store, display_name="刘洋", roles=[Role.VIP_MANAGER])
    entry(campaign, colleague, "777", state=Entry.APPROVED)
    client = client_for(vip_manager)
    page = client.get(reverse("tasks:revival_statement"), {"staff": colleague.pk, "month": "2026-11"})
    assert page.status_code == 200
    assert "¥777" not in page.content.decode()
    assert "王丽" in page.content.decode()
    csv_response = client.get(reverse("tasks:revival_statement_csv"), {"staff": colleague.pk})
    assert csv_response.status_code == 403


def test_the_store_manager_reads_anyones_statement(client_for, store_manager, vip_manager, ledger):
    page = client_for(store_manager).get(
        reverse("tasks:revival_statement"), {"staff": vip_manager.pk, "month": "2026-11"}
    )
    assert 'data-total="awaiting">¥500<' in page.content.decode()


def test_a_store_manager_with_nothing_of_their_own_opens_on_someone_who_has(
    client_for, store_manager, vip_manager, ledger
):
    page = client_for(store_manager).get(reverse("tasks:revival_statement"))
    text = page.content.decode()
    assert f"Payout statement: {vip_manager}," in text
    assert f"?staff={vip_manager.pk}&amp;month=" in text
    assert 'data-total="awaiting">¥500<' in text  # her approved bonus


def test_another_stores_manager_cannot_read_a_statement(client_for, other_manager, vip_manager, ledger):
    page = client_for(other_manager).get(reverse("tasks:revival_statement"), {"staff": vip_manager.pk})
    assert "¥500" not in page.content.decode()
    response = client_for(other_manager).get(
        reverse("tasks:revival_statement_csv"), {"staff": vip_manager.pk}
    )
    assert response.status_code == 403


def test_front_desk_has_no_statement(client_for, front_desk):
    assert client_for(front_desk).get(reverse("tasks:revival_statement")).status_code == 403


def test_a_bad_month_is_a_field_error(client_for, vip_manager):
    page = client_for(vip_manager).get(reverse("tasks:revival_statement"), {"month": "2026-13"})
    assert page.status_code == 200
    assert "YYYY-MM" in page.content.decode()
    assert (
        client_for(vip_manager).get(reverse("tasks:revival_statement_csv"), {"month": "x"}).status_code == 400
    )


def test_the_statement_csv_has_totals_and_neutralises_formulas(
    client_for, vip_manager, store_manager, campaign, ledger
):
    add_correction(campaign.store, store_manager, vip_manager, campaign, Decimal("-30"), "=HYPERLINK(1)")
    correction = IncentiveEntry.objects.get(kind=Kind.CORRECTION)
    approve_entries(campaign.store, store_manager, [correction.pk])
    response = client_for(vip_manager).get(reverse("tasks:revival_statement_csv"), {"month": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    reasons = [line[8] for line in rows[1:]]
    assert "'=HYPERLINK(1)" in reasons
    amounts = {line[0]: line[9] for line in rows[1:] if line[0].startswith("Total")}
    assert amounts == {"Total paid": "80.00", "Total awaiting payment": "470.00"}
    assert "-30.00" in [line[9] for line in rows]  # a number the spreadsheet sums, not text
