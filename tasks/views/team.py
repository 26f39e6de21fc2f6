"""The store manager's view of the team's care tasks: who is on top of their day and who is behind,
anyone's list, the pool of tasks for members without a VIP manager, and moving an absent
colleague's tasks to others in one step.
"""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from concierge.actions import ActionRefused
from concierge.dates import local_midnight
from concierge.forms_params import offset_of, read_query
from concierge.models import Staff
from concierge.views.responses import render_page, respond
from tasks import actions
from tasks.forms import HandOutForm, MoveTasksForm, TeamQueryForm
from tasks.models import CareTask
from tasks.views.my_day import UPCOMING_DAYS, day_counts, list_context, ranked_page, render_day

POOL_PAGE = 40


def _workers(user):
    return actions.task_workers(user.store_id)


def _move_form(user, absent, workers):
    """An empty move form for the row it is opened on; its checkboxes come from the workers already
    loaded."""
    form = MoveTasksForm(workers=_workers(user).exclude(pk=absent.pk), auto_id=f"move{absent.pk}_%s")
    form.fields["to_users"].choices = [(w.pk, str(w)) for w in workers if w.pk != absent.pk]
    return form


def chart_axis(largest, most_steps=5):
    """A round scale for the team chart: its top and its ticks (value, position in %), 1-2-5 steps."""
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            steps = -(-largest // step)
            if steps <= most_steps:
                top = steps * step
                return {
                    "top": top,
                    "steps": steps,
                    "ticks": [(value, 100 * value / top) for value in range(0, top + 1, step)],
                }
        magnitude *= 10


def team_context(request, *, move_pk=None, move_form=None):
    user = request.user
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    week_start = local_midnight(today - dt.timedelta(days=6))
    is_open = Q(state=CareTask.State.OPEN)
    counts = {
        row["assignee"]: row
        for row in CareTask.objects.visible_to(user)
        .filter(assignee__isnull=False)
        .filter(Q(state__in=CareTask.ACTIVE_STATES) | Q(closed_at__gte=week_start))
        .values("assignee")
        .annotate(
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
            today=Count("pk", filter=is_open & Q(due_date=today)),
            upcoming=Count("pk", filter=is_open & Q(due_date__gt=today, due_date__lte=horizon)),
            snoozed=Count("pk", filter=Q(state=CareTask.State.SNOOZED)),
            active=Count("pk", filter=Q(state__in=CareTask.ACTIVE_STATES)),
            done_today=Count("pk", filter=Q(state=CareTask.State.DONE, closed_at__gte=local_midnight(today))),
            done_week=Count("pk", filter=Q(state=CareTask.State.DONE, closed_at__gte=week_start)),
        )
    }
    workers = list(_workers(user))
    # Someone deactivated, or no longer a VIP manager, keeps their open tasks until they are moved:
    # they get a row too, so "Move tasks..." reaches them.
    known = {worker.pk for worker in workers}
    stranded = [pk for pk, row in counts.items() if pk not in known and row["active"]]
    leavers = list(
        Staff.objects.filter(pk__in=stranded, store_id=user.store_id).order_by("display_name", "pk")
    )
    empty = dict.fromkeys(("overdue", "today", "upcoming", "snoozed", "active", "done_today", "done_week"), 0)
    rows = []
    for worker in workers + leavers:
        figures = {**empty, **counts.get(worker.pk, {})}
        # Only the row being moved carries its form: thirty forms of thirty checkboxes slowed the page.
        opened = worker.pk == move_pk
        rows.append(
            {
                "staff": worker,
                **figures,
                "move_form": (move_form or _move_form(user, worker, workers)) if opened else None,
                "move_open": opened,
            }
        )
    for row in rows:
        row["chart_total"] = row["done_week"] + row["today"] + row["overdue"]
    axis = chart_axis(max([row["chart_total"] for row in rows] + [0]))
    for row in rows:
        row["bar_done"] = 100 * row["done_week"] / axis["top"]
        row["bar_today"] = 100 * row["today"] / axis["top"]
        row["bar_overdue"] = 100 * row["overdue"] / axis["top"]
    pool = (
        CareTask.objects.visible_to(user)
        .filter(assignee__isnull=True)
        .aggregate(
            open=Count("pk", filter=is_open & Q(due_date__lte=horizon)),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        )
    )
    totals = {key: sum(row[key] for row in rows) for key in ("overdue", "today", "done_today", "done_week")}
    return {
        "active_nav": "team",
        "today": today,
        "rows": rows,
        "axis": axis,
        "pool": pool,
        "totals": totals,
    }


@require_GET
@permission_required("tasks.manage_team_tasks", raise_exception=True)
def team(request):
    move_pk = read_query(TeamQueryForm, request.GET)["move"]
    return render_page(
        request, "tasks/team.html", team_context(request, move_pk=move_pk), partial="team-body"
    )


def _staff_for(user, pk):
    """A colleague whose tasks the store manager may see and move: anyone who works care tasks, or
    anyone of the store who still has open ones (a VIP manager who left or changed role)."""
    worker = _workers(user).filter(pk=pk).first()
    if worker is None:
        worker = (
            Staff.objects.filter(pk=pk, store_id=user.store_id)
            .filter(care_tasks__state__in=CareTask.ACTIVE_STATES)
            .first()
        )
    if worker is None:
        raise Http404
    return worker


@require_GET
@permission_required("tasks.manage_team_tasks", raise_exception=True)
def staff_tasks(request, staff_pk):
    owner = _staff_for(request.user, staff_pk)
    return render_day(request, list_context(request, owner=owner, offset=offset_of(request)))


@require_POST
@permission_required("tasks.manage_team_tasks", raise_exception=True)
def move_tasks(request, staff_pk):
    user = request.user
    absent = _staff_for(user, staff_pk)
    form = MoveTasksForm(
        request.POST, workers=_workers(user).exclude(pk=absent.pk), auto_id=f"move{absent.pk}_%s"
    )
    if not form.is_valid():
        return _team_response(request, refused=_("Check the form."), move_pk=absent.pk, move_form=form)
    try:
        moved = actions.move_tasks(
            absent,
            actor=user,
            to_users=list(form.cleaned_data["to_users"]),
            reason=form.cleaned_data["reason"],
        )
    except ActionRefused as refused:
        return _team_response(request, refused=refused.message, move_pk=absent.pk, move_form=form)
    shares = ", ".join(f"{receiver} {count}" for receiver, count in moved.items())
    total = sum(moved.values())
    done = ngettext(
        "%(count)d task of %(name)s moved: %(shares)s.",
        "%(count)d tasks of %(name)s moved: %(shares)s.",
        total,
    ) % {"count": total, "name": absent, "shares": shares}
    return _team_response(request, done=done)


def _team_response(request, *, done=None, refused=None, **form_state):
    def draw(notice):
        context = {**team_context(request, **form_state), "notice": notice}
        return render_page(request, "tasks/team.html", context, partial="team-body")

    return respond(
        request,
        render=draw,
        fallback="tasks:team",
        done=done,
        refused=refused,
        form_sent_back=bool(form_state),
    )


# ---- the pool ------------------------------------------------------------------------------------


def _pool_tasks(user):
    return CareTask.objects.visible_to(user).filter(assignee__isnull=True, state__in=CareTask.ACTIVE_STATES)


def pool_context(request, *, form=None):
    user = request.user
    today = timezone.localdate()
    shown, _more = ranked_page(_pool_tasks(user), today, 0, POOL_PAGE)
    counts = day_counts(CareTask.objects.visible_to(user).filter(assignee__isnull=True), today)
    return {
        "active_nav": "team",
        "today": today,
        "shown": shown,
        "counts": counts,
        "total": counts["active"],
        "form": form or HandOutForm(tasks=_pool_tasks(user), workers=_workers(user)),
    }


@require_GET
@permission_required("tasks.manage_team_tasks", raise_exception=True)
def pool(request):
    return render_page(request, "tasks/pool.html", pool_context(request), partial="pool-body")


@require_POST
@permission_required("tasks.manage_team_tasks", raise_exception=True)
def hand_out(request):
    user = request.user
    form = HandOutForm(request.POST, tasks=_pool_tasks(user), workers=_workers(user))
    if not form.is_valid():
        return _pool_response(request, refused=_("Check the form."), form=form)
    try:
        given = actions.hand_out_tasks(
            list(form.cleaned_data["tasks"]), actor=user, to_users=list(form.cleaned_data["to_users"])
        )
    except ActionRefused as refused:
        return _pool_response(request, refused=refused.message, form=form)
    shares = ", ".join(f"{receiver} {count}" for receiver, count in given.items())
    total = sum(given.values())
    done = ngettext(
        "%(count)d task handed out: %(shares)s.", "%(count)d tasks handed out: %(shares)s.", total
    ) % {"count": total, "shares": shares}
    return _pool_response(request, done=done)


def _pool_response(request, *, done=None, refused=None, form=None):
    def draw(notice):
        context = {**pool_context(request, form=form), "notice": notice}
        return render_page(request, "tasks/pool.html", context, partial="pool-body")

    return respond(
        request,
        render=draw,
        fallback="tasks:pool",
        done=done,
        refused=refused,
        form_sent_back=form is not None,
    )


urlpatterns = [
    path("team/", team, name="team"),
    path("team/<int:staff_pk>/", staff_tasks, name="staff_tasks"),
    path("team/<int:staff_pk>/move/", move_tasks, name="move_tasks"),
    path("pool/", pool, name="pool"),
    path("pool/hand-out/", hand_out, name="hand_out"),
]
