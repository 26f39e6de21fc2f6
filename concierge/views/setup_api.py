"""The till connection page of the store's Settings: the tokens tills send purchases with
(POST /api/purchases), made and revoked by whoever may set up the store.

A new token is shown once, in the answer to the post that made it (rendered, not redirected: its
text must not wait in a session or a message). Another store's token is a 404.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge import api_tokens
from concierge.errors import ActionRefused
from concierge.forms_api import ApiTokenForm, RevokeApiTokenForm
from concierge.models import ApiToken
from concierge.views.responses import respond
from concierge.views.store_setup import setup_required


def _page(request, *, form=None, new_token=None, new_text="", failed=None):
    """`failed` is (token pk, form) of a revoke that came back with errors."""
    user = request.user
    tokens = list(ApiToken.objects.visible_to(user).select_related("created_by", "revoked_by"))
    for token in tokens:
        is_failed = failed is not None and failed[0] == token.pk
        token.revoke_form = failed[1] if is_failed else RevokeApiTokenForm(auto_id=f"id_revoke-{token.pk}-%s")
        token.revoke_open = is_failed
    context = {
        "active_nav": "setup",
        "setup_nav": "api",
        "tokens": tokens,
        "form": form or ApiTokenForm(),
        "new_token": new_token,
        "new_text": new_text,
        "api_url": request.build_absolute_uri(reverse("concierge:api_purchases")),
    }
    response = render(request, "concierge/setup/api_tokens.html", context)
    if new_text:
        response["Cache-Control"] = "no-store"
    return response


@require_GET
@setup_required
def api_tokens_page(request):
    return _page(request)


@require_POST
@setup_required
def api_token_add(request):
    user = request.user
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, text = api_tokens.create_api_token(user.store, actor=user, name=form.cleaned_data["name"])
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _page(request, new_token=token, new_text=text)
    return _page(request, form=form)


@require_POST
@setup_required
def api_token_revoke(request, pk):
    user = request.user
    token = ApiToken.objects.get_for(user, pk=pk)
    form = RevokeApiTokenForm(request.POST, auto_id=f"id_revoke-{token.pk}-%s")
    if form.is_valid():
        try:
            api_tokens.revoke_api_token(token, actor=user)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            done = _("The token of %(name)s is revoked: that till can send no more purchases.") % {
                "name": token.name
            }
            return respond(request, fallback="concierge:setup_api_tokens", done=done)
    return _page(request, failed=(token.pk, form))


urlpatterns = [
    path("setup/till/", api_tokens_page, name="setup_api_tokens"),
    path("setup/till/new/", api_token_add, name="setup_api_token_add"),
    path("setup/till/<int:pk>/revoke/", api_token_revoke, name="setup_api_token_revoke"),
]
