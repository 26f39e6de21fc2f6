"""The store's own set-up: staff accounts and the tier program. One function per user intention.

Each runs in one transaction, locks what it decides on (store-level rows first, then staff: the
global order), checks the actor's permission and store itself, writes one AuditEntry per change and
raises ActionRefused (nothing written) when it may not be done.

Who may do what (the rule that keeps a store from escalating or locking itself out):
- Only staff with `concierge.manage_store_setup` (the store manager and the store's administrator),
  and only on accounts of their own store. Installation superusers are never touched from here, and
  nothing here sets is_superuser, is_staff, arbitrary groups or the store.
- The floor roles (VIP manager, front desk, complaint handler) may be granted and taken away by
  anyone who may set up the store. The store manager and administrator roles are granted and taken
  away by a store manager only, and an account holding one of them is managed (roles, name, limit,
  password, deactivation) by a store manager only: an administrator cannot take over a manager.
- Nobody changes their own roles, deactivates themselves or resets their own password here, so the
  person setting up always keeps their access and a store always keeps an active manager.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concierge import lockouts
from concierge.errors import ActionRefused
from concierge.models import Member, Staff, Store, Tier, TierProgram
from concierge.roles import Role
from concierge.sessions import end_user_sockets
from concierge.workflow import Level, action, audit, lock, lock_members, lock_staff, lock_stores

PERMISSION = "concierge.manage_store_setup"
PRIVILEGED_ROLES = frozenset({Role.STORE_MANAGER, Role.ADMIN})
TIER_FIELDS = [
    "name",
    "rank",
    "min_day_points",
    "min_month_points",
    "min_period_points",
    "renewal_points",
    "dedicated_manager",
    "closed_store_events",
    "salons",
    "lounge",
    "birthday_gift",
    "other_benefits",
]
PROGRAM_FIELDS = ["name", "period_start_month", "period_start_day", "points_per_yuan"]


# ---- who may do what ---------------------------------------------------------------------------------


def may_set_up(user):
    return bool(user.is_authenticated and user.is_active and user.store_id and user.has_perm(PERMISSION))


def grantable_roles(actor):
    """The roles `actor` may give or take away."""
    if actor.has_role(Role.STORE_MANAGER):
        return list(Role)
    return [role for role in Role if role not in PRIVILEGED_ROLES]


def may_manage(actor, staff):
    """Whether `actor` may change `staff`'s account at all (their own account is further limited)."""
    if not may_set_up(actor) or staff.store_id != actor.store_id or staff.is_superuser or staff.is_staff:
        return False
    # An account given powers outside the store roles (another group, a permission of its own) is
    # the installation administrators' to manage: resetting its password would hand those powers on.
    if staff.role_codes - set(Role.values) or any(True for _permission in staff.user_permissions.all()):
        return False
    return actor.has_role(Role.STORE_MANAGER) or not any(role in PRIVILEGED_ROLES for role in staff.roles)


def _check_may_set_up(actor, store_id):
    if not may_set_up(actor) or actor.store_id != store_id:
        raise ActionRefused(_("You may not change this store's set-up."))


def _check_may_manage(actor, staff):
    if not may_manage(actor, staff):
        raise ActionRefused(_("You may not change the account of %(name)s.") % {"name": staff})


def _check_roles(actor, before, after):
    changed = set(before) ^ set(after)
    refused = sorted(role.label for role in changed if role not in grantable_roles(actor))
    if refused:
        raise ActionRefused(
            _("Only a store manager may grant or take away: %(roles)s.")
            % {"roles": ", ".join(map(str, refused))}
        )


def _roles(values):
    """The store roles among `values` (group names); any other group is not a role and is ignored."""
    return sorted({Role(value) for value in values if value in Role.values}, key=list(Role).index)


def _set_roles(staff, roles):
    from django.contrib.auth.models import Group

    # Only the role groups change: a group an installation administrator added stays.
    wanted = {role.value for role in roles}
    staff.groups.remove(*Group.objects.filter(name__in=set(Role.values) - wanted))
    staff.groups.add(*Group.objects.filter(name__in=wanted))
    staff.__dict__.pop("role_codes", None)


# ---- locks (the kernel's global order: store-level rows, then members, then staff) --------------------


def _lock_store(store_id):
    return lock_stores([store_id])[store_id]


def begin_setup(actor):
    """Lock the store's row, which every set-up change of the store takes first, so two managers'
    changes run one after the other; then check the actor as they are now, not as their request
    loaded them (a colleague may just have taken their role away)."""
    _check_may_set_up(actor, actor.store_id)
    store = _lock_store(actor.store_id)
    actor = Staff.objects.get(pk=actor.pk)
    _check_may_set_up(actor, store.pk)
    return store, actor


def _lock_staff(staff):
    locked = lock_staff([staff.pk]).get(staff.pk)
    if locked is None:
        raise ActionRefused(_("This account was removed meanwhile."))
    return locked


def _audit(code, obj, actor, *, store, **data):
    audit(code, obj, actor, store=store, **data)


# ---- staff accounts ----------------------------------------------------------------------------------


@action
def create_staff(*, actor, username, display_name, roles, caseload_limit, password):
    """A new account in the actor's store. Writes: the account, its role groups, `staff.created`."""
    store, actor = begin_setup(actor)
    roles = _roles(roles)
    if not roles:
        raise ActionRefused(_("Give the account at least one role."))
    _check_roles(actor, [], roles)
    if Staff.objects.filter(username__iexact=username).exists():
        raise ActionRefused(_("The user name %(username)s is taken.") % {"username": username})
    try:
        with transaction.atomic():
            staff = Staff(
                username=username, display_name=display_name, caseload_limit=caseload_limit, store=store
            )
            staff.set_password(password)
            staff.save()
    except IntegrityError as exc:
        raise ActionRefused(_("The user name %(username)s is taken.") % {"username": username}) from exc
    _set_roles(staff, roles)
    _audit(
        "staff.created",
        staff,
        actor,
        store=store,
        username=username,
        roles=[role.value for role in roles],
        caseload_limit=caseload_limit,
    )
    return staff


@action
def update_staff(staff, *, actor, display_name, roles, caseload_limit):
    """Name, caseload limit and roles of one account. Writes `staff.updated` when the name or limit
    changed and `staff.roles_changed` when the roles did; returns the audit codes written."""
    _store, actor = begin_setup(actor)
    staff = _lock_staff(staff)
    _check_may_manage(actor, staff)
    before = _roles(staff.role_codes)
    after = _roles(roles)
    written = []
    if set(before) != set(after):
        if staff.pk == actor.pk:
            raise ActionRefused(_("You cannot change your own roles: ask another store manager."))
        if not after:
            raise ActionRefused(_("Give the account at least one role."))
        _check_roles(actor, before, after)
    changed = {}
    if staff.display_name != display_name:
        changed["display_name"] = [staff.display_name, display_name]
        staff.display_name = display_name
    if staff.caseload_limit != caseload_limit:
        changed["caseload_limit"] = [staff.caseload_limit, caseload_limit]
        staff.caseload_limit = caseload_limit
    if changed:
        staff.save(update_fields=[field for field in ("display_name", "caseload_limit") if field in changed])
        _audit("staff.updated", staff, actor, store=staff.store, changed=changed)
        written.append("staff.updated")
    if set(before) != set(after):
        _set_roles(staff, after)
        _audit(
            "staff.roles_changed",
            staff,
            actor,
            store=staff.store,
            roles_before=[role.value for role in before],
            roles_after=[role.value for role in after],
        )
        written.append("staff.roles_changed")
    return written


@action
def set_staff_active(staff, *, actor, active):
    """Deactivate (the account can no longer log in, its sessions end) or reactivate an account.
    Writes `staff.deactivated` or `staff.reactivated`. A VIP manager's book is not moved: the page
    warns that it should be moved first."""
    _store, actor = begin_setup(actor)
    staff = _lock_staff(staff)
    _check_may_manage(actor, staff)
    if staff.pk == actor.pk:
        raise ActionRefused(_("You cannot deactivate your own account."))
    if staff.is_active == active:
        if active:
            raise ActionRefused(_("%(name)s is already active.") % {"name": staff})
        raise ActionRefused(_("%(name)s is already deactivated.") % {"name": staff})
    staff.is_active = active
    staff.save(update_fields=["is_active"])
    _audit("staff.reactivated" if active else "staff.deactivated", staff, actor, store=staff.store)
    if not active:
        transaction.on_commit(partial(end_user_sockets, staff.pk))
    return staff


@action
def reset_staff_password(staff, *, actor, password):
    """Set a new password the manager gives the person; their other sessions end with it.
    The password has been checked by the form (AUTH_PASSWORD_VALIDATORS). Writes `staff.password_reset`."""
    _store, actor = begin_setup(actor)
    staff = _lock_staff(staff)
    _check_may_manage(actor, staff)
    if staff.pk == actor.pk:
        raise ActionRefused(_("You cannot reset your own password here."))
    staff.set_password(password)
    staff.save(update_fields=["password"])
    _audit("staff.password_reset", staff, actor, store=staff.store)
    transaction.on_commit(partial(end_user_sockets, staff.pk))
    return staff


@action
def unlock_staff(staff, *, actor):
    """Lift a lockout after failed logins. Writes `staff.unlocked`."""
    _store, actor = begin_setup(actor)
    staff = _lock_staff(staff)
    _check_may_set_up(actor, staff.store_id)
    # Unlocking clears the failed attempts: someone who may not manage an account must not be able
    # to reset its count between guesses.
    _check_may_manage(actor, staff)
    if not lockouts.is_locked(staff.username):
        raise ActionRefused(_("%(name)s is not locked out.") % {"name": staff})
    records = lockouts.unlock(staff.username)
    _audit("staff.unlocked", staff, actor, store=staff.store, records=records)
    return staff


# ---- the tier program ----------------------------------------------------------------------------------


def program_shared_with_others(program, store_id):
    return Store.objects.filter(tier_program=program).exclude(pk=store_id).exists()


def _lock_program(actor, *, lock_program=False):
    """The store (locked: every set-up change of a store goes through its row) and its program;
    refused when other stores share the program (changing it would change their members' tiers:
    that is the installation administrators' job)."""
    store, actor = begin_setup(actor)
    if store.tier_program_id is None:
        return store, None, actor
    program = TierProgram.objects.get(pk=store.tier_program_id)
    if lock_program:
        program = lock(program, level=Level.STORE)
    if program_shared_with_others(program, store.pk):
        raise ActionRefused(
            _("Other stores run this tier program too: ask the installation's administrators to change it.")
        )
    return store, program, actor


def _changes(obj, values, fields):
    changed = {}
    for field in fields:
        if field in values and getattr(obj, field) != values[field]:
            changed[field] = [getattr(obj, field), values[field]]
            setattr(obj, field, values[field])
    return changed


@action
def save_tier_program(*, actor, values):
    """Create the store's program (when it has none) or change its name, period start or points per
    yuan. Writes `tiers.program_changed` (or `tiers.program_created`) when something changed."""
    store, program, actor = _lock_program(actor, lock_program=True)
    if program is None:
        program = TierProgram.objects.create(**{field: values[field] for field in PROGRAM_FIELDS})
        store.tier_program = program
        store.save(update_fields=["tier_program"])
        _audit("tiers.program_created", program, actor, store=store, name=program.name)
        return program
    changed = _changes(program, values, PROGRAM_FIELDS)
    if changed:
        program.save(update_fields=list(changed))
        _audit("tiers.program_changed", program, actor, store=store, changed=changed)
    return program


def _tiers_of(program, *tiers):
    """Fresh, locked copies of tiers of `program` (store-level rows, by id), in the order given."""
    if program is None or any(tier.program_id != program.pk for tier in tiers):
        raise ActionRefused(_("This tier is not in your store's program."))
    locked = {
        row.pk: row
        for row in lock(Tier.objects.filter(pk__in=[tier.pk for tier in tiers]), level=Level.STORE)
    }
    if len(locked) != len({tier.pk for tier in tiers}):
        raise ActionRefused(_("This tier was removed meanwhile."))
    return [locked[tier.pk] for tier in tiers]


def _save_tier(tier):
    try:
        tier.full_clean(exclude=["program"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError as exc:
        raise ActionRefused(_("Another tier has this rank: give each tier its own.")) from exc


@action
def add_tier(*, actor, values):
    """A new tier in the store's program. Writes `tiers.tier_added`."""
    store, program, actor = _lock_program(actor)
    if program is None:
        raise ActionRefused(_("Set up the program first."))
    tier = Tier(program=program, **{field: values[field] for field in TIER_FIELDS})
    _save_tier(tier)
    _audit("tiers.tier_added", tier, actor, store=store, name=tier.name, rank=tier.rank)
    return tier


@action
def change_tier(tier, *, actor, values):
    """Thresholds, renewal, benefits, name or rank of one tier. Writes `tiers.tier_changed` when
    something changed; members follow at the next refresh."""
    store, program, actor = _lock_program(actor)
    (tier,) = _tiers_of(program, tier)
    changed = _changes(tier, values, TIER_FIELDS)
    if changed:
        _save_tier(tier)
        _audit("tiers.tier_changed", tier, actor, store=store, changed=changed)
    return tier, changed


@action
def remove_tier(tier, *, actor, move_to=None):
    """Remove a tier. Members holding it move to `move_to` (kept as held for the period, so nobody
    drops mid-period by surprise) or, without one, hold no tier until the next refresh places them.
    Writes `tiers.tier_removed`."""
    store, program, actor = _lock_program(actor)
    if move_to is not None and move_to.pk == tier.pk:
        raise ActionRefused(_("Choose another tier for its members."))
    tier, *target = _tiers_of(program, tier, *([move_to] if move_to is not None else []))
    move_to = target[0] if target else None
    # Members come after the store-level rows in the lock order.
    holders = list(Member.objects.filter(store=store, tier=tier).values_list("pk", flat=True))
    lock_members(holders, related=())
    moved = Member.objects.filter(pk__in=holders).update(tier=move_to)
    # Other stores cannot hold it: the program is not shared (checked above).
    name = tier.name
    _audit(
        "tiers.tier_removed",
        tier,
        actor,
        store=store,
        name=name,
        members=moved,
        moved_to=move_to.name if move_to else "",
    )
    tier.delete()
    return moved
