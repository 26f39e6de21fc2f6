"""My profile: who I am in the tool (store, roles) and the language I read it in."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from concierge import profile
from concierge.errors import ActionRefused
from concierge.forms import LanguageForm
from concierge.forms_params import SwitchLanguageForm


def _store_language(user):
    return user.store.default_language if user.store_id else settings.LANGUAGE_CODE


def _remember(response, language):
    # Signed out (the login page), the browser's cookie decides: keep it in step with the choice.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_http_methods(["GET", "POST"])
def my_profile(request):
    user = request.user
    form = LanguageForm(
        request.POST or None, initial={"language": user.language}, store_language=_store_language(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = profile.set_language(user, actor=request.user, language=form.cleaned_data["language"])
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            # The confirmation is read on the next page, which is in the new language.
            with translation.override(user.preferred_language):
                messages.success(request, _("Your language is saved."))
            return _remember(redirect("concierge:profile"), user.preferred_language)
    context = {"form": form, "profile_user": user, "active_nav": "profile"}
    return render(request, "concierge/profile.html", context)


@login_not_required
@require_POST
def set_language(request):
    """The header's language switch: for signed-in staff it also saves their preference."""
    form = SwitchLanguageForm(request.POST)
    if request.user.is_authenticated and form.is_valid():
        language = form.cleaned_data["language"]
        # Refused or not, the switch still changes the cookie: the page follows the tap.
        with contextlib.suppress(ActionRefused):
            profile.set_language(request.user, actor=request.user, language=language)
    return i18n.set_language(request)
