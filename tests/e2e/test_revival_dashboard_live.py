"""The store manager's revival dashboard end to end: a real daphne, Redis between processes.

The manager's dashboard is open on a tablet; a revival is credited by another process (as the
purchase import or the till's API would, in their own worker) and the dashboard's figures change
without a reload. Screenshots at both tablet sizes, in Chinese and English.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TABLETS,
    choose_language,
    daphne_server,
    live,
    screenshot,
)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/14")

# Run inside the server's database before it starts: an open campaign over the demo store's quiet
# members, spread over its three VIP managers, with some attempts. Prints what the test needs.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from concierge.models import Member, Staff
from tasks.models import RevivalCampaign, RevivalQuota, RevivalSettings, RevivalCase, RevivalAttempt
from tasks.models.revival import CAMPAIGN_TERMS
boss = Staff.objects.get(username="manager")
store = boss.store
vips = [Staff.objects.get(username=name) for name in ("vip1", "vip2", "vip3")]
today = timezone.localdate()
terms = RevivalSettings.for_store(store)
campaign = RevivalCampaign.objects.create(
    store=store, name="E2E 十二月激活", start=today - dt.timedelta(days=9), end=today + dt.timedelta(days=20),
    state="open", opened_at=timezone.now(), **{t: getattr(terms, t) for t in CAMPAIGN_TERMS},
)
members = list(Member.objects.filter(store=store).order_by("member_no")[:12])
for n, vip in enumerate(vips):
    RevivalQuota.objects.create(campaign=campaign, staff=vip, share=4, target=1 + n % 2)
plan = [("moved", "taxi"), ("service", "change_staff"), ("busy", "use_remaining"), ("", "")]
cases = []
for n, member in enumerate(members):
    case = RevivalCase.objects.create(
        store=store, campaign=campaign, member=member, staff=vips[n % 3], value_class=member.value_class
    )
    cases.append(case)
    if n < 9:
        reason, remedy = plan[n % 4]
        at = timezone.now() - dt.timedelta(days=8 - n % 8, hours=2)
        RevivalAttempt.objects.create(
            store=store, case=case, staff=case.staff, at=at, channel="phone", reached=bool(reason),
            reason=reason, remedy=remedy,
        )
        RevivalCase.objects.filter(pk=case.pk).update(state="contacted", attempts_count=1, last_attempt_at=at)
print(json.dumps({"case": cases[0].pk, "staff": str(vips[0])}))
"""

# Another process credits a revival, as the purchase import would, and tells the dashboards.
CREDIT = """
import datetime as dt
from decimal import Decimal
from django.db import transaction
from django.utils import timezone
from tasks.models import RevivalAttempt, RevivalCase, RevivalCredit
from tasks.revival.live import revival_changed
case = RevivalCase.objects.get(pk=CASE_PK)
attempt = RevivalAttempt.objects.filter(case=case, reached=True).latest("at")
with transaction.atomic():
    purchase = case.member.purchases.create(
        store=case.store, receipt_ref="E2E-REVIVAL-1", purchased_at=timezone.now(), amount=Decimal("1200")
    )
    RevivalCredit.objects.create(
        store=case.store, campaign=case.campaign, case=case, member=case.member, staff=attempt.staff,
        attempt=attempt, purchase=purchase, amount=purchase.amount,
        returns_until=timezone.now() + dt.timedelta(days=14),
    )
    RevivalCase.objects.filter(pk=case.pk).update(state="revived", closed_at=timezone.now())
    revival_changed(case.store_id, staff_ids=[attempt.staff_id])
"""


@pytest.fixture
def revival_server(tmp_path):
    """The demo as bin/run serves it, with Redis as the channel layer so that another process's
    push reaches the server's sockets."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        pytest.skip(f"no Redis at {REDIS_URL} (E2E_REDIS_URL): the push crosses processes through it")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "VAR_DIR": str(tmp_path),
        "DEBUG": "true",
        "TESTING": "",
        "DJANGO_SETTINGS_MODULE": "concierge.settings",
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"e2e-revival-{os.getpid()}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        for command in (["migrate", "-v0"], ["seed_demo", "-v0"]):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)
    except subprocess.CalledProcessError:
        pytest.skip("the demo could not be set up")
    made = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])

    def credit(case_pk):
        code = CREDIT.replace("CASE_PK", str(int(case_pk)))
        subprocess.run([*manage, "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=60)

    with daphne_server(env, ROOT) as url:
        yield url, facts, credit


def sign_in(browser, base_url, username, shape="landscape", locale="zh-CN"):
    context = browser.new_context(viewport=TABLETS[shape], locale=locale, base_url=base_url, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_the_dashboard_follows_a_revival_credited_elsewhere(revival_server):
    from playwright.sync_api import expect, sync_playwright

    url, facts, credit = revival_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            boss = sign_in(browser, url, "manager")
            errors = []
            boss.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            boss.goto("/tasks/revival/")
            expect(boss.locator("a[href='/tasks/revival/']")).to_have_count(1)
            expect(boss.locator("h2#campaign-title")).to_contain_text("E2E 十二月激活")
            total = boss.locator(".leaderboard tfoot td.num strong")
            expect(total).to_have_text("0")
            expect(boss.locator("#reasons")).to_contain_text("搬")  # 搬走了 / Moved away, in Chinese
            boss.evaluate("window.stillTheSamePage = true")
            live(boss)
            screenshot(boss, "revival-dashboard-zh")

            credit(facts["case"])

            # Pushed over the socket, fetched again by htmx: the same page, one revival more.
            expect(total).to_have_text("1", timeout=10_000)
            first = boss.locator(".leaderboard tbody tr").first
            expect(first).to_contain_text(facts["staff"])
            expect(boss.locator("#remedies")).to_contain_text("33%")  # taxi: 1 of 3
            assert boss.evaluate("window.stillTheSamePage") is True
            screenshot(boss, "revival-dashboard-live-zh")

            choose_language(boss, "en")
            boss.goto("/tasks/revival/")
            expect(boss.locator("#leaderboard")).to_contain_text("Leaderboard")
            expect(boss.locator("#remedies")).to_contain_text("Taxi paid")
            screenshot(boss, "revival-dashboard-en")
            # No push fell on a page without its target, and the policy refused nothing.
            assert not [e for e in errors if "oob" in e.lower() or "content security" in e.lower()], errors
        finally:
            browser.close()
