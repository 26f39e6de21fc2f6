"""Failed logins are throttled per user name and per address (django-axes), answered by the login
page itself in the user's language, and a store manager can unlock a user name."""

from django.conf import settings
from django.urls import reverse

from concierge.models import AuditEntry
from tests.factories import StaffFactory

PASSWORD = "pw-demo-123"
LIMIT = settings.AXES_FAILURE_LIMIT


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", address)
        assert response.status_code in (200, 429)
    return response


def test_the_limit_is_five_with_a_quarter_hour_cool_off():
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_TIME * 60 == 15
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_a_user_name_is_locked_out_from_every_address(client, english, vip_manager):
    # Each failure from another address: only the user name's count reaches the limit.
    for n in range(LIMIT):
        log_in(client, "vip", "wrong-password", address=f"10.0.1.{n}")
    response = log_in(client, "vip", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "ask your store manager to unlock it" in page
    assert '<form method="post" class="form"' in page  # the login page itself, not a bare 403
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_out_for_every_user_name(client, vip_manager, front_desk):
    for n in range(LIMIT):
        log_in(client, f"guess{n}", "wrong-password", address="10.0.0.9")
    assert log_in(client, "desk", PASSWORD, address="10.0.0.9").status_code == 429
    # Another address is not locked, and neither is the user name.
    assert log_in(client, "desk", PASSWORD, address="10.0.0.10").status_code == 302


def test_a_good_login_before_the_limit_works(client, vip_manager):
    fail(client, "vip", LIMIT - 1)
    assert log_in(client, "vip", PASSWORD).status_code == 302


def test_the_last_attempts_are_announced_in_the_users_language(client, english, vip_manager):
    response = fail(client, "vip", LIMIT - 2)
    assert "more failed attempts lock this user name" in response.content.decode()
    response = fail(client, "vip", 1)
    assert "1 more failed attempt locks this user name" in response.content.decode()


def test_the_lockout_speaks_chinese_by_default(client, vip_manager):
    response = fail(client, "vip", LIMIT)
    assert response.status_code == 429
    assert 'lang="zh-hans"' in response.content.decode()


def test_the_store_manager_sees_the_lockout_and_unlocks_it_once(
    client, client_for, store_manager, vip_manager
):
    fail(client, "vip", LIMIT, address="10.0.0.7")
    manager = client_for(store_manager)
    page = manager.get(reverse("concierge:setup_staff")).content.decode()
    assert reverse("concierge:setup_staff_unlock", args=[vip_manager.pk]) in page

    response = manager.post(reverse("concierge:setup_staff_unlock", args=[vip_manager.pk]))
    assert response.status_code == 302
    manager.post(reverse("concierge:setup_staff_unlock", args=[vip_manager.pk]))  # nothing left to unlock
    assert AuditEntry.objects.filter(action="staff.unlocked").count() == 1
    manager.logout()
    # The user name and the address it failed from are both free again.
    assert log_in(client, "vip", PASSWORD, address="10.0.0.7").status_code == 302


def test_another_stores_manager_cannot_unlock(client, client_for, other_manager, vip_manager):
    fail(client, "vip", LIMIT)
    response = client_for(other_manager).post(reverse("concierge:setup_staff_unlock", args=[vip_manager.pk]))
    assert response.status_code == 404
    client.logout()
    assert log_in(client, "vip", PASSWORD, address="10.9.9.9").status_code == 429


def test_the_unlock_button_is_not_for_a_vip_manager(client, client_for, vip_manager, store):
    colleague = StaffFactory(username="vip2", store=store)
    fail(client, "vip2", LIMIT)
    response = client_for(vip_manager).post(reverse("concierge:setup_staff_unlock", args=[colleague.pk]))
    assert response.status_code == 403


def test_the_address_is_the_peer_unless_behind_the_proxy(rf, settings):
    from concierge.views.login import client_ip

    request = rf.post("/accounts/login/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.2.2")
    assert client_ip(request) == "10.1.1.1"  # a header anyone can send changes nothing
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "10.2.2.2"  # the entry the proxy appended, not the client's own
