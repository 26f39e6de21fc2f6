"""Shared tablets and headers: idle timeout, sign-out with the browser, CSP, no-store, HSTS."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from concierge.middleware import IDLE_SLIDE_SECONDS, SEEN_KEY
from concierge.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-4711"


@pytest.fixture
def tablet_user(store):
    return StaffFactory(username="tablet", store=store, roles=[Role.VIP_MANAGER], password=PASSWORD)


def session_row(client):
    return Session.objects.get(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value)


def settings_under(env):
    """The settings a fresh process computes from this environment (settings are read at start)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_AGE', 'SESSION_EXPIRE_AT_BROWSER_CLOSE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS')}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "HSTS_", "SECURE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, "DJANGO_SETTINGS_MODULE": "concierge.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_idle_timeout_is_a_shift_by_default_and_set_by_the_environment():
    assert settings_under({})["SESSION_COOKIE_AGE"] == 10 * 3600
    assert settings_under({})["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    changed = settings_under({"SESSION_IDLE_HOURS": "8.5", "SESSION_EXPIRE_AT_BROWSER_CLOSE": "true"})
    assert changed["SESSION_COOKIE_AGE"] == 8.5 * 3600
    assert changed["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_hsts_comes_with_secure_cookies_only():
    assert settings_under({})["SECURE_HSTS_SECONDS"] == 0
    secure = settings_under({"SECURE_COOKIES": "true"})
    assert secure["SECURE_HSTS_SECONDS"] == 31536000
    assert secure["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    tuned = settings_under({"SECURE_COOKIES": "true", "HSTS_SECONDS": "600", "HSTS_INCLUDE_SUBDOMAINS": "1"})
    assert tuned["SECURE_HSTS_SECONDS"] == 600
    assert tuned["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_https_responses_carry_hsts_when_it_is_on(client_for, vip_manager, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client_for(vip_manager).get("/members/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_each_request_moves_the_idle_expiry_forward(client, tablet_user):
    client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    # The tablet sat unused until an hour before the timeout, and was last seen long ago.
    soon = timezone.now() + timedelta(hours=1)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)
    session = client.session
    session[SEEN_KEY] -= IDLE_SLIDE_SECONDS
    session.save()
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)

    response = client.get("/members/")

    assert response.status_code == 200
    expected = timezone.now() + timedelta(hours=10)
    assert abs(session_row(client).expire_date - expected) < timedelta(minutes=1)
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 10 * 3600


def test_a_background_refresh_does_not_keep_an_unattended_tablet_signed_in(client, tablet_user):
    client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    session = client.session
    session[SEEN_KEY] -= IDLE_SLIDE_SECONDS
    session.save()
    before = session_row(client).expire_date

    response = client.get("/my-vips/", HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND_REFRESH="1")

    assert response.status_code == 200
    assert session_row(client).expire_date == before


def test_requests_within_a_minute_do_not_write_the_session_again(client, tablet_user):
    client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    client.get("/members/")
    before = session_row(client).expire_date
    response = client.get("/members/")
    assert session_row(client).expire_date == before
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_an_idle_session_has_ended(client, tablet_user):
    client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=past)
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_offers_signing_out_with_the_browser(client, english):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="shared_tablet"' in page
    assert "Shared tablet: sign me out when the browser closes" in page


def test_a_shared_tablet_sign_in_is_a_browser_session_cookie(client, tablet_user):
    response = client.post(
        "/accounts/login/", {"username": "tablet", "password": PASSWORD, "shared_tablet": "on"}
    )
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()
    # The idle timeout still ends it on the server.
    expected = timezone.now() + timedelta(hours=10)
    assert abs(session_row(client).expire_date - expected) < timedelta(minutes=1)


def test_an_ordinary_sign_in_keeps_its_cookie_for_the_idle_timeout(client, tablet_user):
    response = client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 10 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_the_installation_can_end_every_session_with_the_browser(client, tablet_user, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = client.post("/accounts/login/", {"username": "tablet", "password": PASSWORD})
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == ""


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/members/", {}),
        ("/members/?q=1", {"HTTP_HX_REQUEST": "true"}),  # a partial
        ("/", {}),  # a redirect
        ("/no-such-page/", {}),  # an error page
    ],
)
def test_everything_a_signed_in_user_gets_is_private_and_not_stored(client_for, store_manager, path, headers):
    response = client_for(store_manager).get(path, **headers)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_static_files_are_not_marked_private(client_for, store_manager, settings):
    settings.WHITENOISE_USE_FINDERS = True
    response = client_for(store_manager).get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_pages_carry_a_policy_without_inline_script_or_eval(client_for, store_manager):
    response = client_for(store_manager).get("/overview/")
    policy = dict(
        [*directive.split(" ", 1), ""][:2] for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["connect-src"] == "'self' ws://testserver"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_socket_origin_follows_https(client_for, store_manager):
    response = client_for(store_manager).get("/overview/", secure=True)
    assert "connect-src 'self' wss://testserver" in response["Content-Security-Policy"]


def test_templates_keep_no_inline_script_handlers_or_styles():
    import re
    from pathlib import Path

    offenders = []
    # Inline script, style blocks, on*="" handlers, hx-on, style="", js: values, and hx-trigger
    # filters ([...]): each needs 'unsafe-inline' or htmx's eval.
    pattern = re.compile(
        r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+=|\shx-on|\sstyle=|hx-vals=['\"]js:|hx-trigger=\"[^\"]*\["
    )
    for path in Path(django_settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()[:80]}")
    assert offenders == []
