"""The Content-Security-Policy in a real browser: no page breaks it, and what ran inline still works.

Each demo role opens every page its navigation offers (and a profile, its alerts, a refused and a
missing page) on the app served as in production: daphne, DEBUG off, collected static files. Any
violation chromium reports fails the test. Then the behaviour that moved out of inline script and
htmx's eval is exercised: live alerts over the WebSocket, My day's panels, the draft's etiquette
check, live search, chart bars, select-all and the language switch.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TABLETS,
    daphne_server,
    demo_var_dir,
    live,
    server_env,
    swap_in,
)

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["manager", "vip1", "desk", "care", "admin"]

# Run inside the server's database before it starts: tasks for vip1 (a call and a birthday
# greeting with its draft) and one in the store's pool. Prints what the test looks for.
SETUP = """
import json
from django.utils import timezone
from concierge.models import Member, Staff
from tasks.models import CareTask
vip1 = Staff.objects.get(username="vip1")
members = list(Member.objects.filter(store=vip1.store).exclude(phone="").order_by("member_no")[:3])
made = {}
for member, kind, assignee in (
    (members[0], CareTask.Kind.NEW_MEMBER_CALL, vip1),
    (members[1], CareTask.Kind.BIRTHDAY_GREETING, vip1),
    (members[2], CareTask.Kind.CARE_CALL, None),
):
    task = CareTask.objects.create(
        store=vip1.store, member=member, assignee=assignee, kind=kind, period="csp",
        due_date=timezone.localdate(), reason="e2e",
    )
    made[kind] = task.pk
made["member"] = members[0].pk
made["last4"] = members[0].phone_last4
print(json.dumps(made))
"""


@pytest.fixture
def production_server(tmp_path, demo_database):
    """The app as deployed: daphne (HTTP and WebSocket), DEBUG off, static files collected."""
    env = server_env(
        demo_var_dir(demo_database, tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        SECRET_KEY="e2e-" + "x" * 50,
    )
    del env["DEBUG"]
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])
    with daphne_server(env, ROOT) as url:
        yield url, facts


class Tablet:
    """A signed-in tablet that remembers every policy violation and script error it saw."""

    def __init__(self, browser, base_url, username, locale="zh-CN"):
        self.context = browser.new_context(
            viewport=TABLETS["landscape"], locale=locale, base_url=base_url, has_touch=True
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.where()}: script error {error}"))
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "demo1234")
        self.page.locator("form.form button[type=submit]").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def where(self):
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def _console(self, message):
        text = message.text
        # Violations, and htmx refusing an hx-on or trigger filter because eval is off.
        if any(sign in text for sign in ("Content Security Policy", "unsafe-eval", "evalDisallowed")):
            self.problems.append(f"{self.where()}: {text}")

    def visit(self, path):
        # Loaded, and whatever htmx fetched on load is back: a violation is reported as the refused
        # thing happens, so the page has said all it will. (Waiting for the network to fall idle
        # costs half a second a page, and the page's open socket is not idleness anyway.)
        self.page.goto(path)
        deadline = time.monotonic() + 10
        while self.page.evaluate("document.querySelectorAll('.htmx-request').length"):
            assert time.monotonic() < deadline, f"{path}: htmx requests still running"
            self.page.wait_for_timeout(20)

    def nav_paths(self):
        return self.page.eval_on_selector_all(".mainnav a", "links => links.map(a => a.pathname)")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_no_page_breaks_the_policy_and_what_was_inline_still_works(production_server, browser):
    base_url, facts = production_server
    tablets = {}
    for username in ROLES:
        tablet = tablets[username] = Tablet(browser, base_url, username)
        header = tablet.page.request.get(tablet.where()).headers["content-security-policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        paths = [*tablet.nav_paths(), f"/members/{facts['member']}/", "/alerts/", "/no-such-page/"]
        if username == "vip1":
            paths.append("/clientbook/")  # refused: the styled 403
        for path in dict.fromkeys(paths):
            tablet.visit(path)
        assert len(paths) >= 4

    boss, vip = tablets["manager"], tablets["vip1"]

    # The overview's chart bars get their widths from static/js/app.js.
    boss.visit("/overview/")
    widths = boss.page.eval_on_selector_all(
        ".bar-fill[data-bar-width]", "bars => bars.map(b => b.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 0

    # Select-all in the pool.
    boss.visit("/tasks/pool/")
    boss.page.locator("[data-select-all]").check()
    assert boss.page.locator("input[name=tasks]:not(:checked)").count() == 0

    # Live search: typing searches in place; Enter does not load the page again.
    vip.visit("/members/")
    vip.page.evaluate("window.stillTheSamePage = true")
    vip.page.fill("#member-q", facts["last4"])
    expect(vip.page.locator("#search-results .member-list li")).to_have_count(1)
    vip.page.press("#member-q", "Enter")
    vip.page.wait_for_timeout(300)
    assert vip.page.evaluate("window.stillTheSamePage") is True

    # My day: a tap opens the task in place, the close button empties the panel again.
    vip.visit("/tasks/")
    call = facts["new_member_call"]
    swap_in(vip.page, vip.page.locator(f"#task-{call} .task-open"))
    panel = vip.page.locator(f"#panel-{call}")
    expect(panel.locator(".cheat")).to_be_visible()
    panel.locator("[data-close-panel]").click()
    expect(panel.locator(".cheat")).to_have_count(0)

    # The greeting's draft: the etiquette check runs as the message is edited, and Copy answers.
    greeting = facts["birthday_greeting"]
    swap_in(vip.page, vip.page.locator(f"#task-{greeting} .task-open"))
    panel = vip.page.locator(f"#panel-{greeting}")
    draft = panel.locator("textarea[name=message]")
    expect(panel.locator(".draft-ok")).to_be_visible()
    draft.fill(draft.input_value() + "本周全场打折。")
    expect(panel.locator(".draft-warning[data-code=promotion]")).to_be_visible()
    panel.locator("[data-copy-draft]").click()
    expect(panel.locator(".draft-status")).not_to_be_empty()

    # A live alert reaches My VIPs over the WebSocket and refreshes the list without a reload.
    vip.visit("/my-vips/")
    unread_before = int(vip.page.locator("#alert-count").inner_text())
    vip.page.evaluate("window.stillTheSamePage = true")
    refreshes = []
    vip.page.on("request", lambda request: refreshes.append(request.headers.get("x-background-refresh")))
    live(vip.page)
    boss.visit("/clientbook/")
    row = boss.page.locator(".alert-row:has(select[name=manager])").first
    name = row.locator(".alert-text a").inner_text()
    select = row.locator("select[name=manager]")
    select.select_option(select.evaluate("s => [...s.options].find(o => o.text.startsWith('王丽')).value"))
    row.locator("button[type=submit]").click()
    boss.page.wait_for_load_state()
    expect(vip.page.locator(".toast").filter(has_text=name)).to_be_visible(timeout=5000)
    expect(vip.page.locator("#alert-count")).to_have_text(str(unread_before + 1))
    expect(vip.page.locator("#my-vips-lists").filter(has_text=name)).to_be_visible(timeout=5000)
    assert vip.page.evaluate("window.stillTheSamePage") is True
    assert "1" in refreshes  # the refresh does not count as use of the tablet (idle timeout)

    # The language switch.
    desk = tablets["desk"]
    desk.visit("/members/")
    desk.page.locator(".usermenu > summary").click()
    desk.page.locator(".usermenu .langswitch button[value=en]").click()
    desk.page.wait_for_load_state()
    expect(desk.page.locator("html")).to_have_attribute("lang", "en")

    problems = [problem for tablet in tablets.values() for problem in tablet.problems]
    assert problems == []
