"""The care card on the member profile: open and recent care tasks, and the outreach pause."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import permission_required
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concierge.actions import ActionRefused
from concierge.models import Member
from concierge.views.members import detail_context
from concierge.views.responses import render_page, respond, wants_partial
from tasks import actions
from tasks.forms import PauseForm
from tasks.models import CareTask

RECENT = 5


def care_context(request, member, *, pause_form=None, notice=None):
    # A pause form sent back with its errors on a plain post is drawn on the whole profile page.
    pause_form = pause_form or getattr(request, "failed_pause_form", None)
    user = request.user
    tasks = CareTask.objects.filter(member=member).select_related("assignee", "closed_by")
    return {
        "member": member,
        "today": timezone.localdate(),
        "open_tasks": list(tasks.filter(state__in=CareTask.ACTIVE_STATES).order_by("due_date", "pk")),
        "recent_tasks": list(
            tasks.exclude(state__in=CareTask.ACTIVE_STATES).order_by("-closed_at", "-pk")[:RECENT]
        ),
        "can_pause": user.has_perm("tasks.pause_outreach"),
        # An open complaint holds the pause: shown without its far-off date, and not for hands to lift.
        "is_held": member.outreach_held,
        "is_paused": bool(
            member.outreach_paused_until and member.outreach_paused_until >= timezone.localdate()
        ),
        "pause_form": pause_form or PauseForm(),
        "pause_open": pause_form is not None,
        "notice": notice,
    }


def member_sections(request, member):
    """The profile's care card, for staff who work care tasks or may pause outreach."""
    user = request.user
    if not (user.has_perm("tasks.view_caretask") or user.has_perm("tasks.pause_outreach")):
        return []
    return [render_to_string("tasks/member_care.html", care_context(request, member), request=request)]


def _member_for(user, pk):
    return Member.objects.get_for(user, pk=pk)


def _respond(request, member, *, done=None, refused=None, pause_form=None):
    def draw(notice):
        member.refresh_from_db()
        if not wants_partial(request):
            request.failed_pause_form = pause_form
            flash.error(request, notice["text"])
            return render_page(request, "concierge/member_detail.html", detail_context(request, member))
        context = care_context(request, member, pause_form=pause_form, notice=notice)
        return render_page(request, "tasks/member_care.html", context, partial="care-body")

    return respond(
        request,
        render=draw,
        fallback=reverse("concierge:member_detail", args=[member.pk]) + "#care",
        done=done,
        refused=refused,
        form_sent_back=pause_form is not None,
    )


@require_POST
@permission_required("tasks.pause_outreach", raise_exception=True)
def pause_outreach(request, member_pk):
    member = _member_for(request.user, member_pk)
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _respond(request, member, refused=_("Check the pause form."), pause_form=form)
    try:
        actions.pause_outreach(member, actor=request.user, **form.cleaned_data)
    except ActionRefused as refused:
        return _respond(request, member, refused=refused.message, pause_form=form)
    return _respond(
        request,
        member,
        done=_("Outreach to %(member)s paused until %(date)s.")
        % {"member": member.name, "date": form.cleaned_data["until"].isoformat()},
    )


@require_POST
@permission_required("tasks.pause_outreach", raise_exception=True)
def resume_outreach(request, member_pk):
    member = _member_for(request.user, member_pk)
    try:
        actions.resume_outreach(member, actor=request.user)
    except ActionRefused as refused:
        return _respond(request, member, refused=refused.message)
    return _respond(request, member, done=_("Outreach to %(member)s resumed.") % {"member": member.name})


urlpatterns = [
    path("members/<int:member_pk>/pause/", pause_outreach, name="pause_outreach"),
    path("members/<int:member_pk>/resume/", resume_outreach, name="resume_outreach"),
]
