"""A store's members are invisible to every other store: 404 on their URLs, absent from lists and figures."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, ContactLog
from tests.factories import ContactLogFactory, MemberFactory, PurchaseFactory
from tests.helpers import HTMX

# The assertions read the English texts, whatever catalogues are compiled.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def our_member(store):
    member = MemberFactory(
        store=store,
        name="王丽华",
        member_no="BJ0001",
        phone="13812345678",
        value_class="A",
        spend_12m=Decimal("88000"),
        last_purchase_at=timezone.now(),
    )
    PurchaseFactory(member=member, receipt_ref="BJ-R1")
    ContactLogFactory(member=member, note="生日问候")
    return member


@pytest.fixture
def their_member(other_store):
    return MemberFactory(
        store=other_store,
        name="王丽芳",
        member_no="SH0001",
        phone="13912345678",
        value_class="A",
        spend_12m=Decimal("99000"),
        last_purchase_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "params",
    [{}, {"purchases_from": "20"}, {"contacts_from": "20"}],
    ids=["page", "more-purchases", "more-contacts"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_other_stores_manager_gets_404_on_the_profile(client_for, other_manager, our_member, params, htmx):
    response = client_for(other_manager).get(
        reverse("concierge:member_detail", args=[our_member.pk]), params, **(HTMX if htmx else {})
    )
    assert response.status_code == 404
    assert "王丽华" not in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_other_stores_manager_gets_404_adding_a_contact(client_for, other_manager, our_member, htmx):
    response = client_for(other_manager).post(
        reverse("concierge:add_contact", args=[our_member.pk]),
        {"channel": "phone", "outcome": "reached", "note": "试图越权"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 404
    assert not ContactLog.objects.filter(note="试图越权").exists()
    assert not AuditEntry.objects.filter(action="member.contacted").exists()


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_our_staff_get_404_on_the_other_stores_members(request, client_for, persona, their_member):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("concierge:member_detail", args=[their_member.pk])).status_code == 404
    response = client.post(
        reverse("concierge:add_contact", args=[their_member.pk]), {"channel": "phone", "outcome": "reached"}
    )
    assert response.status_code == 404
    assert ContactLog.objects.filter(member=their_member).count() == 0


@pytest.mark.parametrize("query", ["王丽", "SH0001", "BJ0001", "5678", "sh", "bj"])
def test_search_never_crosses_stores(client_for, other_manager, our_member, their_member, query):
    response = client_for(other_manager).get(reverse("concierge:member_search"), {"q": query})
    content = response.content.decode()
    assert "王丽华" not in content
    assert reverse("concierge:member_detail", args=[our_member.pk]) not in content
    assert all(member.store_id == other_manager.store_id for member in response.context["results"])


def test_search_finds_the_own_stores_member_only(client_for, vip_manager, our_member, their_member):
    response = client_for(vip_manager).get(reverse("concierge:member_search"), {"q": "王丽"})
    assert list(response.context["results"]) == [our_member]
    assert "王丽芳" not in response.content.decode()


def test_suggestions_never_cross_stores(client_for, other_manager, our_member, their_member):
    response = client_for(other_manager).get(reverse("concierge:member_search"))
    assert response.context["suggestions"] == [their_member]
    assert "王丽华" not in response.content.decode()


def test_overview_counts_only_the_own_store(client_for, other_manager, our_member, their_member):
    response = client_for(other_manager).get(reverse("concierge:overview"))
    figures = response.context["figures"]
    assert figures["total"] == 1
    assert figures["spend"] == Decimal("99000")
    assert response.context["top_spenders"] == [their_member]
    content = response.content.decode()
    assert "王丽华" not in content
    assert "¥88,000" not in content
