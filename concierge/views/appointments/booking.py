"""Booking pages: book a visit (on the phone or at the counter), move it or change its needs,
confirm it, cancel it, and the list of visits by day.

The member is found as on the member search (name, member number, last four digits of the phone);
the host defaults to the member's VIP manager. A refusal (the host is busy, the store is closed)
is shown in the page with everything typed kept.
"""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.appointments import booking as actions
from concierge.appointments.availability import free_hosts, free_rooms, no_show_count, store_problem
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.forms_booking import (
    BookQueryForm,
    BookVisitForm,
    CancelVisitForm,
    EditVisitForm,
    SlotCheckForm,
    VisitListForm,
    room_label,
)
from concierge.forms_params import NextForm, read_query
from concierge.models import Appointment, Assignment, Member, ReceptionSettings
from concierge.roles import Role
from concierge.views.members import search_members
from concierge.views.responses import render_page, respond, wants_partial

SEARCH_LIMIT = 8
# The visits a day's list shows at most: a store's busiest day is far below.
DAY_LIMIT = 300


def _visit(user, pk):
    return get_object_or_404(
        Appointment.objects.visible_to(user).select_related(
            "member", "member__tier", "host", "backup_host", "room"
        ),
        pk=pk,
    )


def _detail(appointment):
    return reverse("concierge:visit_detail", args=[appointment.pk])


def _settings(user):
    return ReceptionSettings.for_store(user.store_id)


# ---- the member picker ------------------------------------------------------------------------------


def vip_managers(member_ids):
    """{member id: their VIP manager} for those who have an active one."""
    rows = (
        Assignment.objects.filter(
            member_id__in=list(member_ids), state__in=Assignment.CURRENT_STATES, manager__is_active=True
        )
        .select_related("manager")
        .order_by("pk")
    )
    return {row.member_id: row.manager for row in rows}


def no_show_counts(store_id, member_ids):
    since = timezone.now() - dt.timedelta(days=365)
    rows = (
        Appointment.objects.filter(
            store_id=store_id,
            member_id__in=list(member_ids),
            state=Appointment.State.NO_SHOW,
            starts_at__gte=since,
        )
        .values("member_id")
        .annotate(n=Count("pk"))
    )
    return {row["member_id"]: row["n"] for row in rows}


def _annotate(members, store_id):
    """Each member's VIP manager and their no-shows this year, in two queries for the lot."""
    members = [m for m in members if m is not None]
    if not members:
        return
    managers = vip_managers(m.pk for m in members)
    counts = no_show_counts(store_id, [m.pk for m in members])
    flag = ReceptionSettings.for_store(store_id).no_show_flag_count
    for member in members:
        member.vip_manager = managers.get(member.pk)
        member.no_shows = counts.get(member.pk, 0)
        member.no_show_risk = member.no_shows >= flag


def member_choices(user, query, chosen):
    found = []
    if query:
        members = Member.objects.visible_to(user).select_related("tier")
        found = [
            m
            for m in search_members(members, query)[: SEARCH_LIMIT + 1]
            if chosen is None or m.pk != chosen.pk
        ]
    more = len(found) > SEARCH_LIMIT
    found = found[:SEARCH_LIMIT]
    _annotate([chosen, *found], user.store_id)
    return {"chosen": chosen, "found": found, "more_found": more, "query": query}


def _visible_member(user, pk):
    if pk is None:
        return None
    return Member.objects.visible_to(user).select_related("tier").filter(pk=pk).first()


# ---- booking ------------------------------------------------------------------------------------------


def book_context(request, form, *, chosen=None, query=""):
    return {
        "active_nav": "visits",
        "form": form,
        "next": _back(request),
        **member_choices(request.user, query, chosen),
    }


def _back(request):
    """The page of this site the booking was opened from (a revival case), to go back to once booked."""
    data = request.POST if request.method == "POST" else request.GET
    form = NextForm(data, host=request.get_host(), secure=request.is_secure())
    return form.cleaned_data["next"] if form.is_valid() else ""


def _refused(request, template, context, message):
    context["notice"] = {"level": "error", "text": message}
    return render_page(request, template, context)


@require_http_methods(["GET", "POST"])
@permission_required("concierge.add_appointment", raise_exception=True)
@store_required
def book(request):
    user = request.user
    default_minutes = _settings(user).default_minutes
    if request.method == "GET":
        query = read_query(BookQueryForm, request.GET)
        chosen = _visible_member(user, query["member"])
        if wants_partial(request) and "q" in request.GET:
            context = member_choices(user, query["q"], chosen)
            return render_page(request, "concierge/appointments/book.html", context, partial="member-results")
        initial = {"date": timezone.localdate(), "party_size": 1, "purpose": Appointment.Purpose.SHOPPING}
        if chosen is not None:
            initial["member"] = chosen.pk
            manager = vip_managers([chosen.pk]).get(chosen.pk)
            if manager is not None:
                initial["host"] = manager.pk
            if chosen.car_plate:
                initial["car_plate"] = chosen.car_plate
        form = BookVisitForm(user=user, initial=initial, default_minutes=default_minutes)
        return render_page(
            request, "concierge/appointments/book.html", book_context(request, form, chosen=chosen)
        )

    form = BookVisitForm(request.POST, user=user, default_minutes=default_minutes)
    if not form.is_valid():
        context = book_context(request, form, chosen=form.chosen_member)
        return _refused(
            request, "concierge/appointments/book.html", context, _("Check the fields marked below.")
        )
    try:
        appointment = actions.book_appointment(actor=user, **form.action_arguments())
    except ActionRefused as refused:
        context = book_context(request, form, chosen=form.chosen_member)
        return _refused(request, "concierge/appointments/book.html", context, refused.message)
    when = timezone.localtime(appointment.starts_at)
    return respond(
        request,
        fallback=_detail(appointment),
        done=_("Visit of %(member)s booked for %(when)s with %(host)s.")
        % {"member": appointment.member.name, "when": when.strftime("%m-%d %H:%M"), "host": appointment.host},
    )


@require_GET
@permission_required("concierge.add_appointment", raise_exception=True)
@store_required
def book_check(request):
    """Who and which rooms are free at the time chosen so far (the booking and edit pages ask as
    the time changes)."""
    form = SlotCheckForm(request.GET)
    context = {"checked": False}
    if form.is_valid() and form.cleaned_data.get("starts_at") and form.cleaned_data.get("minutes"):
        data = form.cleaned_data
        starts_at = data["starts_at"]
        ends_at = starts_at + dt.timedelta(minutes=data["minutes"])
        exclude = data.get("visit")
        store_id = request.user.store_id
        context = {
            "checked": True,
            "closed": store_problem(store_id, starts_at, ends_at),
            "hosts": free_hosts(store_id, starts_at, ends_at, exclude_pk=exclude),
            "rooms": free_rooms(
                store_id, starts_at, ends_at, party_size=data.get("party_size") or 1, exclude_pk=exclude
            ),
        }
    return render_page(request, "concierge/appointments/book_check.html", context)


# ---- one visit ------------------------------------------------------------------------------------------


def _edit_initial(appointment):
    local = timezone.localtime(appointment.starts_at)
    return {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "minutes": appointment.minutes,
        "purpose": appointment.purpose,
        "host": appointment.host_id,
        "backup_host": appointment.backup_host_id,
        "room": appointment.room_id,
        "party_size": appointment.party_size,
        "car_plate": appointment.car_plate,
        "drinks": appointment.drinks,
        "allergies": appointment.allergies,
        "items_to_pull": appointment.items_to_pull,
        "brands": appointment.brands,
        "note": appointment.note,
    }


def _edit_form(request, appointment, data=None):
    form = EditVisitForm(
        data,
        user=request.user,
        initial=_edit_initial(appointment),
        default_minutes=appointment.minutes,
    )
    # The visit's own host and room stay choices even if they no longer host or are no longer bookable.
    for field, obj in (
        ("host", appointment.host),
        ("backup_host", appointment.backup_host),
        ("room", appointment.room),
    ):
        if obj is not None and obj.pk not in form.fields[field].objects:
            objects = {**form.fields[field].objects, obj.pk: obj}
            if field == "room":
                form.fields[field].set_objects(objects, label=room_label)
            else:
                form.fields[field].set_objects(objects)
    return form


def edit_context(appointment, form):
    return {
        "active_nav": "visits",
        "appointment": appointment,
        "form": form,
        "no_shows": no_show_count(appointment.member),
    }


@require_http_methods(["GET", "POST"])
@permission_required("concierge.change_appointment", raise_exception=True)
@store_required
def visit_edit(request, pk):
    appointment = _visit(request.user, pk)
    template = "concierge/appointments/book_edit.html"
    if request.method == "GET":
        return render_page(request, template, edit_context(appointment, _edit_form(request, appointment)))
    form = _edit_form(request, appointment, request.POST)
    if not appointment.is_upcoming:
        return _refused(
            request,
            template,
            edit_context(appointment, form),
            _("Only a visit that has not begun can be changed."),
        )
    if not form.is_valid():
        return _refused(
            request, template, edit_context(appointment, form), _("Check the fields marked below.")
        )
    try:
        appointment = actions.change_appointment(appointment, actor=request.user, **form.action_arguments())
    except ActionRefused as refused:
        return _refused(request, template, edit_context(appointment, form), refused.message)
    return respond(request, fallback=_detail(appointment), done=_("The visit is changed."))


@require_POST
@permission_required("concierge.change_appointment", raise_exception=True)
@store_required
def visit_confirm(request, pk):
    appointment = _visit(request.user, pk)
    try:
        actions.confirm_appointment(appointment, actor=request.user)
    except ActionRefused as refused:
        return respond(request, fallback=_detail(appointment), refused=refused.message)
    return respond(request, fallback=_detail(appointment), done=_("The visit is confirmed."))


@require_http_methods(["GET", "POST"])
@permission_required("concierge.change_appointment", raise_exception=True)
@store_required
def visit_cancel(request, pk):
    appointment = _visit(request.user, pk)
    template = "concierge/appointments/book_cancel.html"
    if request.method == "GET":
        form = CancelVisitForm()
        return render_page(
            request, template, {"active_nav": "visits", "appointment": appointment, "form": form}
        )
    form = CancelVisitForm(request.POST)
    context = {"active_nav": "visits", "appointment": appointment, "form": form}
    if not form.is_valid():
        return _refused(request, template, context, _("Say why the visit is cancelled."))
    try:
        actions.cancel_appointment(appointment, actor=request.user, reason=form.cleaned_data["reason"])
    except ActionRefused as refused:
        return _refused(request, template, context, refused.message)
    return respond(request, fallback=_detail(appointment), done=_("The visit is cancelled."))


# ---- the list ----------------------------------------------------------------------------------------------


def sees_the_store(user):
    return user.has_role(Role.FRONT_DESK, Role.STORE_MANAGER) or user.has_perm(
        "concierge.manage_appointments"
    )


def visits_for(user):
    """A VIP manager's own visits (hosted or backed up); the store's for the desk and the manager."""
    visits = Appointment.objects.visible_to(user)
    if sees_the_store(user):
        return visits
    return visits.filter(Q(host=user) | Q(backup_host=user))


@require_GET
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def visit_list(request):
    user = request.user
    query = read_query(VisitListForm, request.GET)
    today = timezone.localdate()
    day = query["day"] or today
    visits = list(
        visits_for(user)
        .on_day(day)
        .select_related("member", "member__tier", "host", "backup_host", "room")
        .order_by("starts_at", "pk")[:DAY_LIMIT]
    )
    upcoming = (
        visits_for(user)
        .filter(state__in=Appointment.UPCOMING_STATES, starts_at__gte=timezone.now())
        .exclude(pk__in=[v.pk for v in visits])
        .select_related("member", "host", "room")
        .order_by("starts_at", "pk")[:10]
        if day == today
        else []
    )
    context = {
        "active_nav": "visits",
        "day": day,
        "today": today,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "visits": visits,
        "upcoming": list(upcoming),
        "mine_only": not sees_the_store(user),
        "form": VisitListForm(initial={"day": day}),
        "can_book": user.has_perm("concierge.add_appointment"),
    }
    return render_page(request, "concierge/appointments/visit_list.html", context, partial="day")


urlpatterns = [
    path("visits/", visit_list, name="visit_list"),
    path("visits/new/", book, name="book"),
    path("visits/new/check/", book_check, name="book_check"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/<int:pk>/confirm/", visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/cancel/", visit_cancel, name="visit_cancel"),
]
