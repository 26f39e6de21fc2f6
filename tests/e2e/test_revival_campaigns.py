"""The store manager opens a revival campaign from the tablet: preview, then open with a confirmation."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import choose_language, log_in, path_of, screenshot

pytestmark = pytest.mark.e2e


def test_the_store_manager_previews_and_opens_a_campaign(open_tablet, demo):
    manager = open_tablet(locale="en-US")
    log_in(manager, "manager")
    choose_language(manager, "en")
    manager.goto("/tasks/revival/campaigns/new/")
    manager.fill("input[name=name]", "Winter revival")
    manager.locator("button[value=preview]").click()
    manager.wait_for_load_state()
    expect(manager.locator(".revival-preview h2")).to_contain_text("in the pool")
    screenshot(manager, "revival-campaign-new")

    manager.once("dialog", lambda dialog: dialog.accept())
    manager.locator("button[value=open]").click()
    manager.wait_for_url("**/tasks/revival/campaigns/*/")
    assert path_of(manager).startswith("/tasks/revival/campaigns/")
    expect(manager.locator("h1")).to_contain_text("Winter revival")
    expect(manager.locator("h1 .badge")).to_have_text("Open")
    expect(manager.locator("section:has(#quotas-title) tbody tr").first).to_be_visible()
    expect(manager.locator(".flash-success")).to_contain_text("each person was alerted")
    screenshot(manager, "revival-campaign-open")
