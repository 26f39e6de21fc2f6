"""The arrivals board (the front desk's day), walk-ins, and the host's arrival page.

The board lists today's visits and the next hours by time; one tap checks a member in. Every open
board of the store reloads its timeline when anything on it changes (concierge.appointments.live
pushes a signal over the socket; static/js/reception.js turns it into a fetch): no polling.
"""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge import extensions
from concierge.appointments import arrivals
from concierge.dates import local_midnight
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.forms_params import IdField, read_query
from concierge.models import Appointment, Assignment, Member, PreparationItem, Purchase, Room, Staff
from concierge.models.appointments import may_receive, may_serve
from concierge.roles import Role
from concierge.views.responses import render_page, respond

State = Appointment.State
# "Now" on the board: who is in, who is late, and who is due within this long.
SOON = dt.timedelta(hours=1)
# The board reaches past midnight by this much, for a store open late.
AHEAD = dt.timedelta(hours=4)
WALK_IN_RESULTS = 12

FILTERS = {
    "now": gettext_lazy("Now"),
    "later": gettext_lazy("Later today"),
    "today": gettext_lazy("All today"),
}


class BoardQueryForm(forms.Form):
    """Which part of the day, and whose visits."""

    when = forms.ChoiceField(choices=[(key, key) for key in FILTERS], required=False)
    host = IdField(required=False)


class WalkInSearchForm(forms.Form):
    q = forms.CharField(max_length=50, required=False, strip=True)
    member = IdField(required=False)


class WalkInForm(forms.Form):
    """A walk-in checked in on the spot; the member, host and room are checked against the store."""

    member = forms.ModelChoiceField(queryset=Member.objects.none())
    host = forms.ModelChoiceField(queryset=Staff.objects.none(), label=gettext_lazy("Host"))
    purpose = forms.ChoiceField(
        choices=Appointment.Purpose.choices,
        initial=Appointment.Purpose.SHOPPING,
        label=gettext_lazy("Purpose"),
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, label=gettext_lazy("Room or lounge")
    )
    party_size = forms.IntegerField(min_value=1, max_value=50, initial=1, label=gettext_lazy("Party size"))
    minutes = forms.IntegerField(
        min_value=15, max_value=480, required=False, label=gettext_lazy("Minutes (blank: the usual length)")
    )
    car_plate = forms.CharField(max_length=12, required=False, label=gettext_lazy("Car plate"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.visible_to(user)
        self.fields["host"].queryset = hosts_of(user.store_id)
        self.fields["room"].queryset = Room.objects.visible_to(user).filter(active=True)


def hosts_of(store_id):
    """Who can host a visit: the store's VIP managers and store managers."""
    return (
        Staff.objects.filter(
            store_id=store_id,
            is_active=True,
            groups__name__in=[Role.VIP_MANAGER.value, Role.STORE_MANAGER.value],
        )
        .distinct()
        .order_by("display_name", "username")
    )


# ---- the board -----------------------------------------------------------------------------------


def _span(now):
    today = timezone.localtime(now).date()
    start = local_midnight(today)
    return start, max(local_midnight(today + dt.timedelta(days=1)), now + AHEAD)


def _filtered(visits, when, now):
    upcoming = Q(state__in=Appointment.UPCOMING_STATES)
    if when == "now":
        return visits.filter(
            Q(state__in=Appointment.PRESENT_STATES) | (upcoming & Q(starts_at__lt=now + SOON))
        )
    if when == "later":
        return visits.filter(upcoming, starts_at__gte=now + SOON)
    return visits


def waiting_text(visit, now):
    """For an arrival: who is coming, or how long the member has waited."""
    if visit.state != State.ARRIVED:
        return None
    if visit.acknowledged_at is not None:
        return ("coming", _("%(host)s on the way") % {"host": visit.acknowledged_by or visit.host})
    minutes = max(0, int((now - (visit.arrived_at or now)).total_seconds() // 60))
    kind = "late" if visit.ack_due_at and visit.ack_due_at <= now else "waiting"
    return (kind, _("waiting %(minutes)s min") % {"minutes": minutes})


def board_context(request, *, when, host_id=None):
    user = request.user
    now = timezone.now()
    start, end = _span(now)
    day = Appointment.objects.visible_to(user).filter(starts_at__gte=start, starts_at__lt=end)
    counts = day.aggregate(
        now=Count(
            "pk",
            filter=Q(state__in=Appointment.PRESENT_STATES)
            | Q(state__in=Appointment.UPCOMING_STATES, starts_at__lt=now + SOON),
        ),
        later=Count("pk", filter=Q(state__in=Appointment.UPCOMING_STATES, starts_at__gte=now + SOON)),
        today=Count("pk"),
        arrived=Count("pk", filter=Q(state__in=Appointment.PRESENT_STATES)),
        waiting=Count("pk", filter=Q(state=State.ARRIVED, acknowledged_at__isnull=True)),
    )
    visits = _filtered(day, when, now)
    if host_id:
        visits = visits.filter(host_id=host_id)
    rows = list(
        visits.select_related("member", "member__tier", "host", "room", "acknowledged_by").order_by(
            "starts_at", "pk"
        )
    )
    decorate(rows, user, now, csrf_token=get_token(request))
    base = reverse("concierge:board")
    query = f"?when={when}" + (f"&host={host_id}" if host_id else "")
    return {
        "active_nav": "reception",
        "when": when,
        "host_id": host_id,
        "filters": [(key, label, counts[key]) for key, label in FILTERS.items()],
        "counts": counts,
        "rows": rows,
        "hosts": list(
            hosts_of(user.store_id).only("pk", "display_name", "username", "first_name", "last_name")
        ),
        "board_url": base + query,
        "now": now,
        "can_walk_in": user.has_perm("concierge.add_appointment"),
        "labels": row_labels(),
    }


def decorate(rows, user, now, *, csrf_token):
    """What each row shows: preparation done / total, the host's answer, whether this user may
    check the member in, and the row's cells as HTML. One query for all rows' checklists."""
    prep = {
        row["appointment_id"]: row
        for row in PreparationItem.objects.filter(appointment_id__in=[visit.pk for visit in rows])
        .values("appointment_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    }
    can_check_in = user.has_perm("concierge.change_appointment")
    # Rendered once per row, hundreds of rows: the text is made here, where it is cheap, and the
    # template only places it (the board's p95 target is 50 ms with 500 visits).
    late, upcoming = _("Late"), Appointment.UPCOMING_STATES
    purposes, states = dict(Appointment.Purpose.choices), dict(Appointment.State.choices)
    tz = timezone.get_current_timezone()
    labels = row_labels()
    arrival_url = reverse("concierge:visit_arrival", args=[987654321]).replace("987654321", "{}")
    check_in_url = reverse("concierge:visit_check_in", args=[987654321]).replace("987654321", "{}")
    for visit in rows:
        items = prep.get(visit.pk)
        total, done = (items["total"], items["done"]) if items else (0, 0)
        visit.prep_text = f"{done}/{total}" if total else "—"
        visit.prep_class = (
            "" if not total else "prep-done" if done == total else "prep-open" if visit.is_upcoming else ""
        )
        visit.answer = waiting_text(visit, now)
        visit.can_check_in = can_check_in and visit.state in upcoming
        visit.is_late = visit.state in upcoming and visit.starts_at < now
        visit.time_text = visit.starts_at.astimezone(tz).strftime("%H:%M")
        visit.end_text = visit.ends_at.astimezone(tz).strftime("%H:%M")
        visit.state_text = late if visit.is_late else states[visit.state]
        details = [str(purposes[visit.purpose])]
        if visit.party_size > 1:
            details.append(
                ngettext("%(count)s person", "%(count)s people", visit.party_size)
                % {"count": visit.party_size}
            )
        visit.details_text = " · ".join(details)
        visit.arrival_url = arrival_url.format(visit.pk)
        visit.check_in_url = check_in_url.format(visit.pk)
        visit.row_class = _row_class(visit)
        visit.cells = _cells(visit, labels, csrf_token)


def _row_class(visit):
    classes = ["board-row", f"state-{visit.state}"]
    if visit.is_late:
        classes.append("is-late")
    if visit.answer:
        classes.append(f"answer-{visit.answer[0]}")
    return " ".join(classes)


# The row's cells, written here rather than in the template: a full day is 500 rows, and the
# template engine's cost per row kept the board over its 50 ms. format_html escapes every value.
CELLS = (
    '<div class="board-time"><strong>{time}</strong><small>{end}</small></div>'
    '<div class="board-who"><a class="board-name" href="{arrival_url}"><strong>{address}</strong> '
    '<span class="board-fullname">{name}</span></a><span class="badges">{badges}</span>'
    '<small class="board-details">{details}{plate}</small></div>'
    '<div class="board-host"><span class="board-label">{host_label}</span><strong>{host}</strong>'
    "<small>{room}</small></div>"
    '<div class="board-prep"><span class="board-label">{ready_label}</span>'
    '<strong class="prep-chip {prep_class}">{prep}</strong></div>'
    '<div class="board-state"><span class="state-label visit-state-{state}">{state_text}</span>{answer}</div>'
    '<div class="board-action">{action}</div>'
)
CHECK_IN = (
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#visit-{pk}" hx-swap="outerHTML">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<button type="submit" class="btn btn-gold board-check-in">{label}</button></form>'
)


def _plate(plate):
    return format_html(' · <span class="board-plate">{}</span>', plate) if plate else ""


def _cells(visit, labels, csrf_token):
    member = visit.member
    badges = []
    if member.tier_id:
        badges.append(format_html('<span class="badge badge-tier">{}</span>', member.tier.name))
    if member.value_class:
        badges.append(format_html('<span class="badge badge-{0}">{0}</span>', member.value_class))
    if visit.walk_in:
        badges.append(format_html('<span class="badge badge-walk-in">{}</span>', labels["walk_in"]))
    answer = ""
    if visit.answer:
        answer = format_html(
            '<small class="board-answer board-answer-{}">{}</small>', visit.answer[0], visit.answer[1]
        )
    action = ""
    if visit.can_check_in:
        action = format_html(
            CHECK_IN, url=visit.check_in_url, pk=visit.pk, csrf=csrf_token, label=labels["check_in"]
        )
    return format_html(
        CELLS,
        time=visit.time_text,
        end=visit.end_text,
        arrival_url=visit.arrival_url,
        address=member.address_as,
        name=member.name,
        badges=mark_safe("".join(badges)),  # each piece built by format_html above
        details=visit.details_text,
        plate=format_html(' · <span class="board-plate">{}</span>', visit.car_plate)
        if visit.car_plate
        else "",
        host_label=labels["host"],
        host=str(visit.host),
        room=visit.room.name if visit.room_id else labels["no_room"],
        ready_label=labels["ready"],
        prep_class=visit.prep_class,
        prep=visit.prep_text,
        state=visit.state,
        state_text=visit.state_text,
        answer=answer,
        action=action,
    )


def row_labels():
    return {
        "host": _("Host"),
        "ready": _("Ready"),
        "no_room": _("no room"),
        "walk_in": _("walk-in"),
        "check_in": _("Check in"),
    }


@require_GET
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def board(request):
    query = read_query(BoardQueryForm, request.GET)
    context = board_context(request, when=query["when"] or "today", host_id=query["host"])
    return render_page(request, "concierge/appointments/board.html", context, partial="timeline")


@require_POST
@permission_required("concierge.change_appointment", raise_exception=True)
@store_required
def visit_check_in(request, pk):
    visit = Appointment.objects.get_for(request.user, pk=pk)
    done = refused = None
    try:
        visit = arrivals.check_in_appointment(visit, actor=request.user)
        done = _("%(member)s checked in: %(host)s is told.") % {
            "member": visit.member.address_as,
            "host": visit.host,
        }
    except ActionRefused as exc:
        refused = exc.message

    def render(notice):
        row = Appointment.objects.select_related(
            "member", "member__tier", "host", "room", "acknowledged_by"
        ).get(pk=visit.pk)
        decorate([row], request.user, timezone.now(), csrf_token=get_token(request))
        return render_page(
            request,
            "concierge/appointments/board.html",
            {"visit": row, "notice": notice, "labels": row_labels()},
            partial="row",
        )

    return respond(request, render=render, fallback="concierge:board", done=done, refused=refused)


# ---- the host's arrival page ---------------------------------------------------------------------


def arrival_context(request, visit):
    user = request.user
    member = visit.member
    now = timezone.now()
    last_visit = (
        Appointment.objects.filter(member=member, state__in=[State.COMPLETED, State.FOLLOWED_UP])
        .exclude(pk=visit.pk)
        .select_related("host")
        .order_by("-starts_at")
        .first()
    )
    purchases = list(
        Purchase.objects.filter(member=member)
        .order_by("-purchased_at")
        .only("purchased_at", "amount", "items", "receipt_ref")[:5]
    )
    manager = (
        Assignment.objects.filter(member=member, state__in=Assignment.CURRENT_STATES)
        .select_related("manager")
        .first()
    )
    return {
        "active_nav": "reception" if user.has_role(Role.FRONT_DESK) else "visits",
        "visit": visit,
        "member": member,
        "answer": waiting_text(visit, now),
        "waited_minutes": int((now - visit.arrived_at).total_seconds() // 60) if visit.arrived_at else None,
        "can_answer": visit.state == State.ARRIVED
        and visit.acknowledged_at is None
        and may_serve(visit, user),
        "can_check_in": visit.state in Appointment.UPCOMING_STATES and may_receive(visit, user),
        "last_visit": last_visit,
        "purchases": purchases,
        "member_alerts": extensions.member_alerts(user, member),
        "vip_manager": manager.manager if manager else None,
        "prep_items": list(visit.preparation.select_related("done_by")),
        "tags": list(member.tags.all()),
    }


@require_GET
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def visit_arrival(request, pk):
    visit = Appointment.objects.select_related(
        "member", "member__tier", "host", "backup_host", "room", "acknowledged_by", "checked_in_by"
    ).get_for(request.user, pk=pk)
    return render_page(
        request, "concierge/appointments/arrival.html", arrival_context(request, visit), partial="answer"
    )


@require_POST
@permission_required("concierge.view_appointment", raise_exception=True)
@store_required
def visit_acknowledge(request, pk):
    visit = Appointment.objects.get_for(request.user, pk=pk)
    done = refused = None
    try:
        arrivals.acknowledge_arrival(visit, actor=request.user)
        done = _("The front desk sees that you are on your way.")
    except ActionRefused as exc:
        refused = exc.message

    def render(notice):
        fresh = Appointment.objects.select_related(
            "member", "member__tier", "host", "backup_host", "room", "acknowledged_by", "checked_in_by"
        ).get(pk=visit.pk)
        context = arrival_context(request, fresh)
        context["notice"] = notice
        return render_page(request, "concierge/appointments/arrival.html", context, partial="answer")

    return respond(
        request,
        render=render,
        fallback=reverse("concierge:visit_arrival", args=[visit.pk]),
        done=done,
        refused=refused,
    )


# ---- walk-ins ------------------------------------------------------------------------------------


def find_walk_in(user, query):
    """Members by name, member number, phone's last four digits, or a car plate (theirs, or one
    they came in before)."""
    query = query.strip()
    members = Member.objects.visible_to(user)
    match = Q(name__icontains=query) | Q(member_no__istartswith=query)
    if len(query) == 4 and query.isdigit():
        match |= Q(phone_last4=query)
    if len(query) >= 3:
        plate = query.upper().replace(" ", "")
        match |= Q(car_plate__iexact=plate) | Q(
            pk__in=Appointment.objects.visible_to(user).filter(car_plate__iexact=plate).values("member_id")
        )
    return list(
        members.filter(match).select_related("tier").order_by("-spend_12m", "member_no")[:WALK_IN_RESULTS]
    )


def walk_in_context(request, *, query="", member=None, form=None):
    user = request.user
    context = {
        "active_nav": "reception",
        "query": query,
        "results": find_walk_in(user, query) if query and member is None else [],
        "member": member,
        "form": form,
    }
    if member is not None and form is None:
        manager = (
            Assignment.objects.filter(
                member=member, state__in=Assignment.CURRENT_STATES, manager__is_active=True
            )
            .values_list("manager_id", flat=True)
            .first()
        )
        context["form"] = WalkInForm(
            user=user,
            initial={"member": member.pk, "host": manager, "car_plate": member.car_plate, "party_size": 1},
        )
    if member is not None:
        context["member_alerts"] = extensions.member_alerts(user, member)
    return context


@require_http_methods(["GET", "POST"])
@permission_required("concierge.add_appointment", raise_exception=True)
@store_required
def walk_in(request):
    user = request.user
    if request.method == "GET":
        query = read_query(WalkInSearchForm, request.GET)
        member = Member.objects.get_for(user, pk=query["member"]) if query["member"] else None
        context = walk_in_context(request, query=query["q"] or "", member=member)
        return render_page(request, "concierge/appointments/walk_in.html", context, partial="found")
    form = WalkInForm(request.POST, user=user)
    member = form.cleaned_data.get("member") if form.is_valid() else None
    refused = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = arrivals.walk_in(
                actor=user,
                member=data["member"],
                host=data["host"],
                purpose=data["purpose"],
                minutes=data["minutes"],
                room=data["room"],
                party_size=data["party_size"],
                car_plate=data["car_plate"],
            )
        except ActionRefused as exc:
            refused = exc.message
        else:
            return respond(
                request,
                fallback=reverse("concierge:board") + "?when=now",
                done=_("%(member)s checked in: %(host)s is told.")
                % {"member": visit.member.address_as, "host": visit.host},
            )
    if member is None:
        picked = WalkInSearchForm({"member": request.POST.get("member")})
        if picked.is_valid() and picked.cleaned_data["member"]:
            member = Member.objects.visible_to(user).filter(pk=picked.cleaned_data["member"]).first()

    def render(notice):
        context = walk_in_context(request, member=member, form=form)
        context["notice"] = notice
        return render_page(request, "concierge/appointments/walk_in.html", context, partial="found")

    return respond(request, render=render, refused=refused, form_sent_back=True)


urlpatterns = [
    path("reception/", board, name="board"),
    path("reception/walk-in/", walk_in, name="walk_in"),
    path("visits/<int:pk>/check-in/", visit_check_in, name="visit_check_in"),
    path("visits/<int:pk>/arrived/", visit_arrival, name="visit_arrival"),
    path("visits/<int:pk>/on-my-way/", visit_acknowledge, name="visit_acknowledge"),
]
