import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry, ContactLog, Member, Staff
from concierge.views.members import days_until, lifecycle_note
from tests.factories import (
    ContactLogFactory,
    MemberFactory,
    PurchaseFactory,
    StaffFactory,
    TierFactory,
)
from tests.helpers import HTMX

# The assertions read the English texts, whatever catalogues are compiled.
pytestmark = pytest.mark.usefixtures("english")

SEARCH_URL = reverse("concierge:member_search")

# Auth, session, permissions, the header (store, roles) and the page's own queries; must not grow.
SEARCH_MAX_QUERIES = 8
PROFILE_MAX_QUERIES = (
    # with the VIP-manager history, the care card (open and recent tasks), the complaints card,
    # the visits card (coming visits; past ones with the no-show count) and the revival case line
    19
)


def detail_url(member):
    return reverse("concierge:member_detail", args=[member.pk])


def contact_url(member):
    return reverse("concierge:add_contact", args=[member.pk])


def results(response):
    return list(response.context["results"])


# --- search -------------------------------------------------------------------------------------


def test_search_by_name_contains(client_for, vip_manager, store):
    wanted = MemberFactory(store=store, name="王丽华")
    MemberFactory(store=store, name="张伟")
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "丽"})
    assert response.status_code == 200
    assert results(response) == [wanted]
    assert "王丽华" in response.content.decode()
    assert "张伟" not in response.content.decode()


def test_search_by_member_number_prefix_ignores_case(client_for, vip_manager, store):
    wanted = MemberFactory(store=store, member_no="VIP00123", name="赵一")
    MemberFactory(store=store, member_no="X0012300", name="钱二")
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "vip001"})
    assert results(response) == [wanted]


def test_search_by_last_four_digits_of_phone(client_for, vip_manager, store):
    by_phone = MemberFactory(store=store, name="孙三", phone="13900001234", spend_12m=Decimal("10"))
    by_number = MemberFactory(store=store, name="李四", member_no="1234-88", phone="13900005678")
    MemberFactory(store=store, name="周五", phone="13912340000")
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "1234"})
    assert set(results(response)) == {by_phone, by_number}


def test_three_digits_do_not_search_phones(client_for, vip_manager, store):
    MemberFactory(store=store, name="孙三", phone="13900001234")
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "234"})
    assert results(response) == []


def test_search_puts_exact_number_first_then_name_prefix_then_spend(client_for, vip_manager, store):
    contains_rich = MemberFactory(store=store, name="Anna Li", spend_12m=Decimal("9000"))
    prefix = MemberFactory(store=store, name="Li Na", spend_12m=Decimal("100"))
    exact = MemberFactory(store=store, member_no="LI", name="Zhou Min", spend_12m=Decimal("0"))
    contains_poor = MemberFactory(store=store, name="Bo Li", spend_12m=Decimal("5000"))
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "li"})
    assert results(response) == [exact, prefix, contains_rich, contains_poor]


def test_search_shows_at_most_25_and_says_there_are_more(client_for, vip_manager, store):
    MemberFactory.create_batch(30, store=store, name=factory_name("陈"))
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "陈"})
    assert len(results(response)) == 25
    assert response.context["has_more"] is True
    assert "More members match" in response.content.decode()


def test_search_without_more_does_not_say_so(client_for, vip_manager, store):
    MemberFactory.create_batch(3, store=store, name=factory_name("陈"))
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "陈"})
    assert len(results(response)) == 3
    assert "More members match" not in response.content.decode()


def factory_name(prefix):
    import factory

    return factory.Sequence(lambda n: f"{prefix}{n}")


def test_search_with_no_match_says_so(client_for, vip_manager, store):
    MemberFactory(store=store, name="王丽华")
    response = client_for(vip_manager).get(SEARCH_URL, {"q": "不存在"})
    assert results(response) == []
    assert "No member matches" in response.content.decode()


def test_empty_search_suggests_recently_active_key_members(client_for, vip_manager, store):
    now = timezone.now()
    key = MemberFactory(store=store, name="甲", value_class="A", last_purchase_at=now)
    MemberFactory(store=store, name="乙", value_class="C", last_purchase_at=now)
    response = client_for(vip_manager).get(SEARCH_URL)
    assert response.status_code == 200
    assert response.context["suggestions"] == [key]
    content = response.content.decode()
    assert "甲" in content
    assert "乙" not in content


def test_empty_search_without_key_members_shows_a_hint(client_for, vip_manager, store):
    response = client_for(vip_manager).get(SEARCH_URL)
    assert "Start typing to find a member." in response.content.decode()


def test_htmx_search_returns_only_the_results(client_for, vip_manager, store):
    MemberFactory(store=store, name="王丽华")
    client = client_for(vip_manager)
    partial = client.get(SEARCH_URL, {"q": "丽"}, **HTMX)
    full = client.get(SEARCH_URL, {"q": "丽"})
    assert "王丽华" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="member-q"' not in partial.content.decode()
    assert "<html" in full.content.decode()
    assert 'id="member-q"' in full.content.decode()
    assert "王丽华" in full.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_history_restore_gets_the_full_page(client_for, vip_manager, store):
    MemberFactory(store=store, name="王丽华")
    response = client_for(vip_manager).get(
        SEARCH_URL, {"q": "丽"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()


def test_search_input_searches_as_you_type(client_for, vip_manager):
    content = client_for(vip_manager).get(SEARCH_URL).content.decode()
    assert 'hx-trigger="input changed delay:250ms, search"' in content
    assert "data-live-search" in content  # Enter searches in place (static/js/app.js)
    assert 'hx-push-url="true"' in content
    assert "htmx-indicator" in content


def test_front_desk_sees_masked_phones(client_for, front_desk, store):
    member = MemberFactory(store=store, name="王丽华", phone="13812345678")
    client = client_for(front_desk)
    for response in (client.get(SEARCH_URL, {"q": "丽"}), client.get(detail_url(member))):
        content = response.content.decode()
        assert response.status_code == 200
        assert "138****5678" in content
        assert "13812345678" not in content
        assert "1234 5678" not in content
        assert "tel:" not in content


@pytest.mark.parametrize("persona", ["vip_manager", "store_manager"])
def test_roles_that_call_members_see_the_whole_number(request, client_for, store, persona):
    member = MemberFactory(store=store, name="王丽华", phone="13812345678")
    client = client_for(request.getfixturevalue(persona))
    assert "138 1234 5678" in client.get(SEARCH_URL, {"q": "丽"}).content.decode()
    profile = client.get(detail_url(member)).content.decode()
    assert "138 1234 5678" in profile
    assert 'href="tel:13812345678"' in profile


def test_search_needs_the_view_member_permission(client, store):
    nobody = StaffFactory(store=store)
    client.force_login(nobody)
    assert client.get(SEARCH_URL, {"q": "x"}).status_code == 403


def test_search_needs_login(client):
    response = client.get(SEARCH_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("count", [5, 60])
def test_search_query_count_does_not_grow(
    client_for, vip_manager, store, django_assert_max_num_queries, count
):
    tiers = TierFactory.create_batch(3)
    now = timezone.now()
    for i in range(count):
        MemberFactory(
            store=store,
            name=f"陈{i}",
            tier=tiers[i % 3],
            value_class="ABC"[i % 3],
            last_purchase_at=now - dt.timedelta(days=i),
            spend_12m=Decimal(i * 100),
        )
    client = client_for(vip_manager)
    with django_assert_max_num_queries(SEARCH_MAX_QUERIES):
        response = client.get(SEARCH_URL, {"q": "陈"})
    assert len(results(response)) == min(count, 25)
    with django_assert_max_num_queries(SEARCH_MAX_QUERIES):
        response = client.get(SEARCH_URL, {"q": "陈"}, **HTMX)
    assert response.status_code == 200
    with django_assert_max_num_queries(SEARCH_MAX_QUERIES):
        response = client.get(SEARCH_URL)
    assert len(response.context["suggestions"]) == min(count // 3 + (count % 3 > 0), 8)


# --- profile ------------------------------------------------------------------------------------


def test_profile_shows_the_member(client_for, vip_manager, store):
    tier = TierFactory(name="SVIP", lounge=True, closed_store_events=True, other_benefits="3h free parking")
    now = timezone.now()
    member = MemberFactory(
        store=store,
        name="王丽华",
        member_no="M900001",
        tier=tier,
        value_class="A",
        lifecycle=Member.Lifecycle.DORMANT,
        gender="f",
        birthday=dt.date(2000, 3, 15),
        birthday_is_lunar=True,
        anniversary=dt.date(2012, 10, 1),
        sizes="上衣 M / 鞋 37",
        preferences="偏爱真丝",
        notes="不喜欢电话推销",
        spend_12m=Decimal("123456.50"),
        purchase_count=17,
        first_purchase_at=now - dt.timedelta(days=700),
        last_purchase_at=now - dt.timedelta(days=125),
    )
    member.tags.create(name="瓷器")
    response = client_for(vip_manager).get(detail_url(member))
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "王丽华",
        "M900001",
        "SVIP",
        "VIP lounge",
        "closed-store events",
        "3h free parking",
        "Class A · key",
        "Dormant: no purchase for 4 months",
        "Lunar",
        "month 3, day 15",
        "2012-10-01",
        "上衣 M / 鞋 37",
        "偏爱真丝",
        "不喜欢电话推销",
        "瓷器",
        "¥123,456.50",
        "17",
        "125 days ago",
    ):
        assert text in content, text
    assert response.context["active_nav"] == "members"


def test_profile_lists_purchases_newest_first_with_returns(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    now = timezone.now()
    PurchaseFactory(
        member=member, receipt_ref="OLD", amount=Decimal("800"), purchased_at=now - dt.timedelta(days=9)
    )
    PurchaseFactory(
        member=member, receipt_ref="RET", amount=Decimal("-1200"), purchased_at=now - dt.timedelta(days=2)
    )
    PurchaseFactory(
        member=member, receipt_ref="NEW", amount=Decimal("2500"), purchased_at=now - dt.timedelta(days=1)
    )
    response = client_for(vip_manager).get(detail_url(member))
    content = response.content.decode()
    assert [p.receipt_ref for p in response.context["purchases"]] == ["NEW", "RET", "OLD"]
    assert content.index("NEW") < content.index("RET") < content.index("OLD")
    assert "\u2212¥1,200" in content
    assert "is-return" in content
    assert ">Return<" in content


def test_profile_shows_20_purchases_and_the_rest_on_demand(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    start = timezone.now() - dt.timedelta(days=100)
    for day in range(25):
        PurchaseFactory(member=member, receipt_ref=f"R{day:03d}", purchased_at=start + dt.timedelta(days=day))
    client = client_for(vip_manager)
    page = client.get(detail_url(member))
    assert len(page.context["purchases"]) == 20
    assert page.context["purchases"][0].receipt_ref == "R024"
    assert "purchases_from=20" in page.content.decode()

    more = client.get(detail_url(member), {"purchases_from": 20}, **HTMX)
    content = more.content.decode()
    assert "<html" not in content
    positions = [content.index(f"R{day:03d}") for day in (4, 3, 2, 1, 0)]
    assert positions == sorted(positions)
    assert "R005" not in content
    assert "purchases_from=" not in content

    # Without htmx the link grows the page instead.
    grown = client.get(detail_url(member), {"purchases_from": 20})
    assert len(grown.context["purchases"]) == 25
    assert "<html" in grown.content.decode()


def test_profile_shows_20_contacts_and_earlier_ones_on_demand(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    start = timezone.now() - dt.timedelta(days=100)
    for day in range(23):
        ContactLogFactory(member=member, note=f"note {day:03d}", contacted_at=start + dt.timedelta(days=day))
    client = client_for(vip_manager)
    page = client.get(detail_url(member))
    assert len(page.context["contacts"]) == 20
    assert page.context["contacts"][0].note == "note 022"
    more = client.get(detail_url(member), {"contacts_from": 20}, **HTMX)
    content = more.content.decode()
    assert "<html" not in content
    positions = [content.index(f"note {day:03d}") for day in (2, 1, 0)]
    assert positions == sorted(positions)
    assert "note 003" not in content
    assert "contacts_from=" not in content


def test_profile_of_a_member_without_purchases(client_for, front_desk, store):
    member = MemberFactory(store=store, phone="")
    content = client_for(front_desk).get(detail_url(member)).content.decode()
    assert "No purchases on record." in content
    assert "No contact recorded yet." in content
    assert "No purchase on record yet." in content


def test_unknown_member_is_404(client_for, vip_manager):
    assert client_for(vip_manager).get(reverse("concierge:member_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("count", [3, 50])
def test_profile_query_count_does_not_grow(
    client_for, vip_manager, store, django_assert_max_num_queries, count
):
    tier = TierFactory(lounge=True)
    member = MemberFactory(store=store, tier=tier)
    for name in ("瓷器", "高尔夫"):
        member.tags.create(name=name)
    staff = StaffFactory.create_batch(3, store=store)
    start = timezone.now() - dt.timedelta(days=300)
    for i in range(count):
        PurchaseFactory(member=member, staff=staff[i % 3], purchased_at=start + dt.timedelta(days=i))
        ContactLogFactory(member=member, staff=staff[i % 3], contacted_at=start + dt.timedelta(days=i))
    client = client_for(vip_manager)
    with django_assert_max_num_queries(PROFILE_MAX_QUERIES):
        response = client.get(detail_url(member))
    assert len(response.context["purchases"]) == min(count, 20)
    assert len(response.context["contacts"]) == min(count, 20)
    with django_assert_max_num_queries(PROFILE_MAX_QUERIES):
        client.get(detail_url(member), {"purchases_from": 20}, **HTMX)
    with django_assert_max_num_queries(PROFILE_MAX_QUERIES):
        client.get(detail_url(member), {"contacts_from": 20}, **HTMX)


# --- contact log --------------------------------------------------------------------------------


def test_add_contact_with_htmx_returns_the_updated_log(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    ContactLogFactory(member=member, note="earlier call", contacted_at=timezone.now() - dt.timedelta(days=3))
    before = timezone.now()
    response = client_for(vip_manager).post(
        contact_url(member),
        {"channel": "phone", "outcome": "reached", "note": "问候近况，下周来店试穿"},
        **HTMX,
    )
    assert response.status_code == 200
    contact = ContactLog.objects.get(note="问候近况，下周来店试穿")
    assert contact.member == member
    assert contact.staff == vip_manager
    assert contact.channel == "phone"
    assert contact.outcome == "reached"
    assert before <= contact.contacted_at <= timezone.now()
    entry = AuditEntry.objects.get(action="member.contacted")
    assert entry.actor == vip_manager
    assert entry.store == store
    assert entry.object_id == str(member.pk)
    assert entry.data["contact"] == contact.pk

    content = response.content.decode()
    assert "<html" not in content
    assert "问候近况，下周来店试穿" in content
    assert "earlier call" in content
    assert content.index("问候近况") < content.index("earlier call")
    assert "Contact saved." in content
    assert "is-new" in content


def test_add_contact_with_errors_shows_them_and_writes_nothing(client_for, front_desk, store):
    member = MemberFactory(store=store)
    response = client_for(front_desk).post(
        contact_url(member), {"channel": "fax", "note": "x"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "Select a valid choice. fax is not one of the available choices." in content
    assert "Choose the outcome." in content
    assert "has-error" in content
    assert ContactLog.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_contact_errors_come_in_the_users_language(client_for, front_desk, store):
    member = MemberFactory(store=store)
    client = client_for(front_desk)
    # A signed-in person's own language wins over the browser's.
    front_desk.language = "zh-hans"
    front_desk.save()
    chinese = client.post(contact_url(member), {"channel": "fax"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    assert "选择一个有效的选项" in chinese.content.decode()
    front_desk.language = "en"
    front_desk.save()
    english = client.post(contact_url(member), {"channel": "fax"}, HTTP_ACCEPT_LANGUAGE="zh-hans", **HTMX)
    assert "Select a valid choice." in english.content.decode()


def test_add_contact_without_htmx_redirects_to_the_profile(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    response = client_for(vip_manager).post(contact_url(member), {"channel": "gift", "outcome": "gift_given"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(member) + "#contacts"
    assert ContactLog.objects.filter(member=member, channel="gift").count() == 1


def test_add_contact_without_htmx_and_with_errors_shows_the_page(client_for, vip_manager, store):
    member = MemberFactory(store=store, name="王丽华")
    response = client_for(vip_manager).post(contact_url(member), {})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert "Choose how you were in touch." in content
    assert ContactLog.objects.count() == 0


def test_add_contact_needs_the_permission(client, store):
    member = MemberFactory(store=store)
    reader = StaffFactory(store=store)
    reader.user_permissions.add(*permissions("view_member", "view_contactlog"))
    client.force_login(reader)
    response = client.post(contact_url(member), {"channel": "phone", "outcome": "reached"}, **HTMX)
    assert response.status_code == 403
    assert ContactLog.objects.count() == 0
    # Without the permission the profile offers no form either.
    assert 'name="outcome"' not in client.get(detail_url(member)).content.decode()


def test_add_contact_only_by_post(client_for, vip_manager, store):
    member = MemberFactory(store=store)
    assert client_for(vip_manager).get(contact_url(member)).status_code == 405


def permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="concierge", codename__in=codenames)


# --- home and helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("store_manager", "concierge:overview"),
        ("vip_manager", "tasks:my_day"),
        ("front_desk", "concierge:board"),  # the arrivals board is the desk's day
        ("complaint_handler", "complaints:queue"),
    ],
)
def test_home_opens_where_the_role_starts(request, client_for, persona, target):
    response = client_for(request.getfixturevalue(persona)).get(reverse("concierge:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_lifecycle_notes_say_how_long_it_has_been(store):
    today = dt.date(2025, 6, 30)
    at = timezone.make_aware(dt.datetime(2025, 6, 20, 12))

    def note(lifecycle, last_days, first_days=None):
        member = Member(store=store, lifecycle=lifecycle)
        member.last_purchase_at = at - dt.timedelta(days=last_days - 10)
        if first_days is not None:
            member.first_purchase_at = at - dt.timedelta(days=first_days - 10)
        return lifecycle_note(member, today)

    assert note("lost", 200) == "Lost: no purchase for 6 months. Needs a phone call to ask why."
    assert note("dormant", 95).startswith("Dormant: no purchase for 3 months.")
    assert note("new", 5, first_days=12) == "New: first purchase 12 days ago."
    assert note("regular", 30) == "Regular: last purchase 30 days ago."
    # A purchase made today is not "0 days ago".
    assert note("regular", 0) == "Regular: last purchase today."
    assert note("new", 0, first_days=0) == "New: first purchase today."
    assert lifecycle_note(Member(store=store), today) == "No purchase on record yet."


def test_days_until_a_yearly_date():
    today = dt.date(2025, 12, 20)
    assert days_until(dt.date(1990, 12, 20), today) == 0
    assert days_until(dt.date(1990, 12, 25), today) == 5
    assert days_until(dt.date(1990, 1, 2), today) == 13
    assert days_until(dt.date(1992, 2, 29), dt.date(2026, 2, 1)) == 27
    assert days_until(None, today) is None


def test_staff_persona_roles_are_distinct(vip_manager, front_desk):
    # The phone tests rely on these permissions: the VIP manager calls members, front desk does not.
    assert Staff.objects.get(pk=vip_manager.pk).has_perm("concierge.view_member_phone")
    assert not Staff.objects.get(pk=front_desk.pk).has_perm("concierge.view_member_phone")


def test_dates_are_iso_and_chinese_month_days_have_no_leading_zero():
    from django.utils import translation
    from django.utils.dateformat import format as date_format
    from django.utils.formats import get_format

    day = dt.date(2026, 2, 7)
    with translation.override("en"):
        assert date_format(day, get_format("SHORT_DATE_FORMAT")) == "2026-02-07"
    with translation.override("zh-hans"):
        assert date_format(day, get_format("MONTH_DAY_FORMAT")) == "2月7日"
        assert date_format(day, get_format("SHORT_DATE_FORMAT")) == "2026-02-07"
