"""How the task pages answer a post: the same for the team view, the pool, the care card and the
holiday calendar."""

from django.contrib import messages as flash
from django.shortcuts import redirect

from concierge.views.members import wants_partial


def notice(done=None, refused=None):
    if refused:
        return {"level": "error", "text": refused}
    return {"level": "success", "text": done} if done else None


def respond(request, *, render, fallback, done=None, refused=None, form_sent_back=False):
    """htmx, or a form sent back with its errors: `render(notice)` draws the page (or its part)
    again, with status 200 so htmx swaps errors in too. A plain post is redirected to `fallback`
    with the notice as a message, so a reload does not post again."""
    if wants_partial(request) or form_sent_back:
        return render(notice(done, refused))
    if refused:
        flash.error(request, refused)
    elif done:
        flash.success(request, done)
    return redirect(fallback)
