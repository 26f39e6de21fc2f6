"""The till connection page in Settings: who makes and revokes the tills' tokens, the token shown
once and stored only as its hash, store scoping, and the entries in Recent changes."""

import hashlib
import html

import pytest
from django.urls import reverse

from concierge.api_tokens import create_api_token, find_token, revoke_api_token
from concierge.errors import ActionRefused
from concierge.models import ApiToken, AuditEntry

pytestmark = pytest.mark.usefixtures("english")
PAGE = "concierge:setup_api_tokens"
ADD = "concierge:setup_api_token_add"


def text_of(response):
    return html.unescape(response.content.decode())


def test_the_store_manager_makes_a_token_shown_once(client_for, store_manager, store):
    client = client_for(store_manager)
    response = client.post(reverse(ADD), {"name": "Till 1"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.store, token.name, token.created_by) == (store, "Till 1", store_manager)
    page = text_of(response)
    shown = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert len(shown) >= 43
    assert token.prefix == shown[:8]
    assert token.digest == hashlib.sha256(shown.encode()).hexdigest()
    assert shown not in token.digest
    assert 'data-copy-target="#new-token"' in page
    # The page afterwards lists the token by its first characters only.
    again = text_of(client.get(reverse(PAGE)))
    assert shown not in again
    assert f"{token.prefix}…" in again
    assert "Till 1" in again
    assert find_token(shown) == token
    entry = AuditEntry.objects.get(action="store_setup.api_token_created")
    assert entry.actor == store_manager and entry.store == store
    assert "Till token created" in text_of(client.get(reverse("concierge:setup_changes")))


def test_the_page_explains_how_to_send(client_for, store_manager):
    page = text_of(client_for(store_manager).get(reverse(PAGE)))
    assert "http://testserver/api/purchases" in page
    assert "Authorization: Bearer" in page
    assert "curl" in page


def test_a_name_is_needed(client_for, store_manager):
    response = client_for(store_manager).post(reverse(ADD), {"name": ""})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_the_floor_roles_are_refused(request, client_for, store, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(ADD), {"name": "Till"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_revoke_needs_the_confirmation(client_for, store, store_manager):
    token, _text = create_api_token(store, actor=store_manager, name="Till 1")
    url = reverse("concierge:setup_api_token_revoke", args=[token.pk])
    client = client_for(store_manager)
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Tick the box" in text_of(response)
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.revoked_by, token.revoked_at is not None) == (store_manager, True)
    assert AuditEntry.objects.filter(action="store_setup.api_token_revoked").count() == 1
    assert "Revoked" in text_of(client.get(reverse(PAGE)))
    # Revoked is revoked: a second time is refused, and the page says so.
    with pytest.raises(ActionRefused):
        revoke_api_token(token, actor=store_manager)


def test_another_stores_manager_gets_404_and_changes_nothing(client_for, store, store_manager, other_manager):
    token, _text = create_api_token(store, actor=store_manager, name="A's own till")
    client = client_for(other_manager)
    response = client.post(reverse("concierge:setup_api_token_revoke", args=[token.pk]), {"confirm": "on"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "A's own till" not in text_of(client.get(reverse(PAGE)))


def test_the_actions_refuse_another_store_and_non_managers(
    store, other_store, store_manager, other_manager, vip_manager
):
    with pytest.raises(ActionRefused):
        create_api_token(store, actor=other_manager, name="x")
    with pytest.raises(ActionRefused):
        create_api_token(store, actor=vip_manager, name="x")
    token, _text = create_api_token(store, actor=store_manager, name="Till 1")
    with pytest.raises(ActionRefused):
        revoke_api_token(token, actor=other_manager)
    with pytest.raises(ActionRefused):
        revoke_api_token(token, actor=vip_manager)
    assert ApiToken.objects.get().revoked_at is None


def test_tokens_are_unique_and_unguessable(store, store_manager):
    texts = {create_api_token(store, actor=store_manager, name=f"Till {n}")[1] for n in range(5)}
    assert len(texts) == 5
    assert find_token("") is None
    assert find_token("x" * 500) is None
