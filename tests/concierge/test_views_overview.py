import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, Member
from concierge.views.overview import share, twelve_months_before
from tests.factories import MemberFactory, PurchaseFactory, TierFactory, TierProgramFactory

# The assertions read the English texts, whatever catalogues are compiled.
pytestmark = pytest.mark.usefixtures("english")

OVERVIEW_URL = reverse("concierge:overview")
# Auth, session, permissions, the header and five aggregate queries, whatever the store's size.
OVERVIEW_MAX_QUERIES = 12


def make_member(
    store, *, value_class="", lifecycle="regular", spend=0, tier=None, days_since_purchase=None, **kw
):
    last = None if days_since_purchase is None else timezone.now() - dt.timedelta(days=days_since_purchase)
    return MemberFactory(
        store=store,
        value_class=value_class,
        lifecycle=lifecycle,
        spend_12m=Decimal(spend),
        tier=tier,
        last_purchase_at=last,
        first_purchase_at=last,
        **kw,
    )


@pytest.fixture
def program(store):
    program = TierProgramFactory(name="ME / WE / SVIP")
    store.tier_program = program
    store.save()
    return program


@pytest.fixture
def ten_members(store, program):
    """A hand-made store: 2 A, 3 B, 4 C and one member without spend; 6 active, 2 dormant, 1 lost."""
    me = TierFactory(program=program, name="ME", rank=1)
    we = TierFactory(program=program, name="WE", rank=2)
    TierFactory(program=program, name="SVIP", rank=3)
    rows = [
        ("A", "regular", 40000, we, 5),
        ("A", "regular", 20000, we, 20),
        ("B", "regular", 8000, me, 30),
        ("B", "new", 6000, me, 10),
        ("B", "regular", 6000, None, 60),
        ("C", "dormant", 3000, me, 100),
        ("C", "new", 2000, None, 15),
        ("C", "dormant", 1000, None, 150),
        ("C", "regular", 1000, None, 70),
        ("", "lost", 0, None, 400),
    ]
    return [
        make_member(
            store,
            value_class=vc,
            lifecycle=lc,
            spend=spend,
            tier=tier,
            days_since_purchase=days,
            name=f"M{i}",
        )
        for i, (vc, lc, spend, tier, days) in enumerate(rows)
    ]


def test_overview_figures(client_for, store_manager, ten_members, other_manager):
    # The other store's members must not count.
    make_member(other_manager.store, value_class="A", spend=999999, days_since_purchase=1, name="外店")
    response = client_for(store_manager).get(OVERVIEW_URL)
    assert response.status_code == 200
    assert response.context["active_nav"] == "overview"
    figures = response.context["figures"]
    assert figures["total"] == 10
    assert figures["active"] == 9
    assert figures["spend"] == Decimal(87000)
    assert figures["dormant_or_lost"] == 3
    assert figures["dormant_or_lost_share"] == pytest.approx(30.0)
    assert [(row["code"], row["count"], row["spend"]) for row in figures["pyramid"]] == [
        ("A", 2, Decimal(60000)),
        ("B", 3, Decimal(20000)),
        ("C", 4, Decimal(7000)),
    ]
    assert figures["pyramid"][0]["spend_share"] == pytest.approx(60000 * 100 / 87000)
    assert figures["pyramid"][2]["member_share"] == pytest.approx(40.0)
    assert figures["unclassed"] == 1
    assert {row["code"]: row["count"] for row in figures["lifecycle"]} == {
        "new": 2,
        "regular": 5,
        "dormant": 2,
        "lost": 1,
    }
    assert [(row["label"], row["count"]) for row in figures["tiers"]] == [
        ("SVIP", 0),
        ("WE", 2),
        ("ME", 3),
        ("No tier", 5),
    ]


def test_overview_page_shows_the_charts_and_top_spenders(client_for, store_manager, ten_members):
    response = client_for(store_manager).get(OVERVIEW_URL)
    content = response.content.decode()
    for text in (
        "VIP pyramid",
        "¥87,000",
        "Class A brings 69%",
        "30% of members need winning back",
        "1 member (10%) has no class",
        "3+ months without a purchase",
        "6+ months without a purchase: needs a call",
        "Members per tier",
        "No tier",
    ):
        assert text in content, text
    top = response.context["top_spenders"]
    assert [member.name for member in top] == ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"]
    assert reverse("concierge:member_detail", args=[ten_members[0].pk]) in content
    assert 'data-bar-width="68.97%"' in content


def test_top_spenders_are_the_ten_biggest(client_for, store_manager, store):
    for i in range(14):
        make_member(store, value_class="A", spend=1000 + i, days_since_purchase=1, name=f"S{i:02d}")
    top = client_for(store_manager).get(OVERVIEW_URL).context["top_spenders"]
    assert [member.name for member in top] == [f"S{i:02d}" for i in range(13, 3, -1)]


def test_empty_store(client_for, store_manager):
    response = client_for(store_manager).get(OVERVIEW_URL)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 0
    assert "No spend in the last 12 months yet." in response.content.decode()
    assert not response.context["never_refreshed"]


def test_says_when_figures_were_never_refreshed(client_for, store_manager, store):
    member = MemberFactory(store=store)
    PurchaseFactory(member=member)
    response = client_for(store_manager).get(OVERVIEW_URL)
    assert response.context["never_refreshed"]
    assert "Member figures have not been calculated yet." in response.content.decode()


def test_refreshed_figures_need_no_warning(client_for, store_manager, ten_members):
    PurchaseFactory(member=ten_members[0])
    response = client_for(store_manager).get(OVERVIEW_URL)
    assert not response.context["never_refreshed"]
    assert "have not been calculated" not in response.content.decode()


def test_shows_the_date_of_the_last_refresh(client_for, store_manager, store, ten_members):
    AuditEntry.record("members.refreshed", store=store, data={"as_of": "2025-06-30"})
    content = client_for(store_manager).get(OVERVIEW_URL).content.decode()
    assert "Figures as of 2025-06-30" in content


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_overview_is_for_store_managers_and_admins(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(OVERVIEW_URL).status_code == 403


def test_overview_needs_login(client):
    response = client.get(OVERVIEW_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("count", [6, 90])
def test_overview_query_count_does_not_grow(
    client_for, store_manager, store, program, django_assert_max_num_queries, count
):
    tiers = [TierFactory(program=program, name=name, rank=rank) for rank, name in enumerate(["ME", "WE"], 1)]
    lifecycles = list(Member.Lifecycle.values)
    for i in range(count):
        member = make_member(
            store,
            value_class="ABC "[i % 4].strip(),
            lifecycle=lifecycles[i % 4],
            spend=i * 10,
            tier=tiers[i % 2] if i % 3 else None,
            days_since_purchase=i * 7,
        )
        if i % 10 == 0:
            PurchaseFactory(member=member)
    client = client_for(store_manager)
    with django_assert_max_num_queries(OVERVIEW_MAX_QUERIES):
        response = client.get(OVERVIEW_URL)
    assert response.context["figures"]["total"] == count
    assert len(response.context["top_spenders"]) == min(count - 1, 10)


def test_share_and_twelve_months():
    assert share(1, 4) == 25.0
    assert share(5, 0) == 0.0
    feb29 = timezone.make_aware(dt.datetime(2024, 2, 29, 12))
    assert twelve_months_before(feb29).date() == dt.date(2023, 2, 28)
