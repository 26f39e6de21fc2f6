"""My profile: every signed-in person sets their language there, and every page follows it."""

import pytest
from django.urls import reverse

from concierge import profile
from concierge.errors import ActionRefused
from concierge.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/profile/"


def test_the_header_links_the_name_to_the_profile(client_for, front_desk):
    page = client_for(front_desk).get(reverse("concierge:member_search")).content.decode()
    assert f'href="{URL}"' in page


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler", "store_manager"])
def test_everyone_signed_in_has_a_profile_with_their_store_and_roles(client_for, persona, request):
    user = request.getfixturevalue(persona)
    user.language = "en"
    user.save()
    page = client_for(user).get(URL).content.decode()
    assert "北京王府井店" in page
    assert str(user.roles[0].label) in page
    assert user.username in page


def test_setting_the_language_audits_once_and_the_next_page_is_in_it(client_for, vip_manager):
    client = client_for(vip_manager)
    response = client.post(URL, {"language": "en"})
    assert response.status_code == 302
    vip_manager.refresh_from_db()
    assert vip_manager.language == "en"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in page
    assert "Your language is saved." in page
    assert "My profile" in page
    client.post(URL, {"language": "en"})
    entries = AuditEntry.objects.filter(action="staff.language_changed")
    assert [(e.actor, e.data) for e in entries] == [(vip_manager, {"from": "", "to": "en"})]

    client.post(URL, {"language": "zh-hans"})
    page = client.get(reverse("concierge:my_vips")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "我的 VIP" in page
    assert AuditEntry.objects.filter(action="staff.language_changed").count() == 2


def test_a_blank_choice_follows_the_store(client_for, vip_manager, store):
    store.language = "en"
    store.save()
    vip_manager.language = "zh-hans"
    vip_manager.save()
    client = client_for(vip_manager)
    client.post(URL, {"language": ""})
    vip_manager.refresh_from_db()
    assert vip_manager.language == ""
    assert '<html lang="en">' in client.get(URL).content.decode()


def test_an_unknown_language_is_a_field_error_and_changes_nothing(client_for, vip_manager):
    vip_manager.language = "en"
    vip_manager.save()
    response = client_for(vip_manager).post(URL, {"language": "fr"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    vip_manager.refresh_from_db()
    assert vip_manager.language == "en"
    assert not AuditEntry.objects.exists()


def test_nobody_sets_anothers_language(vip_manager, store_manager):
    with pytest.raises(ActionRefused):
        profile.set_language(vip_manager, actor=store_manager, language="en")
    vip_manager.refresh_from_db()
    assert vip_manager.language == ""


def test_the_header_switch_saves_the_preference_when_signed_in(client_for, vip_manager):
    client = client_for(vip_manager)
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    vip_manager.refresh_from_db()
    assert vip_manager.language == "en"
    # The preference, not the browser, decides from now on.
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="en">' in page


def test_signed_out_the_browser_and_the_cookie_decide(client):
    assert '<html lang="en">' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in chinese
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert '<html lang="en">' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
