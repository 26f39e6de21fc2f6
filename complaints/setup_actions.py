"""The store's complaint set-up, one function per intention: categories, teams, routing rules, SLA
policies, compensation budgets and the numbers of ComplaintSettings.

Each runs in one transaction, locks the store's row first (every set-up change of a store goes
through it, so two managers' saves run one after the other), reads the actor again under that lock
(a permission taken away a moment ago counts), checks that every row it touches is the actor's
store's, writes one AuditEntry "complaint_setup.*" per change and raises ActionRefused, with nothing
written, when the change may not be made. The forms check the same rules first, so people see them
on the fields; these checks are the guard for any other caller.

Teams are locked after the store at the workflow level: recording a complaint locks its team (as
store-level set-up) but never the store, so the two orders cannot meet in a deadlock.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import (
    Category,
    CompensationBudget,
    Complaint,
    ComplaintSettings,
    RoutingRule,
    Severity,
    SlaPolicy,
    Team,
    TeamMembership,
)
from complaints.models.setup import DEFAULT_SLA
from concierge.errors import ActionRefused
from concierge.models import Staff, Tier
from concierge.workflow import action, audit, lock, lock_stores

PERMISSION = "complaints.setup_complaints"
NUMBER_FIELDS = ["warning_percent", "escalation_step_minutes", "reopen_grace_days"]
MAX_CONTACT_MINUTES = 100_000
MAX_RESOLUTION_MINUTES = 500_000


def may_set_up(user):
    return bool(user.is_authenticated and user.is_active and user.store_id and user.has_perm(PERMISSION))


def _begin(actor):
    if not may_set_up(actor):
        raise ActionRefused(_("You may not change this store's complaint set-up."))
    store = lock_stores([actor.store_id])[actor.store_id]
    actor = Staff.objects.get(pk=actor.pk)
    if not may_set_up(actor) or actor.store_id != store.pk:
        raise ActionRefused(_("You may not change this store's complaint set-up."))
    return store, actor


def _own(obj, store):
    """A fresh, locked copy of one of the store's set-up rows."""
    if obj.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    return lock(obj)


def _stamp(obj, actor):
    obj.updated_by = actor
    obj.updated_at = timezone.now()


def _audit(action_code, obj, actor, store, **data):
    audit(action_code, obj, actor, store=store, **data)


def _category_data(category):
    """A category as the log shows it later: its own name, else its built-in one in the reader's
    language (from the code)."""
    return {"built_in": category.code, "name": category.name}


# ---- categories -------------------------------------------------------------------------------------


def category_name_taken(store_id, name, *, exclude=None):
    """Whether another category of the store is shown under this name (its own or the built-in one)."""
    wanted = name.strip().casefold()
    for category in Category.objects.filter(store_id=store_id):
        if exclude is not None and category.pk == exclude:
            continue
        if category.display_name.casefold() == wanted:
            return True
    return False


def _check_category_name(store, name, exclude=None):
    if category_name_taken(store.pk, name, exclude=exclude):
        raise ActionRefused(_("Another category is called %(name)s.") % {"name": name})


@action
def add_category(*, actor, name):
    """One of the store's own categories, offered last. AuditEntry "complaint_setup.category_added"."""
    store, actor = _begin(actor)
    name = (name or "").strip()
    if not name:
        raise ActionRefused(_("Give the category a name."))
    _check_category_name(store, name)
    last = (
        Category.objects.filter(store=store).order_by("-position").values_list("position", flat=True).first()
    )
    category = Category(store=store, name=name, position=(last or 0) + 10)
    _stamp(category, actor)
    category.save()
    _audit("complaint_setup.category_added", category, actor, store, **_category_data(category))
    return category


@action
def rename_category(category, *, actor, name):
    """A new name; for a built-in category a blank name shows the built-in label again, in each
    reader's language. AuditEntry "complaint_setup.category_renamed" when the name changed."""
    store, actor = _begin(actor)
    category = _own(category, store)
    name = (name or "").strip()
    if not name and not category.code:
        raise ActionRefused(_("Give the category a name."))
    if name:
        _check_category_name(store, name, exclude=category.pk)
    if name == category.name:
        return False
    name_before = category.name
    category.name = name
    _stamp(category, actor)
    category.save(update_fields=["name", "updated_by", "updated_at"])
    _audit(
        "complaint_setup.category_renamed",
        category,
        actor,
        store,
        built_in=category.code,
        name=name,
        name_before=name_before,
    )
    return True


@action
def set_category_active(category, *, actor, active):
    """Offer a category for new complaints again, or stop offering it (complaints recorded with it
    keep it). The last offered category stays. AuditEntry "complaint_setup.category_shown" or
    "complaint_setup.category_hidden"."""
    store, actor = _begin(actor)
    category = _own(category, store)
    if category.active == active:
        return False
    if not active and not Category.objects.filter(store=store, active=True).exclude(pk=category.pk).exists():
        raise ActionRefused(_("At least one category must stay offered for new complaints."))
    category.active = active
    _stamp(category, actor)
    category.save(update_fields=["active", "updated_by", "updated_at"])
    code = "complaint_setup.category_shown" if active else "complaint_setup.category_hidden"
    _audit(code, category, actor, store, **_category_data(category))
    return True


@action
def move_category(category, *, actor, direction):
    """One place up or down in the list the record form offers. Every category is numbered again
    10, 20, 30... so equal positions never leave the order to chance.
    AuditEntry "complaint_setup.category_moved"."""
    store, actor = _begin(actor)
    if category.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    # The whole list is renumbered: every category of the store is locked, in one go.
    ordered = lock(Category.objects.filter(store=store))
    if not any(row.pk == category.pk for row in ordered):
        raise ActionRefused(_("This was removed meanwhile."))
    ordered.sort(key=lambda row: (row.position, row.pk))
    index = next(i for i, row in enumerate(ordered) if row.pk == category.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for place, row in enumerate(ordered, start=1):
        row.position = place * 10
    Category.objects.bulk_update(ordered, ["position"])
    _audit(
        "complaint_setup.category_moved",
        category,
        actor,
        store,
        **_category_data(category),
        direction=direction,
        place=target + 1,
    )
    return True


@action
def delete_category(category, *, actor):
    """Remove one of the store's own categories that no complaint and no routing rule uses; a
    built-in category or one in use can only be hidden. AuditEntry "complaint_setup.category_deleted"."""
    store, actor = _begin(actor)
    # Locked FOR UPDATE: a complaint being recorded with it waits, and is counted below.
    category = _own(category, store)
    if category.code:
        raise ActionRefused(_("A built-in category cannot be deleted: hide it instead."))
    used = Complaint.objects.filter(category=category).count()
    if used:
        raise ActionRefused(
            _("%(count)s complaints use %(name)s: hide it instead, so they keep their category.")
            % {"count": used, "name": category.display_name}
        )
    if RoutingRule.objects.filter(category=category).exists():
        raise ActionRefused(_("A routing rule uses %(name)s: remove the rule first.") % {"name": category})
    _audit("complaint_setup.category_deleted", category, actor, store, **_category_data(category))
    try:
        with transaction.atomic():
            category.delete()
    except IntegrityError as error:
        raise ActionRefused(_("A complaint uses this category now: hide it instead.")) from error
    return category


# ---- teams ------------------------------------------------------------------------------------------


def _colleagues(store, people):
    """The given staff, checked to be active colleagues of the store."""
    ids = {person.pk for person in people}
    found = list(Staff.objects.filter(pk__in=ids, store=store, is_active=True))
    if len(found) != len(ids):
        raise ActionRefused(_("Choose active colleagues of this store."))
    return found


def _names(people):
    return sorted(str(person) for person in people)


@action
def save_team(team=None, *, actor, name, lead=None, members=(), is_default=False):
    """Add a team (team=None) or change one: its name, its lead (alerted at the second escalation
    level), its members and whether it is the default team (it gets what no rule matches).

    There is always exactly one default team: making this one the default takes it from the team
    that had it; the default team cannot be unmarked (make another one the default instead). A team
    nobody was put in goes to every complaint handler of the store.
    AuditEntry "complaint_setup.team_added" or "complaint_setup.team_changed" (with what changed).
    Returns (team, changed)."""
    store, actor = _begin(actor)
    name = (name or "").strip()
    if not name:
        raise ActionRefused(_("Give the team a name."))
    if (
        Team.objects.filter(store=store, name__iexact=name)
        .exclude(pk=team.pk if team is not None else None)
        .exists()
    ):
        raise ActionRefused(_("Another team is called %(name)s.") % {"name": name})
    lead = _colleagues(store, [lead])[0] if lead is not None else None
    members = _colleagues(store, members)
    if team is not None and team.store_id != store.pk:
        raise ActionRefused(_("This is not part of your store's set-up."))
    current_default = Team.objects.filter(store=store, is_default=True).first()
    # This team and the default one, locked together (in id order, as the kernel wants).
    ids = {row.pk for row in (team, current_default) if row is not None}
    locked = {row.pk: row for row in lock(Team.objects.filter(store=store, pk__in=ids))}
    if team is not None:
        if team.pk not in locked:
            raise ActionRefused(_("This team was removed meanwhile."))
        team = locked[team.pk]
    if current_default is not None:
        current_default = locked.get(current_default.pk)
    if team is not None and team.is_default and not is_default:
        raise ActionRefused(_("One team must be the default: make another team the default instead."))
    taken_from = None
    if is_default and current_default is not None and (team is None or current_default.pk != team.pk):
        taken_from = current_default
    is_new = team is None
    before = {}
    if is_new:
        team = Team(store=store)
        before_members = []
    else:
        before = {
            "name": team.name,
            "lead": str(team.lead) if team.lead_id else "",
            "is_default": team.is_default,
        }
        before_members = list(Staff.objects.filter(pk__in=team.memberships.values("staff_id")))
    if taken_from is not None:
        taken_from.is_default = False
        _stamp(taken_from, actor)
        taken_from.save(update_fields=["is_default", "updated_by", "updated_at"])
    team.name, team.lead, team.is_default = (
        name,
        lead,
        bool(is_default) or (is_new and current_default is None),
    )
    after = {"name": team.name, "lead": str(lead) if lead else "", "is_default": team.is_default}
    changed = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if {p.pk for p in before_members} != {p.pk for p in members}:
        changed["members"] = [_names(before_members), _names(members)]
    if not is_new and not changed:
        return team, {}
    _stamp(team, actor)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as error:
        raise ActionRefused(_("Another team became the default meanwhile: try again.")) from error
    wanted = {person.pk for person in members}
    TeamMembership.objects.filter(team=team).exclude(staff_id__in=wanted).delete()
    present = set(TeamMembership.objects.filter(team=team).values_list("staff_id", flat=True))
    TeamMembership.objects.bulk_create(
        TeamMembership(team=team, staff_id=pk) for pk in sorted(wanted - present)
    )
    if is_new:
        _audit(
            "complaint_setup.team_added",
            team,
            actor,
            store,
            name=name,
            lead=after["lead"],
            members=_names(members),
            is_default=team.is_default,
            default_from=taken_from.name if taken_from else "",
        )
        return team, after
    _audit(
        "complaint_setup.team_changed",
        team,
        actor,
        store,
        changed=changed,
        default_from=taken_from.name if taken_from else "",
    )
    return team, changed


@action
def delete_team(team, *, actor):
    """Remove a team that is not the default, that no routing rule sends to and that has no open
    complaint. AuditEntry "complaint_setup.team_deleted"."""
    store, actor = _begin(actor)
    team = _own(team, store)
    if team.is_default:
        raise ActionRefused(_("The default team cannot be removed: make another team the default first."))
    rules = RoutingRule.objects.filter(team=team).count()
    if rules:
        raise ActionRefused(
            _("%(count)s routing rules send complaints to %(name)s: change or remove them first.")
            % {"count": rules, "name": team.name}
        )
    open_count = Complaint.objects.filter(team=team, state__in=Complaint.ACTIVE_STATES).count()
    if open_count:
        raise ActionRefused(
            _("%(count)s open complaints are with %(name)s: they must be settled or moved first.")
            % {"count": open_count, "name": team.name}
        )
    _audit("complaint_setup.team_deleted", team, actor, store, name=team.name)
    team.delete()
    return team


# ---- routing rules ----------------------------------------------------------------------------------


def _describe_rule(rule):
    return {
        "category": rule.category.display_name if rule.category_id else "",
        "counter": rule.counter,
        "team": rule.team.name,
        "position": rule.position,
    }


def rule_clash(store_id, category, counter, *, exclude=None):
    """Another rule of the store that matches exactly the same complaints, or None."""
    counter = (counter or "").strip().casefold()
    rules = RoutingRule.objects.filter(store_id=store_id, category=category)
    if exclude is not None:
        rules = rules.exclude(pk=exclude)
    return next((rule for rule in rules if rule.counter.strip().casefold() == counter), None)


@action
def save_rule(rule=None, *, actor, category=None, counter="", team, position=0):
    """Add a routing rule (rule=None) or change one: complaints of this category and/or about this
    counter go to this team. AuditEntry "complaint_setup.rule_added" or "complaint_setup.rule_changed".
    Returns (rule, changed)."""
    store, actor = _begin(actor)
    counter = (counter or "").strip()
    if category is None and not counter:
        raise ActionRefused(_("A rule needs a category, a counter or both."))
    if category is not None and category.store_id != store.pk:
        raise ActionRefused(_("Choose one of your store's categories."))
    if team.store_id != store.pk:
        raise ActionRefused(_("Choose one of your store's teams."))
    if not 0 <= position <= 32767:
        raise ActionRefused(_("The position is a whole number from 0 to 32767."))
    if rule_clash(store.pk, category, counter, exclude=rule.pk if rule is not None else None):
        raise ActionRefused(_("Another rule matches exactly these complaints: change that one."))
    is_new = rule is None
    if is_new:
        rule = RoutingRule(store=store)
        before = {}
    else:
        rule = _own(rule, store)
        before = _describe_rule(rule)
    rule.category, rule.counter, rule.team, rule.position = category, counter, team, position
    after = _describe_rule(rule)
    changed = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if not is_new and not changed:
        return rule, {}
    _stamp(rule, actor)
    rule.save()
    if is_new:
        _audit("complaint_setup.rule_added", rule, actor, store, **after)
        return rule, after
    _audit("complaint_setup.rule_changed", rule, actor, store, changed=changed, **after)
    return rule, changed


@action
def delete_rule(rule, *, actor):
    """AuditEntry "complaint_setup.rule_deleted"."""
    store, actor = _begin(actor)
    rule = _own(rule, store)
    _audit("complaint_setup.rule_deleted", rule, actor, store, **_describe_rule(rule))
    rule.delete()
    return rule


# ---- SLA policies -----------------------------------------------------------------------------------


def sla_minutes(store_id):
    """{severity: (first contact, resolution)}: the store's own, else the defaults."""
    own = {
        policy.severity: (policy.first_contact_minutes, policy.resolution_minutes)
        for policy in SlaPolicy.objects.filter(store_id=store_id)
    }
    return {severity: own.get(severity, DEFAULT_SLA[severity]) for severity in Severity.values}


def sla_problem(contact, resolution):
    if not (1 <= contact <= MAX_CONTACT_MINUTES and 1 <= resolution <= MAX_RESOLUTION_MINUTES):
        return _("Give whole business minutes: at least 1.")
    if contact > resolution:
        return _("The first contact cannot come after the resolution.")
    return None


@action
def save_sla_policies(*, actor, minutes):
    """Time to first contact and to resolution, in business minutes, for every severity at once
    (`minutes` maps each severity to (first contact, resolution)). New complaints use them; those
    already recorded keep their deadlines. AuditEntry "complaint_setup.sla_changed" with each changed
    severity's minutes before and after; returns them."""
    store, actor = _begin(actor)
    if set(minutes) != set(Severity.values):
        raise ActionRefused(_("Give the time limits of every severity."))
    for severity, (contact, resolution) in minutes.items():
        problem = sla_problem(contact, resolution)
        if problem:
            raise ActionRefused(f"{Severity(severity).label}: {problem}")
    before = sla_minutes(store.pk)
    changed = {
        severity: [list(before[severity]), list(values)]
        for severity, values in minutes.items()
        if tuple(values) != tuple(before[severity])
    }
    if not changed:
        return {}
    now = timezone.now()
    for severity, (contact, resolution) in minutes.items():
        SlaPolicy.objects.update_or_create(
            store=store,
            severity=severity,
            defaults={
                "first_contact_minutes": contact,
                "resolution_minutes": resolution,
                "updated_by": actor,
                "updated_at": now,
            },
        )
    _audit("complaint_setup.sla_changed", store, actor, store, changed=changed)
    return changed


# ---- the numbers and the compensation budgets ------------------------------------------------------


def _settings_row(store, actor):
    """The store's settings row, made (with the defaults) the first time one is changed."""
    row = ComplaintSettings.objects.filter(store=store).first()
    if row is None:
        row = ComplaintSettings(store=store)
        _stamp(row, actor)
        row.save()
    return lock(row)


def _clean_settings(row):
    try:
        row.full_clean(exclude=["store", "updated_by"], validate_unique=False)
    except ValidationError as error:
        raise ActionRefused(" ".join(error.messages)) from error


@action
def save_complaint_settings(*, actor, values):
    """The warning point, the escalation step and the reopening grace period (NUMBER_FIELDS).
    AuditEntry "complaint_setup.settings_changed" with what changed; returns it."""
    store, actor = _begin(actor)
    row = _settings_row(store, actor)
    changed = {}
    for field in NUMBER_FIELDS:
        if field in values and getattr(row, field) != values[field]:
            changed[field] = [getattr(row, field), values[field]]
            setattr(row, field, values[field])
    if not changed:
        return {}
    _clean_settings(row)
    _stamp(row, actor)
    row.save()
    _audit("complaint_setup.settings_changed", store, actor, store, changed=changed)
    return changed


def store_tiers(store):
    """The tiers of the store's tier program, highest first."""
    if store.tier_program_id is None:
        return []
    return list(Tier.objects.filter(program_id=store.tier_program_id).order_by("-rank"))


def _money(value):
    return "" if value is None else f"{Decimal(value):.2f}"


@action
def save_budgets(*, actor, amounts, default_budget):
    """What a handler may give without the store manager's approval: `amounts` maps a tier of the
    store's program (its id), or None for customers without a tier and walk-ins, to an amount in
    yuan, or to None for no amount of its own (a tier then uses the no-tier amount, and that one the
    default budget). AuditEntry "complaint_setup.budgets_changed" with each changed amount; returns it."""
    store, actor = _begin(actor)
    tiers = {tier.pk: tier for tier in store_tiers(store)}
    unknown = [key for key in amounts if key is not None and key not in tiers]
    if unknown:
        raise ActionRefused(_("This tier is not in your store's program."))
    if any(value is not None and value < 0 for value in [*amounts.values(), default_budget]):
        raise ActionRefused(_("An amount cannot be negative."))
    rows = {row.tier_id: row for row in lock(CompensationBudget.objects.filter(store=store))}
    changed = []
    now = timezone.now()
    for key, amount in amounts.items():
        row = rows.get(key)
        before = row.amount if row is not None else None
        if _money(before) == _money(amount):
            continue
        label = tiers[key].name if key is not None else ""
        changed.append([label, _money(before), _money(amount)])
        if amount is None:
            row.delete()
        elif row is None:
            CompensationBudget.objects.create(
                store=store, tier_id=key, amount=amount, updated_by=actor, updated_at=now
            )
        else:
            row.amount, row.updated_by, row.updated_at = amount, actor, now
            row.save(update_fields=["amount", "updated_by", "updated_at"])
    settings_before = ComplaintSettings.for_store(store.pk).default_budget
    default_changed = _money(settings_before) != _money(default_budget)
    if default_changed:
        row = _settings_row(store, actor)
        row.default_budget = default_budget
        _clean_settings(row)
        _stamp(row, actor)
        row.save()
    if not changed and not default_changed:
        return {}
    data = {"budgets": changed}
    if default_changed:
        data["default_budget"] = [_money(settings_before), _money(default_budget)]
    _audit("complaint_setup.budgets_changed", store, actor, store, **data)
    return data
