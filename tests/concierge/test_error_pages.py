"""The 403, 404 and 500 pages: styled, in the user's language, with a way back, and a quiet log."""

import logging

import pytest
from django.test import Client

pytestmark = [pytest.mark.urls("tests.concierge.error_urls"), pytest.mark.django_db]

WAY_BACK = 'href="/"'


@pytest.fixture(autouse=True)
def _not_debug(settings):
    settings.DEBUG = False


def test_a_refused_page_is_the_styled_403_in_english(client_for, vip_manager):
    # Signed in, the person's own language decides (not the browser's).
    vip_manager.language = "en"
    vip_manager.save(update_fields=["language"])
    response = client_for(vip_manager).get("/test/refuse/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "This page is not open to your role" in page
    assert WAY_BACK in page and "data-go-back" in page
    assert 'class="mainnav"' in page  # the signed-in user's own navigation is there
    assert "not for this role" not in page  # the developer's message is not shown


def test_the_403_speaks_chinese_by_default(client_for, vip_manager):
    response = client_for(vip_manager).get("/test/refuse/")
    assert response.status_code == 403
    assert '<html lang="zh-hans">' in response.content.decode()


def test_a_missing_page_is_the_styled_404_for_signed_in_users(client_for, store_manager):
    store_manager.language = "en"
    store_manager.save(update_fields=["language"])
    response = client_for(store_manager).get("/test/missing/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert WAY_BACK in page
    assert "no such member" not in page


def test_an_unknown_address_is_the_styled_404_for_anonymous_visitors(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert WAY_BACK in page
    assert "Log out" not in page


def test_a_crash_is_the_styled_500_without_the_request_context(vip_manager):
    vip_manager.language = "en"
    vip_manager.save(update_fields=["language"])
    client = Client(raise_request_exception=False)
    client.force_login(vip_manager)
    response = client.get("/test/crash/")
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Something went wrong on our side" in page
    assert WAY_BACK in page
    assert "something broke" not in page and "Traceback" not in page
    assert 'href="/static/favicon.svg"' in page


def test_a_csrf_failure_is_styled_too(vip_manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(vip_manager)
    response = client.post("/alerts/read/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form could not be sent" in page
    assert WAY_BACK in page


def test_an_ordinary_403_logs_one_line_without_a_traceback(client_for, vip_manager, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client_for(vip_manager).get("/test/refuse/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /test/refuse/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_500_still_logs_its_traceback(vip_manager, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(vip_manager)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        client.get("/test/crash/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    assert "RuntimeError: something broke" in caplog.text


def test_the_favicon_is_linked_and_served(client_for, vip_manager, settings):
    settings.WHITENOISE_USE_FINDERS = True
    page = client_for(vip_manager).get("/members/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = Client().get("/static/favicon.svg")
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert b"<svg" in body
