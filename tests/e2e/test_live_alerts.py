"""Live alerts end to end: a real daphne (HTTP and WebSocket) and two tablets side by side.

pytest-django's live server speaks WSGI only, so this test runs the app as bin/run does, in its
own processes on a throwaway SQLite file, and drives it from the outside.
"""

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TABLETS, live, screenshot


def test_an_assignment_appears_on_the_managers_tablet_without_reload(demo_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for username in ("manager", "vip1"):
                context = browser.new_context(
                    viewport=TABLETS["landscape"], locale="zh-CN", base_url=demo_server, has_touch=True
                )
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "demo1234")
                page.locator("form.form button[type=submit]").click()
                page.wait_for_load_state()
                pages[username] = page

            vip = pages["vip1"]
            vip.goto("/my-vips/")
            unread_before = int(vip.locator("#alert-count").inner_text())
            # A marker that a reload would wipe out.
            vip.evaluate("window.stillTheSamePage = true")
            live(vip)

            boss = pages["manager"]
            boss.goto("/clientbook/")
            row = boss.locator(".alert-row:has(select[name=manager])").first
            name = row.locator(".alert-text a").inner_text()
            select = row.locator("select[name=manager]")
            wang_li = select.evaluate("s => [...s.options].find(o => o.text.startsWith('王丽')).value")
            select.select_option(wang_li)
            screenshot(boss, "client-book")
            row.locator("button[type=submit]").click()
            boss.wait_for_load_state()

            expect(vip.locator(".toast").filter(has_text=name)).to_be_visible(timeout=5000)
            expect(vip.locator("#alert-count")).to_have_text(str(unread_before + 1))
            expect(vip.locator("#my-vips-lists").filter(has_text=name)).to_be_visible(timeout=5000)
            assert vip.evaluate("window.stillTheSamePage") is True
            screenshot(vip, "my-vips-live-alert")

        finally:
            browser.close()
