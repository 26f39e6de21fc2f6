"""The revival pages on the tablet: my cases, the case with its script and attempt form, the store
manager's daily review; who sees what, and what a post writes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from concierge.models import ContactLog
from concierge.roles import Role
from tasks.models import RevivalAttempt, RevivalCase
from tasks.revival.scripts import SCRIPT_KEYS, script_for
from tests.factories import MemberFactory, PurchaseFactory, StaffFactory
from tests.helpers import HTMX
from tests.revival import factories as rv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def campaign(store):
    return rv.campaign(store, stall_days=7)


@pytest.fixture
def colleague(store):
    return StaffFactory(username="vip2", display_name="刘洋", store=store, roles=[Role.VIP_MANAGER])


def member(store, name, value_class="B", **fields):
    return MemberFactory(store=store, name=name, value_class=value_class, lifecycle="dormant", **fields)


def spent(who, amount, days_ago, items=""):
    return PurchaseFactory(
        member=who,
        amount=Decimal(amount),
        purchased_at=timezone.now() - dt.timedelta(days=days_ago),
        items=items,
    )


def case_url(case):
    return reverse("tasks:revival_case", args=[case.pk])


def refresh_last_purchase(who):
    last = who.purchases.order_by("-purchased_at").values_list("purchased_at", flat=True).first()
    type(who).objects.filter(pk=who.pk).update(last_purchase_at=last)


# ---- my cases -----------------------------------------------------------------------------------------


def test_my_cases_in_a_useful_order(client_for, store, campaign, vip_manager, colleague):
    today = timezone.localdate()
    rv.quota(campaign, vip_manager, share=4, target=1)
    late = rv.case(campaign, member(store, "迟到", "C"), vip_manager)
    RevivalCase.objects.filter(pk=late.pk).update(
        state="contacted", attempts_count=1, next_step_on=today - dt.timedelta(days=2)
    )
    small_a, big_a = member(store, "小A", "A"), member(store, "大A", "A")
    for who, amount in ((small_a, "800"), (big_a, "9000")):
        spent(who, amount, 200)
        refresh_last_purchase(who)
    rv.case(campaign, small_a, vip_manager)
    rv.case(campaign, big_a, vip_manager)
    class_b = rv.case(campaign, member(store, "乙类", "B"), vip_manager)
    later = rv.case(campaign, member(store, "以后", "A"), vip_manager)
    RevivalCase.objects.filter(pk=later.pk).update(
        state="contacted", attempts_count=1, next_step_on=today + dt.timedelta(days=5)
    )
    rv.case(campaign, member(store, "别人的"), colleague)

    response = client_for(vip_manager).get(reverse("tasks:revival_my_cases"))
    assert response.status_code == 200
    names = [row.member.name for row in response.context["rows"]]
    assert names == ["迟到", "大A", "小A", "乙类", "以后"]
    assert class_b.member.name in response.content.decode()
    [quota] = response.context["quotas"]
    assert (quota.share, quota.target, quota.revived) == (4, 1, 0)


def test_the_store_manager_sees_everyones_cases_with_a_person_filter(
    client_for, store, campaign, store_manager, vip_manager, colleague
):
    rv.case(campaign, member(store, "甲会员"), vip_manager)
    rv.case(campaign, member(store, "乙会员"), colleague)
    client = client_for(store_manager)
    everyone = client.get(reverse("tasks:revival_my_cases"))
    assert {row.member.name for row in everyone.context["rows"]} == {"甲会员", "乙会员"}
    one = client.get(reverse("tasks:revival_my_cases"), {"staff": colleague.pk})
    assert [row.member.name for row in one.context["rows"]] == ["乙会员"]
    bad = client.get(reverse("tasks:revival_my_cases"), {"staff": "nobody", "state": "zzz"})
    assert bad.status_code == 200
    assert bad.context["form"].errors


def test_the_vip_manager_has_the_revival_link(client_for, vip_manager, store_manager):
    page = client_for(vip_manager).get(reverse("tasks:my_day")).content.decode()
    assert reverse("tasks:revival_my_cases") in page


# ---- the case -----------------------------------------------------------------------------------------


@pytest.fixture
def case(store, campaign, vip_manager):
    who = member(store, "张美华", "A", gender="f")
    spent(who, "3000", 400, items="羊绒大衣")
    spent(who, "-1200", 390, items="退货 丝巾")
    spent(who, "2500", 300, items="真丝衬衫")
    refresh_last_purchase(who)
    return rv.case(campaign, who, vip_manager, dormant_since=timezone.localdate() - dt.timedelta(days=210))


def test_the_case_shows_why_the_member_matters(client_for, case, vip_manager):
    response = client_for(vip_manager).get(case_url(case))
    page = response.content.decode()
    assert response.status_code == 200
    # 3000 - 1200 + 2500 in the year up to the last purchase.
    assert response.context["figures"]["spend"] == Decimal("4300")
    assert "真丝衬衫" in page and "羊绒大衣" in page
    assert "Never hard-sell" in page  # a return in the year before going quiet
    assert "Ms 张" in page  # the script speaks to her as staff greet her
    assert reverse("concierge:book") + f"?member={case.member_id}" in page


def test_no_hard_sell_warning_without_a_signal_then_with_an_earlier_call(
    client_for, store, campaign, vip_manager
):
    who = member(store, "李先生", gender="m")
    spent(who, "900", 300)
    refresh_last_purchase(who)
    case = rv.case(campaign, who, vip_manager)
    client = client_for(vip_manager)
    assert "Never hard-sell" not in client.get(case_url(case)).content.decode()
    rv.attempt(case, reached=True, reason="elsewhere", over_sold=True)
    assert "Never hard-sell" in client.get(case_url(case)).content.decode()


def test_the_script_follows_the_reason_chosen(client_for, case, vip_manager):
    client = client_for(vip_manager)
    swapped = client.get(case_url(case), {"reason": "moved"}, **HTMX)
    text = swapped.content.decode()
    assert "taxi" in text and "<html" not in text
    # Without JS the same address draws the whole page with that script.
    whole = client.get(case_url(case), {"reason": "moved"}).content.decode()
    assert "<html" in whole and "Congratulations on your new home" in whole
    assert client.get(case_url(case), {"reason": "bogus"}).status_code == 200


def test_another_vip_manager_and_another_store_get_404(client_for, case, colleague, other_manager):
    assert client_for(colleague).get(case_url(case)).status_code == 404
    post = {"channel": "phone", "reached": "no"}
    assert (
        client_for(colleague).post(reverse("tasks:revival_attempt", args=[case.pk]), post).status_code == 404
    )
    assert client_for(other_manager).get(case_url(case)).status_code == 404
    assert not RevivalAttempt.objects.exists()


def test_recording_on_the_page(client_for, case, vip_manager):
    client = client_for(vip_manager)
    url = reverse("tasks:revival_attempt", args=[case.pk])
    refused = client.post(url, {"channel": "phone", "reached": "yes"}, **HTMX)
    assert refused.status_code == 200
    assert "Record why the member stopped coming." in refused.content.decode()
    assert not RevivalAttempt.objects.exists()

    done = client.post(
        url, {"channel": "phone", "reached": "yes", "reason": "service", "remedy": "change_staff"}
    )
    assert done.status_code == 302 and done["Location"] == case_url(case)
    attempt = RevivalAttempt.objects.get()
    assert (attempt.reason, attempt.remedy, attempt.staff) == ("service", "change_staff", vip_manager)
    assert ContactLog.objects.filter(member=case.member).count() == 1

    in_place = client.post(url, {"channel": "message", "reached": "no"}, **HTMX)
    assert in_place.status_code == 200
    assert 'id="case-page"' in in_place.content.decode()
    assert RevivalCase.objects.get(pk=case.pk).attempts_count == 2


def test_the_managers_forms_are_the_store_managers(client_for, case, store_manager, vip_manager, colleague):
    forms = {
        "tasks:revival_guidance": {"text": "周末上午联系"},
        "tasks:revival_reassign": {"staff": colleague.pk},
        "tasks:revival_lost": {"reason": "移居海外"},
    }
    vip = client_for(vip_manager)
    for name, data in forms.items():
        assert vip.post(reverse(name, args=[case.pk]), data).status_code == 403
    assert RevivalCase.objects.get(pk=case.pk).guidance == ""

    boss = client_for(store_manager)
    page = boss.get(case_url(case)).content.decode()
    assert reverse("tasks:revival_reassign", args=[case.pk]) in page
    for name, data in forms.items():
        response = boss.post(reverse(name, args=[case.pk]), data)
        assert response.status_code == 302, name
    case = RevivalCase.objects.get(pk=case.pk)
    assert "周末上午联系" in case.guidance
    assert case.staff == colleague
    assert case.state == RevivalCase.State.LOST


# ---- the daily review ---------------------------------------------------------------------------------


def test_the_review_lists_untried_and_stalled_cases(client_for, store, campaign, store_manager, vip_manager):
    now, today = timezone.now(), timezone.localdate()
    rv.quota(campaign, vip_manager, share=5, target=2)
    untried = rv.case(campaign, member(store, "没联系"), vip_manager)
    quiet = rv.attempt(
        rv.case(campaign, member(store, "八天没动"), vip_manager), at=now - dt.timedelta(days=8)
    ).case
    passed = rv.attempt(
        rv.case(campaign, member(store, "过期"), vip_manager), at=now - dt.timedelta(days=1)
    ).case
    RevivalCase.objects.filter(pk=passed.pk).update(next_step_on=today - dt.timedelta(days=1))
    fine = rv.attempt(
        rv.case(campaign, member(store, "正常"), vip_manager), at=now - dt.timedelta(days=2)
    ).case
    RevivalCase.objects.filter(pk=fine.pk).update(next_step_on=today + dt.timedelta(days=3))
    rv.case(campaign, member(store, "已激活"), vip_manager, state=RevivalCase.State.REVIVED, attempts_count=1)

    response = client_for(store_manager).get(reverse("tasks:revival_review"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["untried"]] == [untried.pk]
    assert {c.pk for c in response.context["stalled"]} == {quiet.pk, passed.pk}
    [row] = response.context["progress"]
    assert (row.members, row.contacted, row.reached, row.revived, row.target, row.percent) == (
        5,
        4,
        3,
        1,
        2,
        50,
    )
    page = response.content.decode()
    assert case_url(untried) in page and case_url(quiet) in page


def test_the_review_is_the_store_managers_and_its_queries_do_not_grow(
    client_for, store, campaign, store_manager, vip_manager, colleague
):
    assert client_for(vip_manager).get(reverse("tasks:revival_review")).status_code == 403
    client = client_for(store_manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tasks:revival_review")).status_code == 200
        return len(queries)

    rv.quota(campaign, vip_manager, share=1)
    rv.case(campaign, member(store, "一号"), vip_manager)
    small = count()
    rv.quota(campaign, colleague, share=6)
    for n in range(6):
        rv.attempt(
            rv.case(campaign, member(store, f"会员{n}"), colleague), at=timezone.now() - dt.timedelta(days=9)
        )
    assert count() == small


# ---- the scripts -------------------------------------------------------------------------------------


def test_scripts_in_both_languages_with_the_members_form_of_address(store, vip_manager):
    who = member(store, "王建国", form_of_address="王总")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for key in SCRIPT_KEYS:
                script = script_for(key, member=who, staff=vip_manager, store=store)
                text = " ".join(script.lines)
                assert "王总" in text, (language, key)
                assert "%(" not in text
                assert script.remedies
    with translation.override("en"):
        opening = script_for("", member=who, staff=vip_manager, store=store)
    assert "王总" in opening.lines[0] and "王丽" in opening.lines[0] and store.name in opening.lines[0]
    # "Long time no see" says we miss you, and never asks whether something happened.
    assert "miss you" in opening.lines[0]
    assert not any("happen" in line for line in opening.lines)


def test_book_a_visit_from_the_case_comes_back_to_it(client_for, case, vip_manager):
    client = client_for(vip_manager)
    back = case_url(case)
    page = client.get(reverse("concierge:book"), {"member": case.member_id, "next": back}).content.decode()
    assert f'name="next" value="{back}"' in page
    # A form sent back with its errors keeps the way back; another site is never a way back.
    refused = client.post(reverse("concierge:book"), {"member": case.member_id, "next": back})
    assert f'name="next" value="{back}"' in refused.content.decode()
    elsewhere = client.get(reverse("concierge:book"), {"next": "https://evil.example/"}).content.decode()
    assert 'name="next" value="https://evil.example/"' not in elsewhere


def test_the_members_profile_says_who_is_winning_them_back(client_for, case, vip_manager, front_desk):
    profile = reverse("concierge:member_detail", args=[case.member_id])
    page = client_for(vip_manager).get(profile).content.decode()
    assert f"In revival campaign {case.campaign.name} with 王丽" in page
    assert case_url(case) in page
    assert "In revival campaign" not in client_for(front_desk).get(profile).content.decode()


def test_the_list_shows_the_cases_still_to_win_back_unless_asked(client_for, store, campaign, vip_manager):
    open_case = rv.case(campaign, member(store, "还在"), vip_manager)
    rv.case(campaign, member(store, "已放弃"), vip_manager, state=RevivalCase.State.LOST)
    client = client_for(vip_manager)
    default = client.get(reverse("tasks:revival_my_cases"))
    assert [row.pk for row in default.context["rows"]] == [open_case.pk]
    assert default.context["form"]["state"].value() == "active"
    everything = client.get(reverse("tasks:revival_my_cases"), {"state": ""})
    assert {row.member.name for row in everything.context["rows"]} == {"还在", "已放弃"}
    lost = client.get(reverse("tasks:revival_my_cases"), {"state": "lost"})
    assert [row.member.name for row in lost.context["rows"]] == ["已放弃"]
