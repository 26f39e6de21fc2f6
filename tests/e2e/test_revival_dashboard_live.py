"""Dormant revival end to end, on a real daphne: a VIP manager records an attempt on a portrait
tablet, the member buys at the till (the till's API), and the store manager's dashboard, open on
another tablet, counts the revival without a reload. Screenshots at both tablet sizes, in Chinese
and English.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    choose_language,
    daphne_server,
    demo_var_dir,
    live,
    screenshot,
    server_env,
    sign_in,
)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/14")

# Run inside the server's database before it starts: one of vip1's members in the demo's open
# campaign nobody has tried yet, and a till token for the store. Prints what the test needs.
SETUP = """
import json
from concierge.api_tokens import create_api_token
from concierge.models import Staff
from tasks.models import RevivalCase
boss = Staff.objects.get(username="manager")
case = (
    RevivalCase.objects.filter(store=boss.store, staff__username="vip1", state="open", campaign__state="open")
    .exclude(member__phone="").select_related("member").order_by("-value_class", "pk").first()
)
_token, text = create_api_token(boss.store, actor=boss, name="E2E till")
print(json.dumps({"case": case.pk, "member_no": case.member.member_no, "token": text}))
"""


@pytest.fixture
def revival_server(tmp_path, demo_database):
    """The demo as bin/run serves it, with Redis as the channel layer so that another process's
    push reaches the server's sockets."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        pytest.skip(f"no Redis at {REDIS_URL} (E2E_REDIS_URL): the push crosses processes through it")
    env = server_env(
        demo_var_dir(demo_database, tmp_path),
        REDIS_URL=REDIS_URL,
        REDIS_PREFIX=f"e2e-revival-{os.getpid()}",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    made = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])
    with daphne_server(env, ROOT) as url:
        yield url, facts


def till_sells(url, token, member_no, receipt, amount):
    """The till's POST, as a till sends it: JSON, its bearer token."""
    # A few seconds on: the receipt's time has whole seconds, the attempt's a fraction more.
    moment = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).isoformat(timespec="seconds")
    body = json.dumps(
        {"member_no": member_no, "purchased_at": moment, "amount": amount, "receipt_ref": receipt}
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/purchases",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def test_an_attempt_on_the_tablet_then_a_till_purchase_shows_on_the_dashboard(revival_server):
    from playwright.sync_api import expect, sync_playwright

    url, facts = revival_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            boss = sign_in(browser, url, "manager")
            errors = []
            boss.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            boss.goto("/tasks/revival/")
            expect(boss.locator("h2#campaign-title")).to_contain_text("冬季沉睡会员激活")
            total = boss.locator(".leaderboard tfoot td.num strong")
            before = int(total.inner_text())
            boss.evaluate("window.stillTheSamePage = true")
            live(boss)
            screenshot(boss, "revival-dashboard-zh")

            # The VIP manager calls the member from the portrait tablet and records the attempt.
            vip = sign_in(browser, url, "vip1", shape="portrait")
            vip.goto(f"/tasks/revival/cases/{facts['case']}/")
            expect(vip.locator(".rv-script")).to_be_visible()
            vip.locator("label.rv-radio:has(input[name=channel][value=phone])").click()
            vip.locator("label.rv-radio:has(input[name=reached][value=yes])").click()
            vip.select_option("select[name=reason]", "moved")
            vip.select_option("select[name=remedy]", "taxi")
            vip.fill("textarea[name=note]", "搬到顺义了，周六可以来店")
            vip.fill("input[name=next_step]", "周六接她来店，车费我们出")
            vip.locator(".rv-attempt-form button[type=submit]").click()
            expect(vip.locator("#case-page .notice-success")).to_be_visible()
            expect(vip.locator(".rv-attempts")).to_contain_text("搬到顺义")
            screenshot(vip, "revival-attempt-recorded-zh")

            # Saturday: she buys a coat; the till sends the receipt.
            answer = till_sells(url, facts["token"], facts["member_no"], "E2E-T1-0001", "2680.00")
            assert answer["created"] == 1 and not answer["errors"], answer

            # Pushed over the socket, fetched again by htmx: the same page, one revival more.
            expect(total).to_have_text(str(before + 1), timeout=10_000)
            assert boss.evaluate("window.stillTheSamePage") is True
            screenshot(boss, "revival-dashboard-live-zh")
            vip.reload()
            expect(vip.locator("#case-page")).to_contain_text("已激活")

            choose_language(boss, "en")
            boss.goto("/tasks/revival/")
            expect(boss.locator("#leaderboard")).to_contain_text("Leaderboard")
            expect(boss.locator("#remedies")).to_contain_text("Taxi paid")
            screenshot(boss, "revival-dashboard-en")
            # The reward the revival earned waits on the ledger; the month's statement lists it.
            boss.goto("/tasks/revival/ledger/")
            expect(boss.locator("body")).to_contain_text("2,680")
            screenshot(boss, "revival-ledger-en")
            choose_language(boss, "zh-hans")
            boss.goto("/tasks/revival/statements/")
            expect(boss.locator("h1")).to_be_visible()
            screenshot(boss, "revival-statement-zh")
            # No push fell on a page without its target, and the policy refused nothing.
            assert not [e for e in errors if "oob" in e.lower() or "content security" in e.lower()], errors
        finally:
            browser.close()
