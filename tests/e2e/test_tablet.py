"""The issue's tablet journeys, in a real browser at tablet sizes, on the demo store."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLETS, choose_language, log_in, path_of, screenshot

pytestmark = pytest.mark.e2e

LANDING = {
    "manager": "/overview/",
    "admin": "/overview/",
    "vip1": "/tasks/",
    "vip2": "/tasks/",
    "vip3": "/tasks/",
    "desk": "/reception/",
    "care": "/complaints/",
}


def test_each_demo_login_lands_where_its_day_starts(open_tablet):
    page = open_tablet()
    page.goto("/accounts/login/")
    screenshot(page, "login")

    for username, landing in LANDING.items():
        page = open_tablet()
        log_in(page, username)
        assert path_of(page) == landing, username
        overview_links = page.locator(".mainnav a[href='/overview/']")
        expect(overview_links).to_have_count(1 if landing == "/overview/" else 0)
        expect(page.locator(".mainnav a[href='/members/']")).to_have_count(1)
        if username == "manager":
            screenshot(page, "overview")
        if username == "desk":
            page.goto("/members/")
            screenshot(page, "member-search")


def test_vip_manager_finds_a_member_live_and_logs_a_call(open_tablet, demo):
    member = demo["member"]
    profile = f"/members/{member['pk']}/"
    page = open_tablet()
    log_in(page, "vip1")
    page.locator(".mainnav a[href='/members/']").click()

    search = page.locator("input[name=q]")
    search.press_sequentially(member["name"], delay=40)
    # Live results: the row appears while typing, without submitting the form.
    expect(page.locator(f"a[href='{profile}']").first).to_be_visible()
    screenshot(page, "member-search-results")

    search.fill("")
    search.press_sequentially(member["last4"], delay=40)
    result = page.locator(f"a[href='{profile}']").first
    expect(result).to_be_visible()
    expect(page.get_by_text(member["name"]).first).to_be_visible()

    result.click()
    page.wait_for_url(re.compile(re.escape(profile) + r"$"))
    expect(page.get_by_text(member["member_no"]).first).to_be_visible()
    expect(page.get_by_text(member["phone"]).first).to_be_visible()
    screenshot(page, "member-profile")

    note = "询问近况 刚从海南度假回来 下周想看新到的羊绒大衣"
    page.locator("input[name=channel][value=phone]").check()
    page.locator("input[name=outcome][value=reached]").check()
    page.locator("textarea[name=note]").fill(note)
    page.locator("form:has(textarea[name=note]) button[type=submit]").click()
    expect(page.get_by_text(note)).to_be_visible()

    page.reload()
    expect(page.get_by_text(note)).to_be_visible()
    screenshot(page, "member-profile-contact-logged")


def test_front_desk_sees_the_phone_masked(open_tablet, demo):
    member = demo["member"]
    page = open_tablet()
    log_in(page, "desk")
    page.goto("/members/")

    page.locator("input[name=q]").press_sequentially(member["last4"], delay=40)
    page.locator(f"a[href='/members/{member['pk']}/']").first.click()
    page.wait_for_url(re.compile(rf"/members/{member['pk']}/$"))

    expect(page.get_by_text(member["masked_phone"]).first).to_be_visible()
    assert member["phone"] not in page.content()
    assert member["phone"].replace(" ", "") not in page.content()
    screenshot(page, "member-profile-front-desk")


def test_language_follows_the_browser_and_the_switch(open_tablet):
    page = open_tablet(locale="zh-CN")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_label("用户名")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Username")).to_be_visible()
    screenshot(page, "login-english")

    log_in(page, "manager")
    # Signed in, the person's own language decides; the manager has none yet, so the store's.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # The language is in the user's menu, opened by a tap.
    page.locator(".usermenu > summary").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_of(page) == "/overview/"
    screenshot(page, "overview-english")

    # The switch saved the choice: on a Chinese tablet the manager still reads English.
    chinese_tablet = open_tablet(locale="zh-CN")
    log_in(chinese_tablet, "manager")
    expect(chinese_tablet.locator("html")).to_have_attribute("lang", "en")

    english_tablet = open_tablet(locale="en-US")
    english_tablet.goto("/accounts/login/")
    expect(english_tablet.locator("html")).to_have_attribute("lang", "en")


def test_store_manager_sees_the_pyramid_and_the_import_page(open_tablet, demo):
    page = open_tablet()
    log_in(page, "manager")
    assert path_of(page) == "/overview/"
    for value_class in ("A", "B", "C"):
        expect(page.locator(f".bar-fill.{value_class}").first).to_be_attached()

    # Imports is used now and then: with Settings it sits under "More", opened by a tap.
    page.locator(".navmore > summary").click()
    page.locator(".mainnav a[href='/imports/']").click()
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(page.locator("input[type=file]").first).to_be_attached()
    screenshot(page, "imports")

    # Line 3 names a member the store does not have: reported by its line, the good row kept.
    page.locator("input[name=kind][value=purchases]").check()
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "pos-export.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "member_no,purchased_at,amount,receipt_ref\n"
                    f"{demo['member']['member_no']},2026-11-01 15:20,1280.00,E2E-0001\n"
                    "NOBODY-999,2026-11-01 15:25,88.00,E2E-0002\n"
                ).encode(),
            }
        ]
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    report = page.locator("text=NOBODY-999").first
    expect(report).to_be_visible()
    screenshot(page, "imports-report")

    page.locator(".mainnav a[href='/members/']").click()
    page.wait_for_url(re.compile(r"/members/"))
    screenshot(page, "member-search-store-manager")


NAV_PAGES = {
    "/overview/": "Overview",
    "/members/": "Members",
    "/imports/": "Imports",
    "/clientbook/": "Client book",
    "/tasks/team/": "Team tasks",
    "/setup/": "Settings",
}


def nav_fits(page):
    """No sideways scrolling in the header, and the link of the page on screen, whole."""
    return page.evaluate(
        """() => {
          const nav = document.querySelector('.mainnav');
          const current = nav.querySelector('[aria-current=page]');
          const box = current.getBoundingClientRect();
          return {
            overflow: nav.scrollWidth > nav.clientWidth || document.documentElement.scrollWidth > innerWidth,
            visible: box.width > 0 && box.left >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
            label: current.textContent.trim(),
          };
        }"""
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_store_managers_navigation_fits_both_tablets(open_tablet, locale):
    page = open_tablet(locale=locale)
    log_in(page, "manager")
    if locale == "en-US":
        choose_language(page, "en")
    for size in TABLETS.values():
        page.set_viewport_size(size)
        for path, label in NAV_PAGES.items():
            page.goto(path)
            fits = nav_fits(page)
            assert not fits["overflow"], (path, size)
            assert fits["visible"], (path, size)
            if locale == "en-US":
                assert fits["label"] == label
            expect(page.locator(".mainnav a").first).to_be_visible()
    page.goto("/clientbook/")
    screenshot(page, f"nav-store-manager-{locale}")


def test_three_more_links_go_under_more_opened_by_a_tap(open_tablet, monkeypatch):
    from concierge import extensions
    from concierge.extensions import NavItem

    real = extensions.nav_items
    extra = [
        NavItem(key, label, "/members/?" + key)
        for key, label in (
            ("appointments", "Appointments"),
            ("events", "Events"),
            ("salons", "Salons"),
        )
    ]
    monkeypatch.setattr(extensions, "nav_items", lambda user: real(user) + extra)
    page = open_tablet(locale="en-US")
    log_in(page, "manager")
    choose_language(page, "en")
    page.set_viewport_size(TABLETS["portrait"])
    page.goto("/imports/")
    fits = nav_fits(page)
    assert not fits["overflow"]
    assert fits["visible"] and fits["label"] == "Imports"

    menu = page.locator(".navmore")
    expect(menu.locator(".menu-panel")).to_be_hidden()
    menu.locator("summary").tap()
    for label in ("Appointments", "Events", "Salons", "Revival"):
        expect(menu.get_by_role("link", name=label)).to_be_visible()
    screenshot(page, "nav-more-open")
    # A tap elsewhere closes it again.
    page.locator("h1").tap()
    expect(menu.locator(".menu-panel")).to_be_hidden()
