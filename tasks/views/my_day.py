"""My day: a VIP manager's care tasks, ranked, each opened in place with the member's cheat sheet
and worked in two taps. The store manager opens a colleague's day with the same page.
"""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget

from concierge import extensions
from concierge.actions import ActionRefused
from concierge.dates import local_midnight
from concierge.extensions import MemberAlert
from concierge.forms_params import offset_of, read_query
from concierge.models import Appointment, Assignment, ContactLog, Staff
from concierge.models.members import value_class_rank
from concierge.views.responses import render_page, respond, wants_partial
from tasks import actions, messages
from tasks.forms import CompleteForm, SkipForm, SnoozeForm, TaskPlaceForm
from tasks.models import CareTask

UPCOMING_DAYS = 7
PAGE_SIZE = 25


SKIP_REASONS = (
    gettext_lazy("The member asked not to be contacted"),
    gettext_lazy("Already in touch today"),
    gettext_lazy("Wrong or no phone number"),
    gettext_lazy("The member is abroad"),
)


def _task_for(user, pk, request=None):
    """The task if the user may see it: their own, or any in the store for the store manager.

    With the request, the place the task was opened from is read first: a bad value is refused
    before an action writes anything, not after.
    """
    if request is not None:
        _place(request)
    tasks = CareTask.objects.visible_to(user).select_related(
        "member", "member__tier", "assignee", "store", "appointment", "appointment__room"
    )
    if not user.has_perm("tasks.manage_team_tasks"):
        tasks = tasks.filter(assignee=user)
    try:
        return tasks.get(pk=pk)
    except CareTask.DoesNotExist as exc:
        raise Http404 from exc


def ranked(tasks, today):
    """Most urgent first (overdue, today, coming up), then the member's value, then the date."""
    bucket = Case(
        When(due_date__lt=today, then=Value(0)),
        When(due_date=today, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return tasks.annotate(bucket=bucket, value_rank=value_class_rank()).order_by(
        "bucket", "value_rank", "due_date", "-member__spend_12m", "pk"
    )


def ranked_page(tasks, today, offset, size):
    """One page of `ranked` tasks, with their member, and whether more follow.

    Ranks on the narrow columns first, then loads the page's rows whole: sorting thousands of tasks
    with every member column joined cost more than the rest of the page.
    """
    # One row before the page too: a group that runs on from the previous page gets no new heading.
    start = max(offset - 1, 0)
    ranked_ids = list(ranked(tasks, today).values_list("pk", "due_date")[start : offset + size + 1])
    # Past the end (the tasks were finished meanwhile) there is no row before and none after.
    before = ranked_ids.pop(0) if offset and ranked_ids else None
    more = len(ranked_ids) > size
    ranked_ids = ranked_ids[:size]
    loaded = CareTask.objects.select_related("member", "member__tier").in_bulk(
        [pk for pk, _due in ranked_ids]
    )
    rows = [loaded[pk] for pk, _due in ranked_ids]
    previous = _bucket(today, before[1]) if before else None
    for task in rows:
        task.days_late = (today - task.due_date).days
        task.bucket = _bucket(today, task.due_date)
        task.starts_group = task.bucket != previous
        previous = task.bucket
    return rows, more


def _bucket(today, due):
    """0 overdue, 1 today, 2 coming up: the groups of the list, in the order `ranked` sorts them."""
    return 0 if due < today else 1 if due == today else 2


def day_counts(tasks, today):
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    midnight = local_midnight(today)
    # Years of closed tasks pile up behind a person: count only the open ones and today's.
    tasks = tasks.filter(Q(state__in=CareTask.ACTIVE_STATES) | Q(closed_at__gte=midnight))
    return tasks.aggregate(
        overdue=Count("pk", filter=Q(state=CareTask.State.OPEN, due_date__lt=today)),
        today=Count("pk", filter=Q(state=CareTask.State.OPEN, due_date=today)),
        upcoming=Count("pk", filter=Q(state=CareTask.State.OPEN, due_date__gt=today, due_date__lte=horizon)),
        snoozed=Count("pk", filter=Q(state=CareTask.State.SNOOZED)),
        active=Count("pk", filter=Q(state__in=CareTask.ACTIVE_STATES)),
        done_today=Count("pk", filter=Q(state=CareTask.State.DONE, closed_at__gte=midnight)),
    )


def list_context(request, *, owner=None, offset=0):
    """The ranked list of one person's open tasks for the next week: the user's, or a colleague's
    that the store manager opened."""
    user = request.user
    owner = owner or user
    today = timezone.localdate()
    tasks = CareTask.objects.visible_to(user).filter(assignee=owner)
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    counts = day_counts(tasks, today)
    # "Show more" after tasks were finished may point past the end: it gets the end, not an error.
    offset = min(offset, counts["overdue"] + counts["today"] + counts["upcoming"])
    rows, more = ranked_page(
        tasks.filter(state=CareTask.State.OPEN, due_date__lte=horizon), today, offset, PAGE_SIZE
    )
    # "Show more" adds rows under the strip already shown: only the whole list reads the visits.
    visits = [] if offset else visits_today(user, owner, today)
    return {
        "visits": visits,
        "today": today,
        "owner": owner,
        "is_own": owner == user,
        "rows": rows,
        "more": more,
        "next_offset": offset + PAGE_SIZE,
        "offset": offset,
        "counts": counts,
        "list_url": reverse("tasks:my_day")
        if owner == user
        else reverse("tasks:staff_tasks", args=[owner.pk]),
    }


def visits_today(user, owner, today):
    """The visits `owner` hosts or backs up today, by time: the strip above their tasks. Cancelled
    ones are left out; the others show their state, the arrived ones first to the eye."""
    if not user.has_perm("concierge.view_appointment"):
        return []
    return list(
        Appointment.objects.visible_to(user)
        .on_day(today)
        .filter(Q(host=owner) | Q(backup_host=owner))
        .exclude(state=Appointment.State.CANCELLED)
        .select_related("member", "room")
        .order_by("starts_at", "pk")
    )


def render_day(request, context, *, template="tasks/my_day.html"):
    context.setdefault("active_nav", "my_day" if context["is_own"] else "team")
    if wants_partial(request) and "offset" in request.GET:
        return render_page(request, template, context, partial="rows")
    return render_page(request, template, context, partial="day-list")


@require_GET
@permission_required("tasks.change_caretask", raise_exception=True)
def my_day(request):
    return render_day(request, list_context(request, offset=offset_of(request)))


# ---- one task ------------------------------------------------------------------------------------


def open_matters(task, user):
    """What staff should know before calling: other apps' warnings (an open complaint), a pause,
    other open tasks, a pending handover. [MemberAlert], warnings first."""
    member = task.member
    matters = extensions.member_alerts(user, member)
    today = timezone.localdate()
    if member.outreach_held:
        # Held by an open matter: the app that holds it has said so above, with its number.
        if not any(matter.level == "warning" for matter in matters):
            matters.append(MemberAlert(_("No sales outreach while the complaint is open")))
    elif member.outreach_paused_until and member.outreach_paused_until >= today:
        matters.append(
            MemberAlert(
                _("Outreach paused until %(date)s: %(reason)s")
                % {"date": member.outreach_paused_until.isoformat(), "reason": member.outreach_pause_reason}
            )
        )
    others = (
        CareTask.objects.filter(member=member, state__in=CareTask.ACTIVE_STATES)
        .exclude(pk=task.pk)
        .select_related("assignee")
        .order_by("due_date")[:5]
    )
    for other in others:
        matters.append(
            MemberAlert(
                _("Also open: %(kind)s, due %(date)s (%(who)s)")
                % {
                    "kind": other.get_kind_display(),
                    "date": other.due_date.isoformat(),
                    "who": other.assignee or _("pool"),
                }
            )
        )
    handover = (
        Assignment.objects.filter(member=member, state=Assignment.State.HANDOVER_REQUESTED)
        .select_related("handover_to")
        .first()
    )
    if handover:
        matters.append(MemberAlert(_("Handover to %(name)s pending") % {"name": handover.handover_to}))
    return sorted(matters, key=lambda matter: matter.level != "warning")


def _place(request):
    """Where the task was opened from and how it is shown, as the page or its form says."""
    place = read_query(TaskPlaceForm, request.POST if request.method == "POST" else request.GET)
    return place["from"], place["page"]


def panel_context(request, task, *, form=None, snooze_form=None, skip_form=None):
    user = request.user
    from_page, page = _place(request)
    member = task.member
    today = timezone.localdate()
    manager = (
        Assignment.objects.filter(member=member, state__in=Assignment.CURRENT_STATES)
        .select_related("manager")
        .first()
    )
    context = {
        "task": task,
        "member": member,
        "today": today,
        "phone": member.phone_for(user),
        "can_call": user.has_perm("concierge.view_member_phone"),
        "manager": manager.manager if manager else None,
        "purchases": list(member.purchases.order_by("-purchased_at")[:3]),
        "last_contact": ContactLog.objects.filter(member=member).select_related("staff").first(),
        "matters": open_matters(task, user),
        # Other apps' parts of the panel: the member's complaint history on a dormant review.
        "task_sections": extensions.care_task_sections(request, task),
        "form": form or CompleteForm(task=task),
        "snooze_form": snooze_form or SnoozeForm(),
        "skip_form": skip_form or SkipForm(),
        "snooze_choices": [
            (today + dt.timedelta(days=1), _("Tomorrow")),
            (today + dt.timedelta(days=7), _("In a week")),
        ],
        "skip_reasons": SKIP_REASONS,
        "can_work": task.state == CareTask.State.OPEN
        and any(t.name == "complete" for t in task.get_available_user_state_transitions(user)),
        "from_page": from_page,
        # Where the panel is shown decides what follows a completion: the list in place, or a redirect.
        "page": page or ("panel" if wants_partial(request) else "detail"),
        "draft": messages.draft_context(task, user, request, edited=_edited_message(form))
        if task.state == CareTask.State.OPEN
        else None,
    }
    return context


def _edited_message(form):
    """The message as the user left it in a completion form that was sent back."""
    if form is None or not form.is_bound or "message" not in form.data:
        return None
    return form["message"].value()


@require_GET
@permission_required("tasks.change_caretask", raise_exception=True)
def task_detail(request, pk):
    task = _task_for(request.user, pk)
    context = panel_context(request, task)
    context["active_nav"] = "my_day" if task.assignee_id == request.user.pk else "team"
    return render_page(request, "tasks/task_detail.html", context, partial="panel")


def _list_for(request, task):
    """After a task is closed: the list the user worked it from, fresh."""
    user = request.user
    if task.assignee_id and task.assignee_id != user.pk and user.has_perm("tasks.manage_team_tasks"):
        return list_context(request, owner=Staff.objects.get(pk=task.assignee_id))
    return list_context(request)


def _done(request, task, text):
    """In a My-day panel: the refreshed list in its place, with a notice. From the task's own page
    or the pool: back to that list, with the notice as a message."""
    from_page, page = _place(request)
    if from_page == "pool":
        url = reverse("tasks:pool")
    elif task.assignee_id and task.assignee_id != request.user.pk:
        url = reverse("tasks:staff_tasks", args=[task.assignee_id])
    else:
        url = reverse("tasks:my_day")

    def draw(notice):
        context = {**_list_for(request, task), "notice": notice}
        return retarget(render_day(request, context), "#day-list")

    in_panel = page == "panel" and from_page != "pool"
    return respond(request, render=draw if in_panel else None, fallback=url, done=text)


def _refused(request, task, text, **forms):
    def draw(notice):
        context = {**panel_context(request, task, **forms), "notice": notice}
        return render_page(request, "tasks/task_detail.html", context, partial="panel")

    return respond(request, render=draw, refused=text, form_sent_back=True)


@require_POST
@permission_required("tasks.change_caretask", raise_exception=True)
def complete(request, pk):
    task = _task_for(request.user, pk, request)
    form = CompleteForm(request.POST, task=task)
    if not form.is_valid():
        return _refused(request, task, _("Check the answers below."), form=form)
    try:
        actions.complete_task(task, actor=request.user, **form.answers())
    except ActionRefused as refused:
        return _refused(request, task, refused.message, form=form)
    text = (
        _("%(member)s: %(kind)s done.")
        if task.is_review
        else _("%(member)s: %(kind)s done. It is in the member's contact log.")
    ) % {"member": task.member.name, "kind": task.get_kind_display()}
    if task.kind == CareTask.Kind.VISIT_CONFIRMATION and task.appointment_id:
        text = f"{text} {_('The visit shows confirmed.')}"
    return _done(request, task, text)


@require_POST
@permission_required("tasks.change_caretask", raise_exception=True)
def snooze(request, pk):
    task = _task_for(request.user, pk, request)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, _("Check the date."), snooze_form=form)
    until = form.cleaned_data["until"]
    try:
        actions.snooze_task(task, actor=request.user, until=until)
    except ActionRefused as refused:
        return _refused(request, task, refused.message, snooze_form=form)
    text = _("%(member)s: %(kind)s put off until %(date)s.") % {
        "member": task.member.name,
        "kind": task.get_kind_display(),
        "date": until.isoformat(),
    }
    return _done(request, task, text)


@require_POST
@permission_required("tasks.change_caretask", raise_exception=True)
def skip(request, pk):
    task = _task_for(request.user, pk, request)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, _("Give a reason for skipping."), skip_form=form)
    try:
        actions.skip_task(task, actor=request.user, reason=form.cleaned_data["reason"])
    except ActionRefused as refused:
        return _refused(request, task, refused.message, skip_form=form)
    text = _("%(member)s: %(kind)s skipped.") % {"member": task.member.name, "kind": task.get_kind_display()}
    return _done(request, task, text)


urlpatterns = [
    path("", my_day, name="my_day"),
    path("<int:pk>/", task_detail, name="task_detail"),
    path("<int:pk>/complete/", complete, name="complete"),
    path("<int:pk>/snooze/", snooze, name="snooze"),
    path("<int:pk>/skip/", skip, name="skip"),
]
