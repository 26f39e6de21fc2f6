"""The store's reception set-up, in the store's Settings: rooms and lounges, department contacts,
hosts' working hours and blocked times, and the reception rules. For whoever may set up the
reception (concierge.setup_reception: the store manager, the store's administrator).

Plain forms, as on the other set-up pages: a good post is redirected with a message; a form with
errors, or a refusal from the action, comes back with status 200 and what was typed. Another
store's room, colleague or block is a 404. The actions (concierge.appointments.setup) check it all
again.
"""

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.appointments import setup
from concierge.appointments.setup_forms import (
    DepartmentContactsForm,
    ReceptionRulesForm,
    RoomBookableForm,
    RoomForm,
    RoomMoveForm,
    StaffBlockForm,
    StaffHoursForm,
)
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.models import Department, ReceptionSettings, Room, Staff, StaffBlock, StaffHours, Weekday
from concierge.setup_hours import describe_periods
from concierge.views.responses import respond


def setup_required(view):
    return permission_required(setup.PERMISSION, raise_exception=True)(store_required(view))


def _base(section, **context):
    return {"active_nav": "setup", "setup_nav": "reception", "reception_nav": section, **context}


def _refused(form, refusal):
    form.add_error(None, refusal.message)


def _nothing(request, fallback):
    return respond(request, fallback=fallback, done=_("Nothing was changed."), level="info")


# ---- rooms and lounges ----------------------------------------------------------------------------


def _room_form(user, room=None, data=None):
    prefix = f"room-{room.pk}" if room else "new"
    return RoomForm(data, store=user.store, room=room, prefix=prefix, auto_id=f"id_{prefix}-%s")


def _rooms_context(request, *, add_form=None, failed=None):
    user = request.user
    rooms = list(
        Room.objects.visible_to(user)
        .annotate(
            used=Count("appointments"),
            coming=Count("appointments", filter=_coming()),
        )
        .order_by("position", "name", "pk")
    )
    for index, room in enumerate(rooms):
        is_failed = failed is not None and failed[0] == room.pk
        room.form = failed[1] if is_failed else _room_form(user, room)
        room.form_open = is_failed
        room.first, room.last = index == 0, index == len(rooms) - 1
    return _base("rooms", rooms=rooms, add_form=add_form or _room_form(user), add_open=add_form is not None)


def _coming():
    from django.db.models import Q

    from concierge.models import Appointment

    return Q(
        appointments__starts_at__gte=timezone.now(),
        appointments__state__in=Appointment.UPCOMING_STATES,
    )


def _rooms_page(request, **context):
    return render(request, "concierge/appointments/setup_rooms.html", _rooms_context(request, **context))


@require_http_methods(["GET", "POST"])
@setup_required
def rooms(request):
    """The rooms and lounges as booking offers them (GET); adding one (POST)."""
    user = request.user
    if request.method == "GET":
        return _rooms_page(request)
    form = _room_form(user, data=request.POST)
    if form.is_valid():
        try:
            room = setup.add_room(actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _("%(name)s is added and can be booked.") % {"name": room.name}
            return respond(request, fallback="concierge:setup_rooms", done=done)
    return _rooms_page(request, add_form=form)


@require_POST
@setup_required
def room_change(request, pk):
    user = request.user
    room = Room.objects.get_for(user, pk=pk)
    form = _room_form(user, room, data=request.POST)
    if form.is_valid():
        try:
            changed = setup.change_room(room, actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "concierge:setup_rooms")
            done = _("%(name)s is saved.") % {"name": form.cleaned_data["name"]}
            return respond(request, fallback="concierge:setup_rooms", done=done)
    return _rooms_page(request, failed=(room.pk, form))


@require_POST
@setup_required
def room_bookable(request, pk):
    user = request.user
    room = Room.objects.get_for(user, pk=pk)
    form = RoomBookableForm(request.POST)
    if not form.is_valid():
        return respond(
            request, fallback="concierge:setup_rooms", refused=_("Choose whether it can be booked.")
        )
    bookable = form.cleaned_data["bookable"] == "1"
    try:
        changed = setup.set_room_bookable(room, actor=user, bookable=bookable)
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_rooms", refused=refusal.message)
    if not changed:
        return _nothing(request, "concierge:setup_rooms")
    if bookable:
        done = _("%(name)s can be booked again.") % {"name": room.name}
    else:
        done = _("%(name)s is no longer offered for new visits; the visits booked in it keep it.") % {
            "name": room.name
        }
    return respond(request, fallback="concierge:setup_rooms", done=done)


@require_POST
@setup_required
def room_move(request, pk):
    user = request.user
    room = Room.objects.get_for(user, pk=pk)
    form = RoomMoveForm(request.POST)
    if not form.is_valid():
        return respond(request, fallback="concierge:setup_rooms", refused=_("Choose up or down."))
    try:
        moved = setup.move_room(room, actor=user, direction=form.cleaned_data["direction"])
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_rooms", refused=refusal.message)
    if not moved:
        return _nothing(request, "concierge:setup_rooms")
    done = _("%(name)s is moved.") % {"name": room.name}
    return respond(request, fallback="concierge:setup_rooms", done=done)


@require_POST
@setup_required
def room_delete(request, pk):
    user = request.user
    room = Room.objects.get_for(user, pk=pk)
    try:
        setup.delete_room(room, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_rooms", refused=refusal.message)
    done = _("%(name)s is deleted.") % {"name": room.name}
    return respond(request, fallback="concierge:setup_rooms", done=done)


# ---- department contacts --------------------------------------------------------------------------


def _contacts_form(user, data=None):
    current = setup.current_contacts(user.store_id)
    initial = {department: [person.pk for person in current.get(department, [])] for department in current}
    return DepartmentContactsForm(data, colleagues=setup.colleagues(user.store_id), initial=initial)


@require_http_methods(["GET", "POST"])
@setup_required
def departments(request):
    """Who each department's preparation items alert (GET); saving them all at once (POST)."""
    user = request.user
    if request.method == "POST":
        form = _contacts_form(user, data=request.POST)
        if form.is_valid():
            try:
                changed = setup.save_department_contacts(actor=user, contacts=form.cleaned_data)
            except ActionRefused as refusal:
                _refused(form, refusal)
            else:
                if not changed:
                    return _nothing(request, "concierge:setup_departments")
                done = _("The department contacts are saved.")
                return respond(request, fallback="concierge:setup_departments", done=done)
    else:
        form = _contacts_form(user)
    current = setup.current_contacts(user.store_id)
    labels = dict(Department.choices)
    summary = [
        {"label": labels[department], "people": current.get(department, [])}
        for department in setup.CONTACT_DEPARTMENTS
    ]
    context = _base("departments", form=form, summary=summary)
    return render(request, "concierge/appointments/setup_departments.html", context)


# ---- working hours and blocks ---------------------------------------------------------------------


def _week_rows(week):
    return [
        {"label": Weekday(day).label, "hours": describe_periods(week.get(day, []))} for day in Weekday.values
    ]


@require_GET
@setup_required
def staff_hours(request):
    """Each host's week and their blocked times from now on."""
    user = request.user
    now = timezone.now()
    people = list(
        setup.hosts(user.store_id).prefetch_related(
            Prefetch("hours", queryset=StaffHours.objects.order_by("weekday", "starts")),
            Prefetch(
                "blocks",
                queryset=StaffBlock.objects.filter(ends_at__gt=now).order_by("starts_at"),
                to_attr="coming_blocks",
            ),
        )
    )
    for person in people:
        week = {}
        for shift in person.hours.all():
            week.setdefault(shift.weekday, []).append((shift.starts, shift.ends))
        person.own_hours = bool(week)
        person.week = _week_rows(week)
    context = _base("hours", people=people)
    return render(request, "concierge/appointments/setup_staff_hours.html", context)


def _host_for(user, pk):
    try:
        return Staff.objects.get(pk=pk, store_id=user.store_id)
    except Staff.DoesNotExist as exc:
        raise Http404 from exc


def _staff_context(request, person, *, hours_form=None, block_form=None):
    now = timezone.now()
    week = setup.staff_week(person.pk)
    blocks = list(StaffBlock.objects.filter(staff=person, ends_at__gt=now).order_by("starts_at"))
    return _base(
        "hours",
        person=person,
        hours_form=hours_form or StaffHoursForm(initial=StaffHoursForm.initial_for(week)),
        block_form=block_form or StaffBlockForm(),
        block_open=block_form is not None,
        blocks=blocks,
        week=_week_rows(week),
        own_hours=bool(week),
    )


def _staff_page(request, person, **context):
    return render(
        request, "concierge/appointments/setup_staff_detail.html", _staff_context(request, person, **context)
    )


@require_http_methods(["GET", "POST"])
@setup_required
def staff_hours_detail(request, pk):
    """One person's week and blocked times (GET); saving the week (POST)."""
    user = request.user
    person = _host_for(user, pk)
    if request.method == "GET":
        return _staff_page(request, person)
    form = StaffHoursForm(request.POST)
    if form.is_valid():
        try:
            changed = setup.save_staff_hours(actor=user, staff=person, week=form.cleaned_data["week"])
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            back = reverse("concierge:setup_staff_hours_detail", args=[person.pk])
            if not changed:
                return _nothing(request, back)
            done = _("The working hours of %(name)s are saved.") % {"name": person}
            return respond(request, fallback=back, done=done)
    return _staff_page(request, person, hours_form=form)


@require_POST
@setup_required
def staff_block_add(request, pk):
    user = request.user
    person = _host_for(user, pk)
    form = StaffBlockForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            setup.add_staff_block(
                actor=user,
                staff=person,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            back = reverse("concierge:setup_staff_hours_detail", args=[person.pk])
            done = _("%(name)s takes no visits in that time.") % {"name": person}
            return respond(request, fallback=back, done=done)
    return _staff_page(request, person, block_form=form)


@require_POST
@setup_required
def staff_block_delete(request, pk):
    user = request.user
    block = StaffBlock.objects.select_related("staff").get_for(user, pk=pk)
    back = reverse("concierge:setup_staff_hours_detail", args=[block.staff_id])
    try:
        setup.remove_staff_block(block, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback=back, refused=refusal.message)
    done = _("The blocked time of %(name)s is removed.") % {"name": block.staff}
    return respond(request, fallback=back, done=done)


# ---- the reception rules --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@setup_required
def rules(request):
    """The store's reception rules (GET); saving them (POST)."""
    user = request.user
    current = ReceptionSettings.for_store(user.store_id)
    if request.method == "POST":
        # A copy: the form writes into its instance, the action changes the locked row.
        form = ReceptionRulesForm(request.POST, instance=ReceptionSettings.for_store(user.store_id))
        if form.is_valid():
            try:
                changed = setup.save_reception_settings(actor=user, values=form.cleaned_data)
            except ActionRefused as refusal:
                _refused(form, refusal)
            else:
                if not changed:
                    return _nothing(request, "concierge:setup_reception")
                return respond(
                    request, fallback="concierge:setup_reception", done=_("The reception rules are saved.")
                )
    else:
        form = ReceptionRulesForm(instance=current)
    context = _base("rules", form=form, is_default=current.pk is None)
    return render(request, "concierge/appointments/setup_rules.html", context)


urlpatterns = [
    path("setup/rooms/", rooms, name="setup_rooms"),
    path("setup/rooms/<int:pk>/", room_change, name="setup_room"),
    path("setup/rooms/<int:pk>/bookable/", room_bookable, name="setup_room_bookable"),
    path("setup/rooms/<int:pk>/move/", room_move, name="setup_room_move"),
    path("setup/rooms/<int:pk>/delete/", room_delete, name="setup_room_delete"),
    path("setup/departments/", departments, name="setup_departments"),
    path("setup/working-hours/", staff_hours, name="setup_staff_hours"),
    path("setup/working-hours/staff/<int:pk>/", staff_hours_detail, name="setup_staff_hours_detail"),
    path("setup/working-hours/staff/<int:pk>/block/", staff_block_add, name="setup_staff_block_add"),
    path("setup/working-hours/blocks/<int:pk>/delete/", staff_block_delete, name="setup_staff_block_delete"),
    path("setup/reception/", rules, name="setup_reception"),
]
