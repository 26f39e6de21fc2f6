"""A VIP manager works My day on a portrait tablet: a new-member call and a dormant call, each in
two taps, and both outcomes land in the members' contact logs."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concierge.models import Member, Staff
from tasks.models import CareTask
from tests.e2e.conftest import TABLETS, log_in, path_of, screenshot, swap_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def day(demo):
    """Two tasks due today for vip1, made before the browser opens (see conftest)."""
    vip1 = Staff.objects.get(username="vip1")
    members = list(Member.objects.filter(store=vip1.store).exclude(phone="").order_by("member_no")[:2])
    today = timezone.localdate()
    made = {}
    for member, kind, reason in (
        (members[0], CareTask.Kind.NEW_MEMBER_CALL, "首次消费 7 天：满意度回访"),
        (members[1], CareTask.Kind.DORMANT_CALL, "6 个月未消费：致电询问原因"),
    ):
        task = CareTask.objects.create(
            store=vip1.store,
            member=member,
            assignee=vip1,
            kind=kind,
            period="e2e",
            due_date=today,
            reason=reason,
        )
        made[kind] = {"pk": task.pk, "member_pk": member.pk, "name": member.name}
    return made


def test_vip_manager_completes_calls_from_my_day(day, open_tablet):
    page = open_tablet()
    page.set_viewport_size(TABLETS["portrait"])
    log_in(page, "vip1")
    assert path_of(page) == "/tasks/"
    call = day[CareTask.Kind.NEW_MEMBER_CALL]
    dormant = day[CareTask.Kind.DORMANT_CALL]
    expect(page.locator(f"#task-{call['pk']}")).to_be_visible()
    expect(page.locator(f"#task-{dormant['pk']}")).to_be_visible()
    screenshot(page, "my-day")
    page.set_viewport_size(TABLETS["portrait"])

    # First tap opens the task in place, with the member's cheat sheet.
    swap_in(page, page.locator(f"#task-{call['pk']} .task-open"))
    panel = page.locator(f"#panel-{call['pk']}")
    expect(panel.locator(".cheat")).to_be_visible()
    expect(panel.get_by_text(call["name"]).first).to_be_visible()
    screenshot(page, "my-day-task-open")
    page.set_viewport_size(TABLETS["portrait"])
    panel.locator("textarea[name=suggestions]").fill("停车位太少")
    # Second tap: reached, satisfaction 4 of 5.
    panel.locator("button[name=score][value='4']").click()
    expect(page.locator("#day-list .notice-success")).to_be_visible()
    expect(page.locator(f"#task-{call['pk']}")).to_have_count(0)

    swap_in(page, page.locator(f"#task-{dormant['pk']} .task-open"))
    panel = page.locator(f"#panel-{dormant['pk']}")
    panel.locator("textarea[name=plan]").fill("搬到通州，下月寄送新店地址和停车券")
    panel.locator("button[name=why][value=moved]").click()
    expect(page.locator("#day-list .notice-success")).to_be_visible()
    expect(page.locator(f"#task-{dormant['pk']}")).to_have_count(0)
    screenshot(page, "my-day-after")

    page.goto(f"/members/{call['member_pk']}/")
    contacts = page.locator("#contacts")
    expect(contacts.get_by_text(re.compile("4/5"))).to_be_visible()
    expect(contacts.get_by_text(re.compile("停车位太少"))).to_be_visible()
    screenshot(page, "member-profile-after-call")

    page.goto(f"/members/{dormant['member_pk']}/")
    contacts = page.locator("#contacts")
    expect(contacts.get_by_text(re.compile("搬到通州"))).to_be_visible()
    # The reason is recorded in the member's words of the UI language (zh-Hans here or English).
    expect(contacts.locator(".contact-note").first).to_contain_text(re.compile("迁居|搬|Moved away"))
