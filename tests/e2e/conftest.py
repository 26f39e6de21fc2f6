"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Playwright's sync API runs an event loop on the test's thread while the browser is open, and
Django refuses ORM calls from a thread with a running loop. So every test prepares its data
first (the `demo` fixture) and only then opens the browser; assertions go through the page.

The live server answers one request at a time (OneRequestAtATime below). Its threads share the
test's one connection to the in-memory SQLite database, and two queries at once on it can wait on
each other for good: one thread inside SQLite holds the connection's mutex and needs the GIL to run
one of Django's Python functions (TruncDate, say), while the other holds the GIL and waits on the
mutex to bind its parameters. Nothing in the process runs again, not even pytest-timeout's alarm.
This hung open_campaign's INSERT ... SELECT beside a page's own background requests.
"""

import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from concierge.management.commands.seed_demo import DEMO_PASSWORD
from concierge.models import Member
from concierge.templatetags.concierge_tags import phone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
TABLETS = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 820, "height": 1180}}
E2E_DIR = Path(__file__).parent


# Held while the live server answers a request, and by a test's teardown until the last one ends.
ONE_REQUEST = threading.Lock()


class OneRequestAtATime(ThreadedWSGIServer):
    """A connection per thread as before (the browser keeps several open), but one request at a
    time through the app, its body read to the end inside: see the module docstring."""

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with ONE_REQUEST:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


# pytest-django starts its live server from this class, once, on first use.
LiveServerThread.server_class = OneRequestAtATime


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def has_cjk_fonts():
    """A font that draws Chinese: without one, screenshots show empty boxes where the text is."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return bool(found.strip())


def pytest_runtest_setup(item):
    # The suite-wide conftest turns these skips into failures in CI, where the browser must be there.
    if "e2e" not in item.keywords:
        return
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    if not has_cjk_fonts():
        pytest.skip("no font draws Chinese (fc-list :lang=zh is empty): apt-get install fonts-noto-cjk")


def server_env(var_dir, **extra):
    """The environment bin/run gives the app (SQLite and the in-memory channel layer in `var_dir`),
    never this test run's own database or channel layer."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "VAR_DIR": str(var_dir),
            "DEBUG": "true",
            "TESTING": "",
            "DJANGO_SETTINGS_MODULE": "concierge.settings",
        }
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo as bin/run loads it, made once for the run: a migrated SQLite file with seed_demo's
    store in it. Each test starts from a copy (a file copy, or SQLite's backup into the test
    database) instead of migrating and seeding again, which takes several seconds each time."""
    folder = tmp_path_factory.mktemp("demo")
    env = server_env(folder)
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "-v0"], ["seed_demo", "-v0"]):
        subprocess.run([*manage, *command], cwd=settings.BASE_DIR, env=env, check=True)
    path = folder / "db.sqlite3"
    # One self-contained file (no write-ahead log beside it), so that a copy is the whole database.
    with contextlib.closing(sqlite3.connect(path)) as database:
        database.execute("PRAGMA journal_mode=DELETE")
    return path


def demo_var_dir(demo_database, var_dir):
    """Put a copy of the demo database where an app started with server_env(var_dir) finds it."""
    shutil.copyfile(demo_database, Path(var_dir) / "db.sqlite3")
    return var_dir


def _load_into_test_database(demo_database):
    """Replace the whole test database (the live server shares its in-memory connection) with the
    demo's; passwords are set again with this run's hasher."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from concierge.models import Staff

    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(demo_database)) as source:
        source.backup(connection.connection)
    ContentType.objects.clear_cache()
    Staff.objects.update(password=make_password(DEMO_PASSWORD))


@pytest.fixture
def demo(transactional_db, demo_database):
    """The demo store, loaded into the test database; returns facts the tests look for on the pages."""
    _load_into_test_database(demo_database)
    member = (
        Member.objects.filter(value_class="A", tier__name="SVIP")
        .exclude(phone="")
        .order_by("-spend_12m", "member_no")
        .first()
    )
    # A last-four search must lead to this member alone, or the test would pick someone else.
    assert Member.objects.filter(phone_last4=member.phone_last4).count() == 1
    return {
        "password": DEMO_PASSWORD,
        "member": {
            "pk": member.pk,
            "name": member.name,
            "member_no": member.member_no,
            "phone": phone(member.phone),  # as the profile shows it: 138 1234 5678
            "masked_phone": member.masked_phone,
            "last4": member.phone_last4,
        },
    }


@pytest.fixture
def browser(demo, live_server):
    """A fresh chromium per test, started after the data is in place."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # A request still being answered would meet the database's flush on the test's thread.
            with ONE_REQUEST:
                pass


@pytest.fixture
def open_tablet(browser, live_server):
    """open_tablet(locale="zh-CN") -> a page on a landscape tablet, its language from the browser."""
    contexts = []

    def open_page(locale="zh-CN"):
        context = browser.new_context(
            viewport=TABLETS["landscape"], locale=locale, base_url=live_server.url, has_touch=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def choose_language(page, code):
    """Signed in, the language is the person's own: chosen in the user menu (and saved there)."""
    page.locator(".usermenu > summary").click()
    page.locator(f".usermenu .langswitch button[value={code}]").click()
    page.wait_for_load_state()


def live(*pages):
    """Wait until each page's socket is open (static/js/app.js marks <html data-live="on">)."""
    from playwright.sync_api import expect

    for page in pages:
        expect(page.locator("html[data-live=on]")).to_have_count(1)


def swap_in(page, locator):
    """Tap `locator` and wait until htmx has settled what it swapped in.

    htmx binds the hx- attributes of new content in its settle step, a moment after the content
    shows: a field typed into before that moment sends nothing (no user types that fast).
    """
    page.evaluate(
        "window.swapSettled = false;"
        "document.addEventListener('htmx:afterSettle',"
        " function () { window.swapSettled = true; }, {once: true});"
    )
    locator.click()
    # Polled from here: the policy forbids the eval that page.wait_for_function would use.
    deadline = time.monotonic() + 10
    while not page.evaluate("window.swapSettled"):
        assert time.monotonic() < deadline, "htmx did not settle what the tap swapped in"
        page.wait_for_timeout(20)


def screenshot(page, name):
    """Save the page at both tablet sizes, whole length, and leave it landscape."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shape, size in TABLETS.items():
        page.set_viewport_size(size)
        # From the top: scrolled down (a resize can scroll too), a whole-length shot draws the
        # sticky bar where the view was.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(
            path=SCREENSHOTS / f"{name}-{shape}-{size['width']}x{size['height']}.png", full_page=True
        )
    page.set_viewport_size(TABLETS["landscape"])


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def daphne_server(env, cwd):
    """A real daphne on a free local port with the given environment; yields its base URL."""
    port = free_port()
    daphne = str(Path(sys.executable).with_name("daphne"))
    process = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "concierge.asgi:application"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("daphne did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def demo_server(tmp_path, demo_database):
    """The app as bin/run serves it (daphne, HTTP and WebSocket, the demo store) on a throwaway
    SQLite file, for tests that need live alerts: pytest-django's live server speaks WSGI only."""
    env = server_env(demo_var_dir(demo_database, tmp_path))
    with daphne_server(env, settings.BASE_DIR) as url:
        yield url


def sign_in(browser, base_url, username, shape="landscape", locale="zh-CN"):
    """A new tablet (its own cookies) signed in to a server of its own as a demo login."""
    context = browser.new_context(viewport=TABLETS[shape], locale=locale, base_url=base_url, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, username)
    return page
