"""The arrivals board (the front desk's day), walk-ins, and the host's arrival page.

The board lists today's visits and the next hours by time; one tap checks a member in. Every open
board of the store reloads its timeline when anything on it changes (concierge.appointments.live
pushes a signal over the socket; static/js/reception.js turns it into a fetch): no polling.
"""

import datetime as dt
import html

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
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
from concierge.models import Appointment, Assignment, Member, PreparationItem, Purchase, Room, Staff, Tier
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
        who = getattr(visit, "answerer_name", None) or visit.acknowledged_by or visit.host
        return ("coming", _("%(host)s on the way") % {"host": who})
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
    rows = list(visits.select_related("member").only(*ROW_FIELDS).order_by("starts_at", "pk"))
    decorate(rows, user, now, csrf_token=get_token(request))
    # The list is joined here: the template engine's per-row cost is what a full day cannot afford.
    rows_html = mark_safe(  # each row's values are escaped in _cells
        "".join(f'<li class="{visit.row_class}" id="visit-{visit.pk}">{visit.cells}</li>' for visit in rows)
    )
    base = reverse("concierge:board")
    query = f"?when={when}" + (f"&host={host_id}" if host_id else "")
    return {
        "active_nav": "reception",
        "when": when,
        "host_id": host_id,
        "filters": [(key, label, counts[key]) for key, label in FILTERS.items()],
        "counts": counts,
        "rows": rows,
        "rows_html": rows_html,
        "hosts": list(
            hosts_of(user.store_id).only("pk", "display_name", "username", "first_name", "last_name")
        ),
        "board_url": base + query,
        "now": now,
        "can_walk_in": user.has_perm("concierge.add_appointment"),
        "labels": row_labels(),
    }


# What a row reads: the visit's and the member's fields, no more (a day is hundreds of rows, and
# whole objects cost more to make than the page has time for). Names of hosts, rooms and tiers
# come in one small query each (decorate).
ROW_FIELDS = (
    "store_id",
    "state",
    "walk_in",
    "starts_at",
    "ends_at",
    "purpose",
    "party_size",
    "car_plate",
    "host_id",
    "room_id",
    "arrived_at",
    "ack_due_at",
    "acknowledged_at",
    "acknowledged_by_id",
    "member__name",
    "member__gender",
    "member__form_of_address",
    "member__tier_id",
    "member__value_class",
)


def _names(rows):
    """{staff pk: name}, {room pk: name}, {tier pk: name} for the rows: three small queries."""
    staff_ids = {visit.host_id for visit in rows} | {
        visit.acknowledged_by_id for visit in rows if visit.acknowledged_by_id
    }
    staff = {
        person.pk: str(person)
        for person in Staff.objects.filter(pk__in=staff_ids).only(
            "pk", "display_name", "first_name", "last_name", "username"
        )
    }
    rooms = dict(Room.objects.filter(pk__in={v.room_id for v in rows if v.room_id}).values_list("pk", "name"))
    tier_ids = {visit.member.tier_id for visit in rows if visit.member.tier_id}
    tiers = dict(Tier.objects.filter(pk__in=tier_ids).values_list("pk", "name"))
    return staff, rooms, tiers


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
    purposes = {value: str(label) for value, label in Appointment.Purpose.choices}
    states = {value: str(label) for value, label in Appointment.State.choices}
    tz = timezone.get_current_timezone()
    labels = row_labels()
    arrival_url = reverse("concierge:visit_arrival", args=[987654321]).replace("987654321", "{}")
    check_in_url = reverse("concierge:visit_check_in", args=[987654321]).replace("987654321", "{}")
    staff, rooms, tiers = _names(rows)
    for visit in rows:
        visit.host_name = staff.get(visit.host_id, "")
        visit.room_name = rooms.get(visit.room_id, "")
        visit.tier_name = tiers.get(visit.member.tier_id, "")
        visit.answerer_name = staff.get(visit.acknowledged_by_id) or visit.host_name
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
        details = [purposes[visit.purpose]]
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
# template engine's cost per row kept the board over its 50 ms. Every value goes through escape().
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


def escape(value):
    return html.escape(str(value), quote=True)


def _cells(visit, labels, csrf_token):
    member = visit.member
    badges = ""
    if visit.tier_name:
        badges += f'<span class="badge badge-tier">{escape(visit.tier_name)}</span>'
    if member.value_class:
        badges += (
            f'<span class="badge badge-{escape(member.value_class)}">{escape(member.value_class)}</span>'
        )
    if visit.walk_in:
        badges += f'<span class="badge badge-walk-in">{escape(labels["walk_in"])}</span>'
    answer = ""
    if visit.answer:
        kind, text = visit.answer
        answer = f'<small class="board-answer board-answer-{escape(kind)}">{escape(text)}</small>'
    action = ""
    if visit.can_check_in:
        action = CHECK_IN.format(
            url=escape(visit.check_in_url),
            pk=visit.pk,
            csrf=escape(csrf_token),
            label=escape(labels["check_in"]),
        )
    plate = f' · <span class="board-plate">{escape(visit.car_plate)}</span>' if visit.car_plate else ""
    # Every value above and below is escaped.
    return mark_safe(
        CELLS.format(
            time=escape(visit.time_text),
            end=escape(visit.end_text),
            arrival_url=escape(visit.arrival_url),
            address=escape(member.address_as),
            name=escape(member.name),
            badges=badges,
            details=escape(visit.details_text),
            plate=plate,
            host_label=escape(labels["host"]),
            host=escape(visit.host_name),
            room=escape(visit.room_name or labels["no_room"]),
            ready_label=escape(labels["ready"]),
            prep_class=escape(visit.prep_class),
            prep=escape(visit.prep_text),
            state=escape(visit.state),
            state_text=escape(visit.state_text),
            answer=answer,
            action=action,
        )
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
