"""The login page's answers to failed logins: a warning before the lockout, and the lockout itself.

django-axes counts failures per user name and per address (settings: AXES_*). When either is
locked out, axes calls `locked_out`, which answers with the login page itself and a message in the
user's language, not a bare 403.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Warn when this few attempts are left: earlier, the warning would only alarm people who mistyped once.
WARN_WHEN_LEFT = 2


def client_ip(request):
    """The address failures are counted for. Behind the HTTPS proxy it is the one the proxy saw (the
    last X-Forwarded-For entry, which the proxy appended): earlier entries are whatever the client sent."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def cool_off_minutes():
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else None


def lockout_message():
    minutes = cool_off_minutes()
    if minutes is None:
        return _(
            "Too many failed logins: this user name or this device is locked. "
            "Ask your store manager to unlock it."
        )
    return ngettext(
        "Too many failed logins: this user name or this device is locked for %(minutes)s minute. "
        "Try again later, or ask your store manager to unlock it.",
        "Too many failed logins: this user name or this device is locked for %(minutes)s minutes. "
        "Try again later, or ask your store manager to unlock it.",
        minutes,
    ) % {"minutes": minutes}


class LoginForm(AuthenticationForm):
    """Django's login form, with the shared-tablet choice (this session ends when the browser
    closes), warning before the last attempts that a lockout is near."""

    shared_tablet = forms.BooleanField(
        label=gettext_lazy("Shared tablet: sign me out when the browser closes"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the user name's max_length after the field is built, so it is never checked:
        # a longer name went on to the lockout log (255 characters) and failed on PostgreSQL.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            failures = getattr(self.request, "axes_failures_since_start", None) if self.request else None
            left = settings.AXES_FAILURE_LIMIT - failures if failures is not None else None
            if left is not None and 0 < left <= WARN_WHEN_LEFT:
                warning = ngettext(
                    "%(left)s more failed attempt locks this user name for a while.",
                    "%(left)s more failed attempts lock this user name for a while.",
                    left,
                ) % {"left": left}
                raise ValidationError(
                    [*error.error_list, ValidationError(warning, code="lockout_near")]
                ) from error
            raise


class Login(LoginView):
    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("shared_tablet"):
            # A browser-session cookie; the idle timeout still ends the session on the server.
            self.request.session.set_expiry(0)
        return response


def locked_out(request, original_response=None, credentials=None):
    """The login page again, with its user name kept and the lockout explained (status 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username[:150]})
    context = {
        "form": form,
        "lockout": lockout_message(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
