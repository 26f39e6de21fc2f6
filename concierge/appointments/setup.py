"""The store's reception set-up, one function per intention: rooms and lounges, who each department's
preparation items alert, each host's working hours and blocked times, and the reception rules.

Like the core's set-up (concierge.setup_hours): each runs in one transaction, locks the store's row
first (every set-up change of a store goes through it, so two managers' saves run one after the
other), reads the actor again under that lock (a permission taken away a moment ago counts), checks
that every row it touches is the actor's store's, writes one AuditEntry "reception_setup.*" per
change (listed on the Settings' "Recent changes" page) and raises ActionRefused, with nothing
written, when the change may not be made. The forms check the same rules first so that people see
them on the fields; these checks are the guard for any other caller.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concierge.errors import ActionRefused
from concierge.i18n import list_separator
from concierge.models import (
    Department,
    DepartmentContact,
    ReceptionSettings,
    Room,
    Staff,
    StaffBlock,
    StaffHours,
    Weekday,
)
from concierge.roles import Role
from concierge.setup_hours import describe_periods
from concierge.workflow import action, audit, lock, lock_staff, lock_stores

PERMISSION = "concierge.setup_reception"
ROOM_FIELDS = ["name", "kind", "capacity"]
RULE_FIELDS = list(ReceptionSettings.DEFAULTS)
# The departments whose items go to named people; the host's items always go to the visit's host.
CONTACT_DEPARTMENTS = [Department.FRONT_DESK, Department.CATERING, Department.CONCIERGE, Department.BRAND]
# Who can host a visit, and so has working hours and blocks worth setting.
HOST_ROLES = (Role.VIP_MANAGER, Role.STORE_MANAGER)

CHANGE_LABELS = {
    "reception_setup.room_added": gettext_lazy("Room or lounge added"),
    "reception_setup.room_changed": gettext_lazy("Room or lounge changed"),
    "reception_setup.room_bookable": gettext_lazy("Room or lounge bookable again"),
    "reception_setup.room_unbookable": gettext_lazy("Room or lounge no longer bookable"),
    "reception_setup.room_moved": gettext_lazy("Rooms and lounges reordered"),
    "reception_setup.room_deleted": gettext_lazy("Room or lounge deleted"),
    "reception_setup.contacts_changed": gettext_lazy("Department contacts changed"),
    "reception_setup.hours_changed": gettext_lazy("Working hours changed"),
    "reception_setup.block_added": gettext_lazy("Blocked time added"),
    "reception_setup.block_removed": gettext_lazy("Blocked time removed"),
    "reception_setup.rules_changed": gettext_lazy("Reception rules changed"),
}


def may_set_up(user):
    return bool(user.is_authenticated and user.is_active and user.store_id and user.has_perm(PERMISSION))


def _begin(actor):
    if not may_set_up(actor):
        raise ActionRefused(_("You may not change this store's reception set-up."))
    store = lock_stores([actor.store_id])[actor.store_id]
    actor = Staff.objects.get(pk=actor.pk)
    if not may_set_up(actor) or actor.store_id != store.pk:
        raise ActionRefused(_("You may not change this store's reception set-up."))
    return store, actor


def _own(obj, store):
    """A fresh, locked copy of one of the store's set-up rows."""
    if obj.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    return lock(obj)


def _colleague(staff, store):
    """The colleague locked (level 3, after the store): of this store and active."""
    locked = lock_staff([staff.pk]).get(staff.pk)
    if locked is None or locked.store_id != store.pk:
        raise ActionRefused(_("Choose a colleague of this store."))
    if not locked.is_active:
        raise ActionRefused(_("%(name)s is deactivated.") % {"name": locked})
    return locked


def hosts(store_id):
    """The store's active staff who can host visits, by name."""
    return (
        Staff.objects.filter(
            store_id=store_id, is_active=True, groups__name__in=[role.value for role in HOST_ROLES]
        )
        .distinct()
        .order_by("display_name", "username")
    )


def colleagues(store_id):
    """The store's active staff, for the department contacts."""
    return Staff.objects.filter(store_id=store_id, is_active=True).order_by("display_name", "username")


# ---- rooms and lounges ----------------------------------------------------------------------------


def _room_values(values):
    return {
        "name": (values.get("name") or "").strip(),
        "kind": values.get("kind") or Room.Kind.LOUNGE,
        "capacity": values.get("capacity"),
    }


def _check_room(store, values, room=None):
    if not values["name"]:
        raise ActionRefused(_("Give the room a name."))
    if values["kind"] not in Room.Kind.values:
        raise ActionRefused(_("Choose what kind of room it is."))
    capacity = values["capacity"]
    if not isinstance(capacity, int) or not 1 <= capacity <= 200:
        raise ActionRefused(_("Give the seats as a number from 1 to 200."))
    clash = Room.objects.filter(store=store, name__iexact=values["name"])
    if room is not None:
        clash = clash.exclude(pk=room.pk)
    if clash.exists():
        raise ActionRefused(_("The store already has a room called %(name)s.") % {"name": values["name"]})


@action
def add_room(*, actor, values):
    """A new room or lounge, bookable, at the end of the list. AuditEntry "reception_setup.room_added"."""
    store, actor = _begin(actor)
    values = _room_values(values)
    _check_room(store, values)
    last = Room.objects.filter(store=store).order_by("-position").values_list("position", flat=True).first()
    room = Room.objects.create(store=store, position=(last or 0) + 10, **values)
    audit(
        "reception_setup.room_added",
        room,
        actor,
        store=store,
        name=room.name,
        kind=room.kind,
        capacity=room.capacity,
    )
    return room


@action
def change_room(room, *, actor, values):
    """Rename a room, or change its kind or seats. Returns {field: [before, after]} of what changed
    (nothing written when nothing did). AuditEntry "reception_setup.room_changed"."""
    store, actor = _begin(actor)
    room = _own(room, store)
    values = _room_values(values)
    _check_room(store, values, room)
    changed = {
        field: [getattr(room, field), value]
        for field, value in values.items()
        if getattr(room, field) != value
    }
    if not changed:
        return {}
    for field, (_before, after) in changed.items():
        setattr(room, field, after)
    room.save(update_fields=list(changed))
    audit("reception_setup.room_changed", room, actor, store=store, name=room.name, changed=changed)
    return changed


@action
def set_room_bookable(room, *, actor, bookable):
    """Offer a room for new visits, or stop offering it (the visits already booked in it keep it).
    Returns whether it changed. AuditEntry "reception_setup.room_bookable" or "..._unbookable"."""
    store, actor = _begin(actor)
    room = _own(room, store)
    if room.active == bookable:
        return False
    room.active = bookable
    room.save(update_fields=["active"])
    code = "reception_setup.room_bookable" if bookable else "reception_setup.room_unbookable"
    audit(code, room, actor, store=store, name=room.name)
    return True


@action
def move_room(room, *, actor, direction):
    """One place up or down in the list booking offers. Every room is numbered again 10, 20, 30...
    so equal positions never leave the order to chance. AuditEntry "reception_setup.room_moved"."""
    store, actor = _begin(actor)
    if room.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    ordered = lock(Room.objects.filter(store=store))
    if not any(row.pk == room.pk for row in ordered):
        raise ActionRefused(_("This was removed meanwhile."))
    ordered.sort(key=lambda row: (row.position, row.name, row.pk))
    index = next(i for i, row in enumerate(ordered) if row.pk == room.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for place, row in enumerate(ordered, start=1):
        row.position = place * 10
    Room.objects.bulk_update(ordered, ["position"])
    audit(
        "reception_setup.room_moved",
        ordered[target],
        actor,
        store=store,
        name=ordered[target].name,
        direction=direction,
        place=target + 1,
    )
    return True


def in_use_refusal(room):
    return _(
        "Visits were booked in %(name)s, and they keep it: it cannot be deleted. "
        "Make it not bookable instead, so that no new visit is booked in it."
    ) % {"name": room.name}


@action
def delete_room(room, *, actor):
    """Delete a room no visit ever used; a room with visits can only be made not bookable.
    AuditEntry "reception_setup.room_deleted"."""
    store, actor = _begin(actor)
    # Locked FOR UPDATE: a visit being booked in it waits, and is counted below.
    room = _own(room, store)
    if room.appointments.exists():
        raise ActionRefused(in_use_refusal(room))
    audit(
        "reception_setup.room_deleted",
        room,
        actor,
        store=store,
        name=room.name,
        kind=room.kind,
        capacity=room.capacity,
    )
    try:
        room.delete()
    except ProtectedError as exc:
        raise ActionRefused(in_use_refusal(room)) from exc
    return room


# ---- department contacts --------------------------------------------------------------------------


def current_contacts(store_id):
    """{department: [Staff, ...]} of the named contacts, by name; departments nobody is named for
    are absent."""
    contacts = {}
    rows = (
        DepartmentContact.objects.filter(store_id=store_id)
        .select_related("staff")
        .order_by("department", "staff__display_name", "staff__username")
    )
    for contact in rows:
        contacts.setdefault(contact.department, []).append(contact.staff)
    return contacts


def _names(people):
    return sorted(str(person) for person in people)


@action
def save_department_contacts(*, actor, contacts):
    """Who each department's preparation items alert: `contacts` maps each of CONTACT_DEPARTMENTS
    to the colleagues named (an empty list: the front desk). Returns {department: [names before,
    names after]} of what changed. AuditEntry "reception_setup.contacts_changed"."""
    store, actor = _begin(actor)
    wanted = {department: list(contacts.get(department) or []) for department in CONTACT_DEPARTMENTS}
    people = lock_staff({person.pk for named in wanted.values() for person in named})
    for named in wanted.values():
        for person in named:
            locked = people.get(person.pk)
            if locked is None or locked.store_id != store.pk:
                raise ActionRefused(_("Choose colleagues of this store."))
            if not locked.is_active:
                raise ActionRefused(_("%(name)s is deactivated.") % {"name": locked})
    before = current_contacts(store.pk)
    changed = {}
    for department, named in wanted.items():
        had = {person.pk for person in before.get(department, [])}
        now = {person.pk for person in named}
        if had == now:
            continue
        DepartmentContact.objects.filter(store=store, department=department).exclude(
            staff_id__in=now
        ).delete()
        DepartmentContact.objects.bulk_create(
            DepartmentContact(store=store, department=department, staff_id=pk) for pk in sorted(now - had)
        )
        changed[department] = [
            _names(before.get(department, [])),
            _names(people[pk] for pk in now),
        ]
    if changed:
        audit("reception_setup.contacts_changed", store, actor, store=store, departments=changed)
    return changed


# ---- working hours and blocks ---------------------------------------------------------------------


def staff_week(staff_id):
    """{weekday: [(starts, ends), ...]} as set up for one person; {} when they work the store's hours."""
    week = {}
    for weekday, starts, ends in StaffHours.objects.filter(staff_id=staff_id).values_list(
        "weekday", "starts", "ends"
    ):
        week.setdefault(weekday, []).append((starts, ends))
    return {day: sorted(periods) for day, periods in week.items()}


def describe_week(week):
    """{weekday (as text): "10:00-18:00" or ""} for the audit entry; {} stands for the store's hours."""
    return {str(day): describe_periods(week.get(day, [])) for day in Weekday.values} if week else {}


@action
def save_staff_hours(*, actor, staff, week):
    """One person's working week: `week` maps weekdays to their shifts [(starts, ends)], a weekday
    left out or empty being a day off; None (or a week with no shift at all) means they work
    whenever the store is open. Returns whether anything changed.
    AuditEntry "reception_setup.hours_changed" with the week before and after."""
    from concierge.setup_hours import period_problem

    store, actor = _begin(actor)
    staff = _colleague(staff, store)
    week = {day: sorted(periods) for day, periods in (week or {}).items() if periods}
    for day, periods in week.items():
        if day not in Weekday.values:
            raise ActionRefused(_("Give the hours of a day of the week."))
        problem = period_problem(periods)
        if problem:
            raise ActionRefused(f"{Weekday(day).label}: {problem}")
    # The person's rows, locked after the person: two saves of the same week run one after the other.
    lock(StaffHours.objects.filter(staff=staff))
    before = staff_week(staff.pk)
    if before == week:
        return False
    StaffHours.objects.filter(staff=staff).delete()
    StaffHours.objects.bulk_create(
        StaffHours(store=store, staff=staff, weekday=day, starts=starts, ends=ends)
        for day, periods in sorted(week.items())
        for starts, ends in periods
    )
    audit(
        "reception_setup.hours_changed",
        staff,
        actor,
        store=store,
        staff=str(staff),
        week_before=describe_week(before),
        week_after=describe_week(week),
    )
    return True


def _moment(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@action
def add_staff_block(*, actor, staff, starts_at, ends_at, reason=""):
    """Time a host cannot take visits (a meeting, training, a brand visit). Refused when it ends
    before it starts or has already ended. AuditEntry "reception_setup.block_added"."""
    store, actor = _begin(actor)
    staff = _colleague(staff, store)
    if ends_at <= starts_at:
        raise ActionRefused(_("The blocked time must end after it starts."))
    if ends_at <= timezone.now():
        raise ActionRefused(_("This time has passed: block time from now on."))
    block = StaffBlock.objects.create(
        store=store, staff=staff, starts_at=starts_at, ends_at=ends_at, reason=(reason or "").strip()
    )
    audit(
        "reception_setup.block_added",
        block,
        actor,
        store=store,
        staff=str(staff),
        starts=_moment(starts_at),
        ends=_moment(ends_at),
        reason=block.reason,
    )
    return block


@action
def remove_staff_block(block, *, actor):
    """The host is free again in that time. AuditEntry "reception_setup.block_removed"."""
    store, actor = _begin(actor)
    if block.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    staff = lock_staff([block.staff_id]).get(block.staff_id)
    block = lock(block)
    audit(
        "reception_setup.block_removed",
        block,
        actor,
        store=store,
        staff=str(staff or block.staff),
        starts=_moment(block.starts_at),
        ends=_moment(block.ends_at),
        reason=block.reason,
    )
    block.delete()
    return block


# ---- the reception rules --------------------------------------------------------------------------


@action
def save_reception_settings(*, actor, values):
    """The store's reception rules (visit length, the host's answer time, no-show and warning
    minutes, the purchase grace, the no-show flag). Returns {field: [before, after]} of what changed.
    AuditEntry "reception_setup.rules_changed"."""
    store, actor = _begin(actor)
    settings_row = ReceptionSettings.objects.select_for_update().filter(store=store).first()
    if settings_row is None:
        settings_row = ReceptionSettings(store=store)
    changed = {}
    for field in RULE_FIELDS:
        value = values.get(field)
        model_field = ReceptionSettings._meta.get_field(field)
        try:
            model_field.run_validators(value)
            if not isinstance(value, int):
                raise TypeError
        except (ValidationError, TypeError) as exc:
            raise ActionRefused(
                _("%(field)s: give a number in the allowed range.") % {"field": model_field.verbose_name}
            ) from exc
        if getattr(settings_row, field) != value:
            changed[field] = [getattr(settings_row, field), value]
            setattr(settings_row, field, value)
    if not changed:
        return {}
    settings_row.save()
    audit("reception_setup.rules_changed", settings_row, actor, store=store, changed=changed)
    return changed


# ---- the Settings' change log ---------------------------------------------------------------------


def change_subject(entry):
    """What a reception set-up entry changed, for the log's third column."""
    data = entry.data or {}
    if entry.action == "reception_setup.contacts_changed":
        return _("Department contacts")
    if entry.action == "reception_setup.rules_changed":
        return _("Reception rules")
    return data.get("staff") or data.get("name") or entry.object_repr


def _shown(value):
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return list_separator().join(map(str, value))
    return str(value)


def _week_text(week):
    if not week:
        return _("the store's opening hours")
    return list_separator().join(
        f"{Weekday(int(day)).label} {hours or _('off')}"
        for day, hours in sorted(week.items())
        if str(day).isdigit() and int(day) in Weekday.values
    )


def change_details(entry):
    """What one reception set-up entry changed, in the reader's language."""
    data = entry.data or {}
    code = entry.action
    if code == "reception_setup.room_changed":
        kinds = dict(Room.Kind.choices)
        parts = []
        for field, (before, after) in (data.get("changed") or {}).items():
            if field == "kind":
                before, after = kinds.get(before, before), kinds.get(after, after)
            label = Room._meta.get_field(field).verbose_name if field in ROOM_FIELDS else field
            parts.append(f"{label}: {_shown(before)} → {_shown(after)}")
        return list_separator().join(parts)
    if code in ("reception_setup.room_added", "reception_setup.room_deleted"):
        kind = dict(Room.Kind.choices).get(data.get("kind"), data.get("kind", ""))
        return _("%(kind)s, %(seats)s seats") % {"kind": kind, "seats": data.get("capacity", "")}
    if code == "reception_setup.room_moved":
        return _("now number %(place)s") % {"place": data.get("place", "")}
    if code == "reception_setup.contacts_changed":
        departments = dict(Department.choices)
        nobody = _("the front desk")
        return list_separator().join(
            f"{departments.get(dept, dept)}: {_shown(before) if before else nobody} → "
            f"{_shown(after) if after else nobody}"
            for dept, (before, after) in (data.get("departments") or {}).items()
        )
    if code == "reception_setup.hours_changed":
        return _("%(before)s → %(after)s") % {
            "before": _week_text(data.get("week_before")),
            "after": _week_text(data.get("week_after")),
        }
    if code in ("reception_setup.block_added", "reception_setup.block_removed"):
        text = f"{data.get('starts', '')} \u2013 {data.get('ends', '')}"
        return f"{text} · {data['reason']}" if data.get("reason") else text
    if code == "reception_setup.rules_changed":
        return list_separator().join(
            f"{_rule_label(field)}: {_shown(before)} → {_shown(after)}"
            for field, (before, after) in (data.get("changed") or {}).items()
        )
    return ""


def _rule_label(field):
    try:
        return ReceptionSettings._meta.get_field(field).verbose_name
    except FieldDoesNotExist:  # a field renamed since the entry was written
        return field
