"""The store manager's Settings: the staff accounts in the app, and unlocking a colleague who was
locked out by failed logins through the real login form."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import choose_language, log_in, path_of, screenshot

pytestmark = pytest.mark.e2e


def test_the_store_manager_unlocks_a_colleague_locked_out_at_the_login_form(open_tablet, demo):
    # English, so the texts looked for stay the same once the Chinese catalogue has them.
    manager = open_tablet(locale="en-US")
    log_in(manager, "manager")
    choose_language(manager, "en")
    # Settings is a rarely used link: under the header's "More", opened by a tap.
    manager.locator(".navmore > summary").click()
    manager.locator(".mainnav a[href='/setup/']").click()
    manager.wait_for_load_state()
    assert path_of(manager) == "/setup/"
    expect(manager.locator(".staff-account")).to_have_count(8)

    colleague = open_tablet(locale="en-US")
    for _ in range(5):
        colleague.goto("/accounts/login/")
        colleague.fill("input[name=username]", "vip2")
        colleague.fill("input[name=password]", "not-the-password")
        colleague.locator("form.form button[type=submit]").click()
        colleague.wait_for_load_state()
    expect(colleague.locator(".form-errors")).to_contain_text("Too many failed logins")
    screenshot(colleague, "login-locked-out")

    manager.reload()
    row = manager.locator(".staff-account", has_text="vip2")
    expect(row.locator(".badge-dormant")).to_be_visible()
    screenshot(manager, "store-setup-staff")
    row.locator("button", has_text="Unlock").click()
    manager.wait_for_load_state()
    expect(manager.locator(".staff-account", has_text="vip2").locator(".badge-dormant")).to_have_count(0)

    log_in(colleague, "vip2", demo["password"])
    assert path_of(colleague) == "/tasks/"
