"""The arrivals board end to end: a real daphne (HTTP and WebSocket), the front desk and the host.

The front desk checks a member in on the board (a landscape tablet); the host's page, open in a
second browser, shows the alert without a reload; the host opens the cheat sheet from it and taps
"On my way"; the desk's board shows who is coming, again without a reload.
"""

import json
import subprocess
import sys
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

# Run inside the server's database before it starts: a day on the board around one visit the test
# checks in (vip1 hosts it, in ten minutes), and others in every state. Prints what the test needs.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from concierge.models import Appointment, Member, PreparationItem, Room, Staff
desk = Staff.objects.get(username="desk")
store = desk.store
hosts = [Staff.objects.get(username=name) for name in ("vip1", "vip2", "vip3")]
busy = set(Appointment.objects.filter(store=store).values_list("member_id", flat=True))
members = list(
    Member.objects.filter(store=store, value_class="A").exclude(pk__in=busy)
    .order_by("-spend_12m", "member_no")[:8]
)
room, _ = Room.objects.get_or_create(store=store, name="E2E 贵宾室", defaults={"capacity": 6})
now = timezone.now().replace(second=0, microsecond=0)
plan = [
    (members[0], hosts[0], 10, "confirmed", room),
    (members[1], hosts[1], -50, "in_service", None),
    (members[2], hosts[2], -15, "arrived", None),
    (members[3], hosts[1], 70, "prepared", None),
    (members[4], hosts[2], 140, "requested", None),
    (members[5], hosts[0], -180, "completed", None),
]
made = []
for member, host, offset, state, where in plan:
    start = now + dt.timedelta(minutes=offset)
    visit = Appointment.objects.create(
        store=store, member=member, host=host, state=state, purpose="shopping", starts_at=start,
        ends_at=start + dt.timedelta(minutes=45), room=where, party_size=2 if where else 1,
        car_plate="京A8E2E8" if where else "", drinks="热柠檬水" if where else "",
        arrived_at=start if state in ("arrived", "in_service", "completed") else None,
        ack_due_at=start + dt.timedelta(minutes=5) if state == "arrived" else None,
    )
    PreparationItem.objects.create(appointment=visit, department="host", text="读档案", done_at=now)
    PreparationItem.objects.create(appointment=visit, department="front_desk", text="贵宾室", position=1)
    made.append(visit.pk)
print(json.dumps({"visit": made[0], "member": members[0].name, "host": str(hosts[0])}))
"""


@pytest.fixture
def board_server(tmp_path, demo_database):
    """The demo as bin/run serves it (daphne, SQLite, the in-memory channel layer), with today's visits."""
    env = server_env(demo_var_dir(demo_database, tmp_path))
    manage = [sys.executable, str(ROOT / "manage.py")]
    made = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])
    with daphne_server(env, ROOT) as url:
        yield url, facts


def test_the_desk_checks_a_member_in_and_the_host_answers(board_server):
    from playwright.sync_api import expect, sync_playwright

    url, facts = board_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            host = sign_in(browser, url, "vip1")
            host.goto("/")
            host.evaluate("window.stillTheSamePage = true")
            desk = sign_in(browser, url, "desk")
            desk.goto("/reception/")
            desk.evaluate("window.stillTheSamePage = true")
            errors = []
            desk.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            host.on(
                "console", lambda message: errors.append(message.text) if message.type == "error" else None
            )
            row = desk.locator(f"#visit-{facts['visit']}")
            expect(row).to_contain_text(facts["member"])
            expect(row).to_contain_text("E2E 贵宾室")
            expect(row).to_contain_text("京A8E2E8")
            expect(row).to_contain_text("1/2")
            screenshot(desk, "arrivals-board-zh")
            live(host, desk)

            row.locator("button.board-check-in").click()
            expect(row.locator(".visit-state-arrived")).to_be_visible()
            expect(row.locator(".board-answer-waiting")).to_be_visible()

            # The host's page, in another browser, shows the alert without a reload.
            toast = host.locator("#alert-toasts .toast").filter(has_text=facts["member"][0])
            expect(toast).to_have_count(1)
            assert host.evaluate("window.stillTheSamePage") is True
            screenshot(host, "arrivals-host-alert")

            toast.locator("a").click()
            host.wait_for_load_state()
            assert f"/visits/{facts['visit']}/arrived/" in host.url
            expect(host.locator(".arrival")).to_contain_text("热柠檬水")
            screenshot(host, "arrivals-cheat-sheet")
            host.locator("button.arrival-go").click()
            expect(host.locator("#arrival-answer .arrival-coming")).to_contain_text(facts["host"])

            # The desk's board shows who is coming, pushed, still the same page.
            expect(row.locator(".board-answer-coming")).to_contain_text(facts["host"], timeout=5_000)
            assert desk.evaluate("window.stillTheSamePage") is True
            screenshot(desk, "arrivals-board-answered-zh")

            choose_language(desk, "en")
            desk.goto("/reception/")
            expect(desk.locator(".board-tab.active")).to_contain_text("All today")
            expect(desk.locator(f"#visit-{facts['visit']} .board-answer-coming")).to_contain_text(
                "on the way"
            )
            screenshot(desk, "arrivals-board-en")
            desk.goto("/reception/walk-in/?q=京A8E2E8")
            expect(desk.locator(".walk-in-results")).to_contain_text(facts["member"])
            screenshot(desk, "arrivals-walk-in-en")
            assert not [e for e in errors if "oob" in e.lower() or "htmx" in e.lower()], errors
        finally:
            browser.close()
