"""A complaint end to end, as the front desk and the complaint handlers live it: a real daphne
(HTTP and WebSocket) and three tablets.

The front desk records a member's complaint on a portrait tablet; the handler it is routed to sees
it arrive in their queue without reloading; they make first contact, resolve it, call back for
feedback, hear that the customer is not satisfied, and the complaint is reopened.
"""

import re
import time

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TABLETS, choose_language, live, screenshot

MEMBER_NO = "WF100042"
STORY = "新买的手袋拉链第二天就坏了，顾客很生气。"


def tap_choice(page, name, value):
    """Radio choices are drawn as big segments: tap the segment, as a finger would."""
    page.locator(f"label.segment:has(input[name={name}][value='{value}'])").click()


def test_a_complaint_from_the_counter_to_reopened(demo_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for username, shape in (("desk", "portrait"), ("care", "landscape"), ("care2", "landscape")):
                context = browser.new_context(
                    viewport=TABLETS[shape], locale="zh-CN", base_url=demo_server, has_touch=True
                )
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "demo1234")
                page.locator("form.form button[type=submit]").click()
                page.wait_for_load_state()
                pages[username] = page

            # Both handlers watch their own queue, in English; routing decides which one gets it.
            for username in ("care", "care2"):
                queue = pages[username]
                choose_language(queue, "en")
                queue.goto("/complaints/?tab=mine")
                queue.evaluate("window.stillTheSamePage = true")
            live(pages["care"], pages["care2"])

            desk = pages["desk"]
            desk.goto("/complaints/new/")
            desk.fill("#member-q", MEMBER_NO)
            pick = desk.locator(".pick-row").filter(has_text=MEMBER_NO)
            expect(pick).to_have_count(1)
            pick.click()
            tap_choice(desk, "category", desk.locator("input[name=category]").first.get_attribute("value"))
            desk.fill("input[name=counter]", "Coach")
            tap_choice(desk, "severity", "high")
            desk.fill("textarea[name=description]", STORY)
            desk.fill("textarea[name=wish]", "换一个新的")
            screenshot(desk, "complaint-record")
            desk.locator("button.record-button").click()
            desk.wait_for_load_state()
            expect(desk.locator("body")).to_contain_text(STORY)

            # The handler it went to sees it arrive in their queue without a reload.
            handler = None
            deadline = time.monotonic() + 5
            while handler is None and time.monotonic() < deadline:
                for username in ("care", "care2"):
                    if pages[username].locator("#complaint-queue").filter(has_text="Coach").count():
                        handler = pages[username]
                pages["care"].wait_for_timeout(100)
            assert handler is not None, "neither handler's queue showed the new complaint"
            assert handler.evaluate("window.stillTheSamePage") is True
            row = handler.locator(".queue-row").filter(has_text="Coach")
            expect(row).to_contain_text("High")
            screenshot(handler, "complaint-queue-live")

            row.locator("a.queue-open").click()
            handler.wait_for_load_state()
            number = re.search(r"/complaints/(\d+)/", handler.url).group(1)

            tap_choice(handler, "channel", "phone")
            handler.fill("form[action$='/contact/'] textarea[name=note]", "已致电道歉，约顾客明天来店换货。")
            handler.locator("form[action$='/contact/'] button[type=submit]").click()
            expect(handler.locator("#complaint")).to_contain_text("In progress")

            handler.fill("form[action$='/resolve/'] textarea[name=solution]", "Exchanged for a new bag.")
            tap_choice(handler, "compensation", "gift")
            handler.fill("form[action$='/resolve/'] input[name=value]", "80")
            handler.locator("form[action$='/resolve/'] button[type=submit]").click()
            expect(handler.locator("#complaint")).to_contain_text("Resolved, awaiting feedback")

            tap_choice(handler, "satisfied", "no")
            tap_choice(handler, "score", "2")
            handler.fill("form[action$='/feedback/'] textarea[name=note]", "The new one is scratched.")
            handler.locator("form[action$='/feedback/'] button[type=submit]").click()
            expect(handler.locator("#complaint")).to_contain_text("Reopened")
            expect(handler.locator("#complaint")).to_contain_text("The new one is scratched.")
            screenshot(handler, "complaint-reopened")

            # The front desk sees the same case, reopened, on its own tablet in Chinese.
            desk.goto(f"/complaints/{number}/")
            expect(desk.locator("#complaint")).to_contain_text("已重新打开")
            screenshot(desk, "complaint-reopened-zh")
        finally:
            browser.close()
