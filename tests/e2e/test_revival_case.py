"""A VIP manager works a revival case on a portrait tablet: the list, the case with its script, the
reason chosen swaps the script in, the attempt is recorded in place; the store manager's review."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concierge.models import Member, Purchase, Staff
from tasks.models import CareTask
from tests.e2e.conftest import TABLETS, choose_language, log_in, path_of, screenshot, swap_in
from tests.revival import factories as rv

pytestmark = pytest.mark.e2e


@pytest.fixture
def revival(demo):
    """An open campaign with one of vip1's members and a dormant call for them, made before the
    browser opens (see conftest)."""
    vip1 = Staff.objects.get(username="vip1")
    campaign = rv.campaign(vip1.store, name="e2e 激活")
    rv.quota(campaign, vip1, share=3, target=1)
    members = Member.objects.filter(store=vip1.store, purchases__isnull=False).exclude(phone="")
    member = members.distinct().first()
    case = rv.case(campaign, member, vip1, dormant_since=timezone.localdate().replace(day=1))
    call = CareTask.objects.create(
        store=vip1.store,
        member=member,
        assignee=vip1,
        kind=CareTask.Kind.DORMANT_CALL,
        period="e2e",
        due_date=timezone.localdate(),
        reason="6 个月未消费：致电询问原因",
    )
    assert Purchase.objects.filter(member=member).exists()
    return {"case": case.pk, "name": member.name, "call": call.pk}


def test_vip_manager_records_an_attempt_on_the_tablet(revival, open_tablet):
    page = open_tablet(locale="en-US")
    page.set_viewport_size(TABLETS["portrait"])
    log_in(page, "vip1")
    choose_language(page, "en")
    page.goto("/tasks/revival/cases/")
    row = page.locator(f"#case-{revival['case']}")
    expect(row).to_be_visible()
    screenshot(page, "revival-my-cases")

    row.locator("a").click()
    page.wait_for_load_state()
    assert path_of(page) == f"/tasks/revival/cases/{revival['case']}/"
    expect(page.locator(".rv-script")).to_contain_text("we miss you")

    # Choosing the reason swaps in its script.
    swap_in(page, page.locator(".rv-script-tabs a[href*='reason=moved']"))
    expect(page.locator(".rv-script")).to_contain_text("taxi")
    page.locator("label.rv-radio:has(input[name=channel][value=phone])").click()
    page.locator("label.rv-radio:has(input[name=reached][value=yes])").click()
    page.select_option("select[name=reason]", "moved")
    page.select_option("select[name=remedy]", "taxi")
    page.fill("textarea[name=note]", "搬到顺义，周六可以来")
    page.fill("input[name=next_step]", "周六接她来店，车费我们出")
    screenshot(page, "revival-case-form")
    page.locator(".rv-attempt-form button[type=submit]").click()

    expect(page.locator("#case-page .notice-success")).to_be_visible()
    expect(page.locator(".rv-attempts")).to_contain_text("搬到顺义")
    screenshot(page, "revival-case-after")

    # The dormant call on vip1's day was that call: it is gone from My day.
    page.goto("/tasks/")
    expect(page.locator(f"#task-{revival['call']}")).to_have_count(0)


def test_store_manager_reviews_the_day(revival, open_tablet):
    page = open_tablet()
    log_in(page, "manager")
    page.goto("/tasks/revival/review/")
    expect(page.locator("#rv-review")).to_contain_text(revival["name"])
    screenshot(page, "revival-review")
    page.locator(f"a[href='/tasks/revival/cases/{revival['case']}/']").first.click()
    page.wait_for_load_state()
    expect(page.locator(".rv-manage")).to_be_visible()
    screenshot(page, "revival-case-manager")
