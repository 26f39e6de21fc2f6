"""The tills' purchase API: POST /api/purchases with a store's token (concierge.api_tokens).

No session, no CSRF (the token in the header is the credential, never a cookie), JSON in and JSON
out, whatever happens: a till cannot read an error page. Every answer is {"error": ...} or the
result of concierge.api_purchases.record_purchases.
"""

import json
import logging
from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from concierge.api_purchases import MAX_PURCHASES, record_purchases
from concierge.api_tokens import find_token
from concierge.errors import ActionRefused

log = logging.getLogger(__name__)


def _answer(status, payload, **headers):
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def _error(status, message, **headers):
    return _answer(status, {"error": str(message)}, **headers)


def _token_text(request):
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Token", "").strip()


def _not_a_number(constant):
    raise ValueError(f"{constant} is not a number")


def _read_body(request):
    """The purchases of the body as a list, or an error answer."""
    if request.content_type != "application/json" and not request.content_type.endswith("+json"):
        return None, _error(
            415, _("Send the purchases as JSON, with the header Content-Type: application/json.")
        )
    try:
        body = json.loads(request.body, parse_float=Decimal, parse_constant=_not_a_number)
    except RequestDataTooBig:
        return None, _error(
            413,
            _("The request is too large: send at most %(max)s purchases at once.") % {"max": MAX_PURCHASES},
        )
    except (ValueError, RecursionError) as exc:
        return None, _error(400, _("The body is not valid JSON (%(problem)s).") % {"problem": exc})
    if isinstance(body, dict):
        return [body], None
    if not isinstance(body, list):
        return None, _error(400, _("The body must be one purchase (a JSON object) or a list of them."))
    if len(body) > MAX_PURCHASES:
        return None, _error(
            413,
            _("The request holds %(count)s purchases: send at most %(max)s at once.")
            % {"count": len(body), "max": MAX_PURCHASES},
        )
    return body, None


def _purchases(request):
    if request.method != "POST":
        return _error(405, _("Send purchases with POST."), Allow="POST")
    text = _token_text(request)
    token = find_token(text) if text else None
    if token is None or token.revoked_at is not None:
        if not text:
            message = _("No token: send the till's token in the header Authorization: Bearer <token>.")
        elif token is None:
            message = _("This token is not known.")
        else:
            message = _("This token was revoked: ask the store manager for a new one.")
        return _error(401, message, WWW_Authenticate='Bearer realm="purchases"')
    purchases, problem = _read_body(request)
    if problem is not None:
        return problem
    try:
        result = record_purchases(token, purchases)
    except ActionRefused as refusal:
        return _error(503, refusal.message, Retry_After="5")
    status = 422 if result.errors and not result.written else 200
    return _answer(status, result.as_json())


@login_not_required
@csrf_exempt
def purchases(request):
    """Record a till's purchases. The statuses are in the README ("The till's purchase API")."""
    try:
        return _purchases(request)
    except Exception:
        # Nothing was written (the action's transaction rolled back); the same request may be sent
        # again, since receipts already in are "unchanged".
        log.exception("Purchase API: unexpected error")
        return _error(
            503,
            _("The purchases could not be recorded just now; nothing was recorded. Send them again."),
            Retry_After="30",
        )


urlpatterns = [
    path("api/purchases", purchases, name="api_purchases"),
]
