"""Request plumbing: the security policy, the idle timeout, no cached member data, and each
signed-in person's own language."""

import time

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control

# The session's expiry is pushed forward at most this often, not on every request: the idle timeout
# is then exact to within a minute, for one session write a minute instead of one per request.
IDLE_SLIDE_SECONDS = 60
SEEN_KEY = "_idle_seen"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with the alert socket's origin allowed by name.

    CSP level 3 lets 'self' cover ws: and wss: on the page's own host, but older Safari (iPads that
    are not updated) does not: the socket's exact origin is added for them.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only:
            scheme = "wss" if request.is_secure() else "ws"
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{request.get_host()}"]
            parts.update = update
        return parts


def _signed_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class IdleSessionMiddleware:
    """Slides a signed-in session's expiry: it ends SESSION_COOKIE_AGE after the last request.

    A list refreshing itself because an alert arrived (static/js/app.js marks those requests) is
    not someone using the tablet, so it does not keep an unattended tablet signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) and "X-Background-Refresh" not in request.headers:
            now = int(time.time())
            if now - request.session.get(SEEN_KEY, 0) >= IDLE_SLIDE_SECONDS:
                # Saving the session stores a new expiry and sends the cookie again with it.
                request.session[SEEN_KEY] = now
        return response


def mark_seen_at_login(sender, request, user, **kwargs):
    """user_logged_in: logging in saves the session anyway, so the first page need not save it again."""
    request.session[SEEN_KEY] = int(time.time())


class PrivateResponseMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or a proxy.

    Every page a member of staff sees may carry member data, so the rule is simply "signed in";
    `no-store` also keeps the page out of the back button after logging out on a shared tablet.
    Static files are served before this (WhiteNoise) or skipped here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) and not request.path.startswith(self.static_prefix):
            patch_cache_control(response, private=True, no_store=True)
        return response


class StaffLanguageMiddleware:
    """Signed-in staff read every page in their own language: their preference, else their store's.

    Runs after LocaleMiddleware (which picked the cookie's or the browser's language, and still does
    for the login page and anyone signed out) and after AuthenticationMiddleware (it needs the user).
    The header's language switch saves the preference (concierge.views.profile.set_language), so a
    tablet shared by a shift shows each person their own language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "preferred_language", None)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
