"""The store's set-up, in the app: staff accounts (with the unlock after failed logins), the tier
program, and the log of set-up changes. For the store manager and the store's administrator.

Plain forms: a good post is redirected with a message; a form with errors, or a refusal from the
action, comes back with status 200 and the input kept. Every row is the user's store's: another
store's staff account or tier is a 404. The actions (concierge.setup_actions) check it all again.
"""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge import extensions, lockouts, setup_actions
from concierge.actions import OPEN_STATES
from concierge.appointments import setup as reception_setup
from concierge.errors import ActionRefused
from concierge.extensions import NavItem
from concierge.forms_setup import (
    PasswordResetForm,
    RemoveTierForm,
    StaffActiveForm,
    StaffCreateForm,
    StaffEditForm,
    TierForm,
    TierProgramForm,
    UnlockForm,
)
from concierge.i18n import list_separator
from concierge.models import AuditEntry, Member, Staff, Tier, TierProgram
from concierge.roles import Role
from concierge.views.responses import respond

PERMISSION = setup_actions.PERMISSION
RECENT_CHANGES = 50

CHANGE_LABELS = {
    "staff.created": gettext_lazy("Account created"),
    "staff.updated": gettext_lazy("Name or caseload limit changed"),
    "staff.roles_changed": gettext_lazy("Roles changed"),
    "staff.deactivated": gettext_lazy("Account deactivated"),
    "staff.reactivated": gettext_lazy("Account reactivated"),
    "staff.password_reset": gettext_lazy("Password reset"),
    "staff.unlocked": gettext_lazy("Unlocked after failed logins"),
    "staff.language_changed": gettext_lazy("Page language changed"),
    "tiers.program_created": gettext_lazy("Tier program set up"),
    "tiers.program_changed": gettext_lazy("Tier program changed"),
    "tiers.tier_added": gettext_lazy("Tier added"),
    "tiers.tier_changed": gettext_lazy("Tier changed"),
    "tiers.tier_removed": gettext_lazy("Tier removed"),
    "hours.week_changed": gettext_lazy("Opening hours changed"),
    "hours.date_added": gettext_lazy("Closed date or special hours added"),
    "hours.date_changed": gettext_lazy("Closed date or special hours changed"),
    "hours.date_removed": gettext_lazy("Closed date or special hours removed"),
    "absences.added": gettext_lazy("Days off recorded"),
    "absences.removed": gettext_lazy("Days off removed"),
    "store_setup.api_token_created": gettext_lazy("Till token created"),
    "store_setup.api_token_revoked": gettext_lazy("Till token revoked"),
}


def setup_nav_items(user):
    """The Settings bar: the core's pages for whoever may set up the store, each app's own pages
    (concierge.extensions.setup_pages), and the log of changes last."""
    core = setup_actions.may_set_up(user)
    items = []
    if core:
        items += [
            NavItem("staff", _("Staff accounts"), reverse("concierge:setup_staff")),
            NavItem("tiers", _("Tier program"), reverse("concierge:setup_tiers")),
            NavItem("hours", _("Opening hours"), reverse("concierge:setup_hours")),
            NavItem("days_off", _("Days off"), reverse("concierge:setup_days_off")),
            NavItem("api", _("Till connection"), reverse("concierge:setup_api_tokens")),
        ]
    if reception_setup.may_set_up(user):
        items.append(NavItem("reception", _("Reception"), reverse("concierge:setup_rooms")))
    items += extensions.setup_pages(user)
    if core:
        items.append(NavItem("changes", _("Recent changes"), reverse("concierge:setup_changes")))
    return items


def setup_required(view):
    """The set-up permission, and a store: an installation superuser without one uses the admin."""

    @permission_required(PERMISSION, raise_exception=True)
    def wrapped(request, *args, **kwargs):
        if not request.user.store_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _with_roles(staff_list):
    """Roles from the prefetched groups, so a list costs no query per row."""
    for staff in staff_list:
        staff.__dict__["role_codes"] = frozenset(group.name for group in staff.groups.all())
    return staff_list


def _store_staff(user):
    from django.contrib.auth.models import Group

    return (
        Staff.objects.filter(store_id=user.store_id)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")), "user_permissions")
        .annotate(open_book=Count("assignments", filter=Q(assignments__state__in=OPEN_STATES)))
    )


def _staff_for(user, pk):
    try:
        return _with_roles([_store_staff(user).get(pk=pk)])[0]
    except Staff.DoesNotExist as exc:
        raise Http404 from exc


def _base(user, setup_nav, **context):
    return {"active_nav": "setup", "setup_nav": setup_nav, **context}


def _refused(form, refusal):
    form.add_error(None, refusal.message)


# ---- staff accounts -------------------------------------------------------------------------------


@require_GET
@setup_required
def staff_list(request):
    user = request.user
    staff = _with_roles(list(_store_staff(user).order_by("-is_active", "display_name", "username")))
    locked = lockouts.locked_usernames(member.username for member in staff)
    for member in staff:
        member.locked = member.username in locked
        member.manageable = setup_actions.may_manage(user, member)
        member.is_self = member.pk == user.pk
    context = _base(user, "staff", staff=staff, locked_count=len(locked))
    return render(request, "concierge/setup/staff.html", context)


@require_http_methods(["GET", "POST"])
@setup_required
def staff_create(request):
    user = request.user
    form = StaffCreateForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = setup_actions.create_staff(
                actor=user,
                username=data["username"],
                display_name=data["display_name"],
                roles=data["roles"],
                caseload_limit=data["caseload_limit"],
                password=data["password1"],
            )
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _(
                "The account of %(name)s is ready: give them the user name %(username)s and the password."
            ) % {"name": staff, "username": staff.username}
            return respond(request, fallback="concierge:setup_staff", done=done)
    return render(request, "concierge/setup/staff_new.html", _base(user, "staff", form=form))


def _detail_context(request, staff, *, edit_form=None, password_form=None):
    user = request.user
    manageable = setup_actions.may_manage(user, staff)
    is_self = staff.pk == user.pk
    return _base(
        user,
        "staff",
        staff=staff,
        manageable=manageable,
        is_self=is_self,
        locked=lockouts.is_locked(staff.username),
        edit_form=edit_form or StaffEditForm(actor=user, staff=staff),
        password_form=password_form or PasswordResetForm(staff),
        # A VIP manager who leaves with VIPs in their book leaves those VIPs without a manager.
        book_warning=staff.is_active and staff.open_book > 0,
        may_move_book=user.has_perm("concierge.add_assignment"),
        changes=_changes(user, staff=staff)[:10],
    )


@require_http_methods(["GET", "POST"])
@setup_required
def staff_detail(request, pk):
    """The account's page: name, roles and caseload limit (POST saves them), and the other actions."""
    user = request.user
    staff = _staff_for(user, pk)
    if request.method == "GET":
        return render(request, "concierge/setup/staff_detail.html", _detail_context(request, staff))
    if not setup_actions.may_manage(user, staff):
        raise PermissionDenied
    form = StaffEditForm(request.POST, actor=user, staff=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            written = setup_actions.update_staff(
                staff,
                actor=user,
                display_name=data["display_name"],
                roles=data["roles"],
                caseload_limit=data["caseload_limit"],
            )
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            back = reverse("concierge:setup_staff_detail", args=[staff.pk])
            if not written:
                return respond(request, fallback=back, done=_("Nothing was changed."), level="info")
            done = _("The account of %(name)s is saved.") % {"name": data["display_name"]}
            return respond(request, fallback=back, done=done)
    return render(
        request, "concierge/setup/staff_detail.html", _detail_context(request, staff, edit_form=form)
    )


@require_POST
@setup_required
def staff_password(request, pk):
    user = request.user
    staff = _staff_for(user, pk)
    if not setup_actions.may_manage(user, staff):
        raise PermissionDenied
    form = PasswordResetForm(staff, request.POST)
    if form.is_valid():
        try:
            setup_actions.reset_staff_password(staff, actor=user, password=form.cleaned_data["new_password1"])
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _(
                "The password of %(name)s is changed: give them the new one. Their open sessions have ended."
            ) % {"name": staff}
            return respond(
                request, fallback=reverse("concierge:setup_staff_detail", args=[staff.pk]), done=done
            )
    context = _detail_context(request, staff, password_form=form)
    return render(request, "concierge/setup/staff_detail.html", context)


@require_POST
@setup_required
def staff_active(request, pk):
    """Deactivate or reactivate: `active` is "0" or "1"."""
    user = request.user
    staff = _staff_for(user, pk)
    back = reverse("concierge:setup_staff_detail", args=[staff.pk])
    form = StaffActiveForm(request.POST)
    if not form.is_valid():
        return respond(request, fallback=back, refused=_("Choose to deactivate or to reactivate."))
    active = form.cleaned_data["active"] == "1"
    try:
        setup_actions.set_staff_active(staff, actor=user, active=active)
    except ActionRefused as refusal:
        return respond(request, fallback=back, refused=refusal.message)
    if active:
        return respond(request, fallback=back, done=_("%(name)s can log in again.") % {"name": staff})
    if staff.open_book:
        done = ngettext(
            "%(name)s is deactivated and still has %(count)s VIP in their book: move the book to colleagues.",
            "%(name)s is deactivated and still has %(count)s VIPs in their book: "
            "move the book to colleagues.",
            staff.open_book,
        ) % {"name": staff, "count": staff.open_book}
        return respond(request, fallback=back, done=done, level="warning")
    done = _("%(name)s is deactivated and can no longer log in.") % {"name": staff}
    return respond(request, fallback=back, done=done)


@require_POST
@setup_required
def staff_unlock(request, pk):
    user = request.user
    staff = _staff_for(user, pk)
    # The list's unlock button comes back to the list; the account page's to the account.
    place = UnlockForm(request.POST)
    if place.is_valid() and place.cleaned_data["back"] == "list":
        back = reverse("concierge:setup_staff")
    else:
        back = reverse("concierge:setup_staff_detail", args=[staff.pk])
    try:
        setup_actions.unlock_staff(staff, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback=back, refused=refusal.message)
    done = _("%(name)s is unlocked and can log in again.") % {"name": staff}
    return respond(request, fallback=back, done=done)


# ---- the tier program -----------------------------------------------------------------------------


def _tiers_context(request, *, program_form=None, add_form=None, failed=None):
    """`failed` is (tier pk, form) of a tier whose change came back with errors."""
    user = request.user
    program = user.store.tier_program
    shared = program is not None and setup_actions.program_shared_with_others(program, user.store_id)
    tiers = []
    if program is not None:
        held = dict(
            Member.objects.filter(store_id=user.store_id, tier__program=program)
            .values_list("tier")
            .annotate(n=Count("pk"))
        )
        tiers = list(Tier.objects.filter(program=program).order_by("-rank"))
        for tier in tiers:
            tier.holders = held.get(tier.pk, 0)
            is_failed = failed is not None and failed[0] == tier.pk
            tier.form = (
                failed[1] if is_failed else TierForm(instance=tier, program=program, prefix=f"tier-{tier.pk}")
            )
            tier.form_open = is_failed
            tier.remove_form = RemoveTierForm(tier=tier, prefix=f"remove-{tier.pk}")
    next_rank = max((tier.rank for tier in tiers), default=0) + 1
    return _base(
        user,
        "tiers",
        program=program,
        shared=shared,
        tiers=tiers,
        program_form=program_form or TierProgramForm(instance=program, prefix="program"),
        add_form=add_form
        or (TierForm(program=program, prefix="new", initial={"rank": next_rank}) if program else None),
        add_open=add_form is not None,
    )


def _tiers_page(request, status=200, **context):
    return render(request, "concierge/setup/tiers.html", _tiers_context(request, **context), status=status)


@require_http_methods(["GET", "POST"])
@setup_required
def tiers(request):
    """The program and its tiers (GET); the program's own settings (POST)."""
    user = request.user
    if request.method == "GET":
        return _tiers_page(request)
    program = user.store.tier_program
    form = TierProgramForm(request.POST, instance=program, prefix="program")
    if form.is_valid():
        try:
            setup_actions.save_tier_program(actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _("The tier program is saved. Members follow at the next refresh.")
            return respond(request, fallback="concierge:setup_tiers", done=done)
    user.store.refresh_from_db()
    return _tiers_page(request, program_form=form)


def _program_of(user):
    program = user.store.tier_program
    if program is None:
        raise Http404
    return program


def _tier_for(user, pk):
    try:
        return Tier.objects.get(pk=pk, program=_program_of(user))
    except Tier.DoesNotExist as exc:
        raise Http404 from exc


@require_POST
@setup_required
def tier_add(request):
    user = request.user
    program = _program_of(user)
    form = TierForm(request.POST, program=program, prefix="new")
    if form.is_valid():
        try:
            tier = setup_actions.add_tier(actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _("%(tier)s is added. Members follow at the next refresh.") % {"tier": tier}
            return respond(request, fallback="concierge:setup_tiers", done=done)
    return _tiers_page(request, add_form=form)


@require_POST
@setup_required
def tier_change(request, pk):
    user = request.user
    tier = _tier_for(user, pk)
    form = TierForm(request.POST, instance=tier, program=tier.program, prefix=f"tier-{tier.pk}")
    if form.is_valid():
        try:
            # The form wrote into its instance; the action changes a fresh, locked copy.
            # A copy by id, not a read: a tier removed a moment ago is refused by the action.
            saved, changed = setup_actions.change_tier(
                Tier(pk=tier.pk, program_id=tier.program_id), actor=user, values=form.cleaned_data
            )
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return respond(
                    request, fallback="concierge:setup_tiers", done=_("Nothing was changed."), level="info"
                )
            done = _("%(tier)s is saved. Members follow at the next refresh.") % {"tier": saved}
            return respond(request, fallback="concierge:setup_tiers", done=done)
    return _tiers_page(request, failed=(tier.pk, form))


@require_POST
@setup_required
def tier_remove(request, pk):
    user = request.user
    tier = _tier_for(user, pk)
    form = RemoveTierForm(request.POST, tier=tier, prefix=f"remove-{tier.pk}")
    if not form.is_valid():
        refused = _("Choose a tier of this program for its members.")
        return respond(request, fallback="concierge:setup_tiers", refused=refused)
    try:
        moved = setup_actions.remove_tier(tier, actor=user, move_to=form.cleaned_data["move_to"])
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_tiers", refused=refusal.message)
    done = ngettext(
        "%(tier)s is removed; %(count)s member held it.",
        "%(tier)s is removed; %(count)s members held it.",
        moved,
    ) % {"tier": tier.name, "count": moved}
    return respond(request, fallback="concierge:setup_tiers", done=done)


# ---- the log of set-up changes ------------------------------------------------------------------


def change_labels():
    """{audit code: label} of every set-up change the log lists: the core's and each app's."""
    return {**CHANGE_LABELS, **reception_setup.CHANGE_LABELS, **extensions.setup_changes()}


def _changes(user, staff=None):
    labels = change_labels()
    prefixes = sorted({code.split(".", 1)[0] + "." for code in labels})
    listed = Q()
    for prefix in prefixes:
        listed |= Q(action__startswith=prefix)
    entries = AuditEntry.objects.filter(store_id=user.store_id).filter(listed)
    if staff is not None:
        entries = entries.filter(
            content_type__app_label="concierge", content_type__model="staff", object_id=str(staff.pk)
        )
    entries = entries.select_related("actor").order_by("-at", "-id")[:RECENT_CHANGES]
    entries = list(entries)
    for entry in entries:
        entry.label = labels.get(entry.action) or _("Other change")
        entry.details = _details(entry)
        entry.subject = _subject(entry)
    return entries


def _subject(entry):
    """What was changed, for the log's third column: the week's hours are the store's, not the store."""
    area = entry.action.split(".", 1)[0]
    if entry.action == "hours.week_changed":
        return _("Opening hours")
    if area == "absences":
        return (entry.data or {}).get("staff") or entry.object_repr
    if area == "reception_setup":
        return reception_setup.change_subject(entry)
    if area not in ("staff", "tiers", "hours"):
        return extensions.setup_change_subject(entry) or entry.object_repr
    return entry.object_repr


def _role_names(values):
    return ", ".join(str(Role(value).label) for value in values if value in Role.values)


def _details(entry):
    data = entry.data or {}
    area = entry.action.split(".", 1)[0]
    if area in ("hours", "absences"):
        return _hours_details(entry, data)
    if area == "reception_setup":
        return reception_setup.change_details(entry)
    if area not in ("staff", "tiers"):
        return extensions.setup_change_details(entry)
    if entry.action == "staff.roles_changed":
        return _("%(before)s → %(after)s") % {
            "before": _role_names(data.get("roles_before", [])) or "—",
            "after": _role_names(data.get("roles_after", [])) or "—",
        }
    if entry.action == "staff.created":
        return _role_names(data.get("roles", []))
    if entry.action == "staff.language_changed":
        return _("%(before)s → %(after)s") % {
            "before": _language_name(data.get("from")),
            "after": _language_name(data.get("to")),
        }
    if entry.action == "tiers.tier_removed" and data.get("members"):
        return ngettext(
            "%(count)s member moved to %(tier)s", "%(count)s members moved to %(tier)s", data["members"]
        ) % {
            "count": data["members"],
            "tier": data.get("moved_to") or _("no tier"),
        }
    changed = data.get("changed")
    if isinstance(changed, dict):
        if entry.action.startswith("staff."):
            model = Staff
        else:
            model = Tier if entry.action.startswith("tiers.tier_") else TierProgram
        return list_separator().join(
            f"{_field_label(model, field)}: {_shown(before)} → {_shown(after)}"
            for field, (before, after) in changed.items()
        )
    return ""


def _closed_or(text):
    return text or _("closed")


def _hours_details(entry, data):
    from concierge.models import Weekday

    if entry.action == "hours.week_changed":
        days = data.get("days") or {}
        shown = list_separator().join(
            _("%(day)s: %(before)s → %(after)s")
            % {
                "day": Weekday(int(day)).label if str(day).isdigit() and int(day) in Weekday.values else day,
                "before": _closed_or(before),
                "after": _closed_or(after),
            }
            for day, (before, after) in sorted(days.items())
        )
        if data.get("was_default"):
            prefix = _("Own hours instead of the default")
            return f"{prefix}: {shown}" if shown else prefix
        return shown
    if entry.action in ("hours.date_added", "hours.date_removed"):
        return _closed_or(data.get("hours"))
    if entry.action == "hours.date_changed":
        names = {"date": _("date"), "name": _("name"), "hours": _("hours")}
        return list_separator().join(
            f"{names.get(field, field)}: {_shown(before) if field != 'hours' else _closed_or(before)} → "
            f"{_shown(after) if field != 'hours' else _closed_or(after)}"
            for field, (before, after) in (data.get("changed") or {}).items()
        )
    if entry.action.startswith("absences."):
        return _("%(first)s to %(last)s") % {
            "first": data.get("first_day", ""),
            "last": data.get("last_day", ""),
        }
    return ""


def _language_name(code):
    """A language in its own name, as the profile offers it; blank is the store's language."""
    if not code:
        return _("The store's language")
    return dict(settings.LANGUAGES).get(code, code)


def _field_label(model, field):
    try:
        return model._meta.get_field(field).verbose_name
    except FieldDoesNotExist:  # a field renamed since the entry was written
        return field


def _shown(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "—" if value in (None, "") else value


@require_GET
@setup_required
def changes(request):
    user = request.user
    return render(request, "concierge/setup/changes.html", _base(user, "changes", entries=_changes(user)))


urlpatterns = [
    path("setup/", staff_list, name="setup_staff"),
    path("setup/staff/new/", staff_create, name="setup_staff_new"),
    path("setup/staff/<int:pk>/", staff_detail, name="setup_staff_detail"),
    path("setup/staff/<int:pk>/password/", staff_password, name="setup_staff_password"),
    path("setup/staff/<int:pk>/active/", staff_active, name="setup_staff_active"),
    path("setup/staff/<int:pk>/unlock/", staff_unlock, name="setup_staff_unlock"),
    path("setup/tiers/", tiers, name="setup_tiers"),
    path("setup/tiers/new/", tier_add, name="setup_tier_add"),
    path("setup/tiers/<int:pk>/", tier_change, name="setup_tier_change"),
    path("setup/tiers/<int:pk>/remove/", tier_remove, name="setup_tier_remove"),
    path("setup/changes/", changes, name="setup_changes"),
]
