"""How every page answers: a fragment for htmx or the whole page, and one way to answer a POST.

The server chooses the partial, never the client. A POST is answered in one of three ways:
- htmx (not boosted, not a history restore), or a form sent back with its errors: the page, or the
  part htmx swaps, is drawn again with a notice, with status 200 so that htmx swaps errors in too;
- a plain form post: the notice becomes a message and the browser is redirected, so a reload does
  not post again;
- htmx where nothing is drawn in place: the same message, and htmx is told to load the next page.
"""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from concierge.forms_params import next_url


def wants_partial(request):
    """htmx swaps a fragment; boosted links and history restores need the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request, template, context, partial=None, status=200):
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, context, status=status)
    # The same URL answers a fragment or a page: caches and the back button must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def notice(done=None, refused=None, level="success"):
    """What the page says about the post it answers: an error, a success (or an `info` or a
    `warning`), or nothing."""
    if refused:
        return {"level": "error", "text": refused}
    return {"level": level, "text": done} if done else None


def respond(
    request, *, render=None, fallback=None, done=None, refused=None, form_sent_back=False, level="success"
):
    """The answer to a POST (see the module's docstring).

    `render(notice)` draws the page or its part; `fallback` is where a plain post is sent (a URL or
    a URL name; a same-site `next` the form posted wins). `form_sent_back` when a form comes back
    with its errors: it is drawn even for a plain post, since a redirect would lose what was typed.
    """
    if render is not None and (wants_partial(request) or form_sent_back):
        return render(notice(done, refused, level))
    said = notice(done, refused, level)
    if said:
        flash.add_message(request, getattr(flash, said["level"].upper()), said["text"])
    target = next_url(request, fallback)
    if wants_partial(request):
        return HttpResponseClientRedirect(redirect(target).url)
    return redirect(target)
