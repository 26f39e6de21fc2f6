"""The store's complaint set-up, in the store's Settings: categories, teams, routing rules, time
limits (SLA policies and the warning, escalation and reopening numbers) and compensation budgets.
For whoever may set up complaints (complaints.setup_complaints: the store manager, the store's
administrator).

Plain forms, as on the core's set-up pages: a good post is redirected with a message; a form with
errors, or a refusal from the action, comes back with status 200 and what was typed. Another
store's category, team or rule is a 404. The actions (complaints.setup_actions) check it all again.
"""

import math

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from complaints import routing, setup_actions
from complaints.forms_setup import (
    BudgetsForm,
    CategoryActiveForm,
    CategoryForm,
    CategoryMoveForm,
    ComplaintNumbersForm,
    RouteTestForm,
    RuleForm,
    SlaForm,
    TeamForm,
    sla_field,
    store_colleagues,
)
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
from complaints.models.setup import CATEGORY_LABELS, DEFAULT_SLA
from complaints.sla import add_business_minutes
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.forms_params import read_query
from concierge.models import Staff
from concierge.opening import business_calendar, staff_off
from concierge.roles import Role
from concierge.views.responses import respond

PERMISSION = setup_actions.PERMISSION


def setup_required(view):
    return permission_required(PERMISSION, raise_exception=True)(store_required(view))


def _base(section, **context):
    return {"active_nav": "setup", "setup_nav": "complaints", "complaints_nav": section, **context}


def _refused(form, refusal):
    form.add_error(None, refusal.message)


def _nothing(request, fallback):
    return respond(request, fallback=fallback, done=_("Nothing was changed."), level="info")


# ---- categories -------------------------------------------------------------------------------------


def _category_form(user, category=None, data=None):
    prefix = f"category-{category.pk}" if category else "new"
    return CategoryForm(data, store=user.store, category=category, prefix=prefix, auto_id=f"id_{prefix}-%s")


def _categories_context(request, *, add_form=None, failed=None):
    user = request.user
    categories = list(
        Category.objects.visible_to(user)
        .annotate(
            used=Count("complaints", distinct=True),
            open=Count("complaints", filter=Q(complaints__state__in=Complaint.ACTIVE_STATES), distinct=True),
        )
        .order_by("position", "pk")
    )
    ruled = set(RoutingRule.objects.visible_to(user).values_list("category_id", flat=True))
    for index, category in enumerate(categories):
        is_failed = failed is not None and failed[0] == category.pk
        category.form = failed[1] if is_failed else _category_form(user, category)
        category.form_open = is_failed
        category.first, category.last = index == 0, index == len(categories) - 1
        category.built_in_name = CATEGORY_LABELS.get(category.code, "")
        category.deletable = not category.code and not category.used and category.pk not in ruled
    return _base(
        "categories",
        categories=categories,
        add_form=add_form or _category_form(user),
        add_open=add_form is not None,
    )


def _categories_page(request, **context):
    return render(request, "complaints/setup/categories.html", _categories_context(request, **context))


def _category_for(user, pk):
    return Category.objects.get_for(user, pk=pk)


@require_http_methods(["GET", "POST"])
@setup_required
def categories(request):
    """The categories as the record form offers them (GET); adding one of the store's own (POST)."""
    user = request.user
    if request.method == "GET":
        return _categories_page(request)
    form = _category_form(user, data=request.POST)
    if form.is_valid():
        try:
            category = setup_actions.add_category(actor=user, name=form.cleaned_data["name"])
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _("%(name)s is added at the end of the list.") % {"name": category.display_name}
            return respond(request, fallback="complaints:setup", done=done)
    return _categories_page(request, add_form=form)


@require_POST
@setup_required
def category_rename(request, pk):
    user = request.user
    category = _category_for(user, pk)
    form = _category_form(user, category, data=request.POST)
    if form.is_valid():
        try:
            renamed = setup_actions.rename_category(category, actor=user, name=form.cleaned_data["name"])
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not renamed:
                return _nothing(request, "complaints:setup")
            category.refresh_from_db()
            done = _("The category is now called %(name)s.") % {"name": category.display_name}
            return respond(request, fallback="complaints:setup", done=done)
    return _categories_page(request, failed=(category.pk, form))


@require_POST
@setup_required
def category_active(request, pk):
    user = request.user
    category = _category_for(user, pk)
    form = CategoryActiveForm(request.POST)
    if not form.is_valid():
        return respond(request, fallback="complaints:setup", refused=_("Choose to hide or to offer it."))
    active = form.cleaned_data["active"] == "1"
    try:
        setup_actions.set_category_active(category, actor=user, active=active)
    except ActionRefused as refusal:
        return respond(request, fallback="complaints:setup", refused=refusal.message)
    if active:
        done = _("%(name)s is offered for new complaints again.") % {"name": category.display_name}
    else:
        done = _(
            "%(name)s is hidden: no longer offered for new complaints; the complaints that have it keep it."
        ) % {"name": category.display_name}
    return respond(request, fallback="complaints:setup", done=done)


@require_POST
@setup_required
def category_move(request, pk):
    user = request.user
    category = _category_for(user, pk)
    form = CategoryMoveForm(request.POST)
    if not form.is_valid():
        return respond(request, fallback="complaints:setup", refused=_("Choose up or down."))
    try:
        moved = setup_actions.move_category(category, actor=user, direction=form.cleaned_data["direction"])
    except ActionRefused as refusal:
        return respond(request, fallback="complaints:setup", refused=refusal.message)
    if not moved:
        return _nothing(request, "complaints:setup")
    return respond(
        request, fallback="complaints:setup", done=_("%(name)s is moved.") % {"name": category.display_name}
    )


@require_POST
@setup_required
def category_delete(request, pk):
    user = request.user
    category = _category_for(user, pk)
    try:
        setup_actions.delete_category(category, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="complaints:setup", refused=refusal.message)
    done = _("%(name)s is deleted.") % {"name": category.display_name}
    return respond(request, fallback="complaints:setup", done=done)


# ---- teams ------------------------------------------------------------------------------------------


def _teams(user):
    return list(
        Team.objects.visible_to(user)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.select_related("staff").order_by("staff__display_name"),
            )
        )
        .annotate(
            rule_count=Count("rules", distinct=True),
            open_count=Count(
                "complaints", filter=Q(complaints__state__in=Complaint.ACTIVE_STATES), distinct=True
            ),
        )
        .order_by("-is_default", "name")
    )


def _team_form(user, team=None, data=None, default_team=None, colleagues=None):
    prefix = f"team-{team.pk}" if team else "new"
    return TeamForm(
        data,
        store=user.store,
        team=team,
        default_team=default_team,
        colleagues=colleagues,
        prefix=prefix,
        auto_id=f"id_{prefix}-%s",
    )


def _teams_context(request, *, add_form=None, failed=None):
    user = request.user
    teams = _teams(user)
    default_team = next((team for team in teams if team.is_default), None)
    handlers = list(
        Staff.objects.filter(
            store_id=user.store_id, is_active=True, groups__name=Role.COMPLAINT_HANDLER.value
        ).order_by("display_name")
    )
    people = {membership.staff_id for team in teams for membership in team.memberships.all()}
    off = staff_off(people | {handler.pk for handler in handlers}, timezone.localdate())
    for handler in handlers:
        handler.is_off = handler.pk in off
    colleagues = store_colleagues(user.store_id)
    colleagues._fetch_all()  # read once for every form on the page
    for team in teams:
        is_failed = failed is not None and failed[0] == team.pk
        team.form = (
            failed[1]
            if is_failed
            else _team_form(user, team, default_team=default_team, colleagues=colleagues)
        )
        team.form_open = is_failed
        team.people = [membership.staff for membership in team.memberships.all()]
        for person in team.people:
            person.is_off = person.pk in off
        team.deletable = not team.is_default and not team.rule_count and not team.open_count
    return _base(
        "teams",
        teams=teams,
        handlers=handlers,
        add_form=add_form or _team_form(user, default_team=default_team, colleagues=colleagues),
        add_open=add_form is not None,
    )


def _teams_page(request, **context):
    return render(request, "complaints/setup/teams.html", _teams_context(request, **context))


def _team_values(form):
    data = form.cleaned_data
    return {
        "name": data["name"],
        "lead": data["lead"],
        "members": list(data["members"]),
        "is_default": data["is_default"],
    }


def _default_team(user):
    return Team.objects.visible_to(user).filter(is_default=True).first()


@require_http_methods(["GET", "POST"])
@setup_required
def teams(request):
    user = request.user
    if request.method == "GET":
        return _teams_page(request)
    form = _team_form(user, data=request.POST, default_team=_default_team(user))
    if form.is_valid():
        try:
            team, _changed = setup_actions.save_team(actor=user, **_team_values(form))
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            done = _("The team %(name)s is added.") % {"name": team.name}
            return respond(request, fallback="complaints:setup_teams", done=done)
    return _teams_page(request, add_form=form)


@require_POST
@setup_required
def team_change(request, pk):
    user = request.user
    team = Team.objects.prefetch_related("memberships").get_for(user, pk=pk)
    form = _team_form(user, team, data=request.POST, default_team=_default_team(user))
    if form.is_valid():
        try:
            team, changed = setup_actions.save_team(team, actor=user, **_team_values(form))
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "complaints:setup_teams")
            done = _("The team %(name)s is saved.") % {"name": team.name}
            return respond(request, fallback="complaints:setup_teams", done=done)
    return _teams_page(request, failed=(team.pk, form))


@require_POST
@setup_required
def team_delete(request, pk):
    user = request.user
    team = Team.objects.get_for(user, pk=pk)
    try:
        setup_actions.delete_team(team, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="complaints:setup_teams", refused=refusal.message)
    done = _("The team %(name)s is removed.") % {"name": team.name}
    return respond(request, fallback="complaints:setup_teams", done=done)


# ---- routing rules ----------------------------------------------------------------------------------


def _rule_form(user, rule=None, data=None):
    prefix = f"rule-{rule.pk}" if rule else "new"
    return RuleForm(data, store=user.store, rule=rule, prefix=prefix, auto_id=f"id_{prefix}-%s")


def _rules_context(request, *, add_form=None, failed=None):
    user = request.user
    rules = sorted(
        RoutingRule.objects.visible_to(user).select_related("category", "team"), key=routing.rule_rank
    )
    for place, rule in enumerate(rules, start=1):
        is_failed = failed is not None and failed[0] == rule.pk
        rule.form = failed[1] if is_failed else _rule_form(user, rule)
        rule.form_open = is_failed
        rule.place = place
        rule.kind = (
            "both" if rule.category_id and rule.counter else "category" if rule.category_id else "counter"
        )
    tried = _tried_route(request)
    if tried.get("rule") is not None:
        tried["place"] = next(rule.place for rule in rules if rule.pk == tried["rule"].pk)
    return _base(
        "rules",
        rules=rules,
        default_team=_default_team(user),
        add_form=add_form or _rule_form(user),
        add_open=add_form is not None,
        test_form=tried["form"],
        tried=tried,
    )


def _tried_route(request):
    """Where a complaint of the category and counter the user typed would go, and by which rule."""
    user = request.user
    if "category" not in request.GET and "counter" not in request.GET:
        return {"form": RouteTestForm(store=user.store, auto_id="id_try-%s"), "asked": False}
    values = read_query(RouteTestForm, request.GET, store=user.store)
    form = RouteTestForm(request.GET, store=user.store, auto_id="id_try-%s")
    category = values["category"]
    rule = routing.winning_rule(user.store_id, category.pk if category else None, values["counter"])
    team = rule.team if rule is not None else _default_team(user)
    return {"form": form, "asked": True, "rule": rule, "team": team, "values": values}


def _rules_page(request, **context):
    return render(request, "complaints/setup/rules.html", _rules_context(request, **context))


def _rule_values(form):
    data = form.cleaned_data
    return {
        "category": data["category"],
        "counter": data["counter"],
        "team": data["team"],
        "position": data["position"],
    }


@require_http_methods(["GET", "POST"])
@setup_required
def rules(request):
    user = request.user
    if request.method == "GET":
        return _rules_page(request)
    form = _rule_form(user, data=request.POST)
    if form.is_valid():
        try:
            setup_actions.save_rule(actor=user, **_rule_values(form))
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            return respond(request, fallback="complaints:setup_rules", done=_("The rule is added."))
    return _rules_page(request, add_form=form)


@require_POST
@setup_required
def rule_change(request, pk):
    user = request.user
    rule = RoutingRule.objects.get_for(user, pk=pk)
    form = _rule_form(user, rule, data=request.POST)
    if form.is_valid():
        try:
            _rule, changed = setup_actions.save_rule(rule, actor=user, **_rule_values(form))
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "complaints:setup_rules")
            return respond(request, fallback="complaints:setup_rules", done=_("The rule is saved."))
    return _rules_page(request, failed=(rule.pk, form))


@require_POST
@setup_required
def rule_delete(request, pk):
    user = request.user
    rule = RoutingRule.objects.get_for(user, pk=pk)
    try:
        setup_actions.delete_rule(rule, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="complaints:setup_rules", refused=refusal.message)
    return respond(request, fallback="complaints:setup_rules", done=_("The rule is removed."))


# ---- time limits: SLA policies and the numbers ------------------------------------------------------


def day_minutes(calendar):
    """The length of an average open day of the week, in minutes (0 when the week has none)."""
    from concierge.setup_hours import end_of, start_of

    lengths = []
    for weekday in range(7):
        minutes = sum(
            end_of(closes) - start_of(opens) for opens, closes in calendar.opening_hours.get(weekday, ())
        )
        if minutes > 0:
            lengths.append(minutes)
    return sum(lengths) / len(lengths) if lengths else 0


def in_words(minutes, per_day):
    """Business minutes as people think of them: "45 min", "2 h 30 min", "24 h · 2 business days"
    (days of `per_day` open minutes, to the half day: open days differ in length)."""
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        clock = _("%(minutes)s min") % {"minutes": rest}
    elif rest == 0:
        clock = _("%(hours)s h") % {"hours": hours}
    else:
        clock = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if not per_day or minutes < per_day:
        return clock
    days = minutes / per_day
    halves = round(days * 2) / 2
    if math.isclose(days, round(days), abs_tol=0.05):
        count = round(days)
        shown = ngettext("%(count)s business day", "%(count)s business days", count) % {"count": count}
    else:
        shown = _("about %(count)s business days") % {"count": f"{halves:g}"}
    return f"{clock} · {shown}"


def _sla_rows(form, minutes, calendar):
    now = timezone.now()
    per_day = day_minutes(calendar)
    rows = []
    for severity in reversed(Severity.values):
        contact, resolution = minutes[severity]
        default_contact, default_resolution = DEFAULT_SLA[severity]
        cells = []
        for field, value, default in (
            (sla_field(severity, "contact"), contact, default_contact),
            (sla_field(severity, "resolution"), resolution, default_resolution),
        ):
            due = add_business_minutes(now, value, calendar.opening_hours, calendar.closed_dates)
            cells.append((form[field], in_words(value, per_day), due, default))
        rows.append({"severity": Severity(severity), "cells": cells})
    return rows


def _sla_context(request, *, sla_form=None, numbers_form=None):
    user = request.user
    minutes = setup_actions.sla_minutes(user.store_id)
    calendar = business_calendar(user.store_id)
    sla_form = sla_form or SlaForm(initial=SlaForm.initial_for(minutes))
    settings = ComplaintSettings.for_store(user.store_id)
    return _base(
        "sla",
        sla_form=sla_form,
        sla_rows=_sla_rows(sla_form, minutes, calendar),
        own_policies=SlaPolicy.objects.visible_to(user).exists(),
        hours_are_default=calendar.is_default,
        numbers_form=numbers_form or ComplaintNumbersForm(instance=settings, prefix="numbers"),
        per_day_words=in_words(round(day_minutes(calendar)), 0),
    )


def _sla_page(request, **context):
    return render(request, "complaints/setup/sla.html", _sla_context(request, **context))


@require_http_methods(["GET", "POST"])
@setup_required
def sla(request):
    """The time limits per severity (GET), saving all four at once (POST)."""
    user = request.user
    if request.method == "GET":
        return _sla_page(request)
    form = SlaForm(request.POST)
    if form.is_valid():
        try:
            changed = setup_actions.save_sla_policies(actor=user, minutes=form.cleaned_data["minutes"])
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "complaints:setup_sla")
            done = _("The time limits are saved: new complaints get them; open ones keep their deadlines.")
            return respond(request, fallback="complaints:setup_sla", done=done)
    return _sla_page(request, sla_form=form)


@require_POST
@setup_required
def numbers(request):
    """The warning point, the escalation step and the reopening grace period."""
    user = request.user
    form = ComplaintNumbersForm(
        request.POST, instance=ComplaintSettings.for_store(user.store_id), prefix="numbers"
    )
    if form.is_valid():
        try:
            changed = setup_actions.save_complaint_settings(actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "complaints:setup_sla")
            return respond(request, fallback="complaints:setup_sla", done=_("The settings are saved."))
    return _sla_page(request, numbers_form=form)


# ---- compensation budgets ---------------------------------------------------------------------------


def _budgets_form(user, tiers, data=None):
    initial = None
    if data is None:
        amounts = dict(CompensationBudget.objects.visible_to(user).values_list("tier_id", "amount"))
        initial = {f"tier_{tier.pk}": amounts.get(tier.pk) for tier in tiers}
        initial["untiered"] = amounts.get(None)
        initial["default_budget"] = ComplaintSettings.for_store(user.store_id).default_budget
    return BudgetsForm(data, initial=initial, tiers=tiers)


def _compensation_context(request, *, form=None):
    user = request.user
    tiers = setup_actions.store_tiers(user.store)
    amounts = dict(CompensationBudget.objects.visible_to(user).values_list("tier_id", "amount"))
    default_budget = ComplaintSettings.for_store(user.store_id).default_budget
    fallback = amounts.get(None, default_budget)
    form = form or _budgets_form(user, tiers)
    rows = []
    for tier, field in form.tier_rows():
        own = amounts.get(tier.pk)
        rows.append(
            {"tier": tier, "field": field, "applies": own if own is not None else fallback, "own": own}
        )
    return _base(
        "compensation",
        form=form,
        rows=rows,
        untiered_applies=fallback,
        untiered_own=amounts.get(None),
        default_budget=default_budget,
        has_program=user.store.tier_program_id is not None,
    )


@require_http_methods(["GET", "POST"])
@setup_required
def compensation(request):
    user = request.user
    if request.method == "GET":
        return render(request, "complaints/setup/compensation.html", _compensation_context(request))
    form = _budgets_form(user, setup_actions.store_tiers(user.store), data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = setup_actions.save_budgets(
                actor=user, amounts=data["amounts"], default_budget=data["default_budget"]
            )
        except ActionRefused as refusal:
            _refused(form, refusal)
        else:
            if not changed:
                return _nothing(request, "complaints:setup_compensation")
            return respond(
                request,
                fallback="complaints:setup_compensation",
                done=_("The compensation budgets are saved."),
            )
    return render(request, "complaints/setup/compensation.html", _compensation_context(request, form=form))


# ---- the Settings' log of changes ------------------------------------------------------------------

NUMBER_LABELS = {
    "warning_percent": ComplaintSettings._meta.get_field("warning_percent").verbose_name,
    "escalation_step_minutes": ComplaintSettings._meta.get_field("escalation_step_minutes").verbose_name,
    "reopen_grace_days": ComplaintSettings._meta.get_field("reopen_grace_days").verbose_name,
}


def _or_dash(value):
    return "—" if value in (None, "", []) else value


def _severity_label(value):
    return Severity(value).label if value in Severity.values else value


def change_details(entry):
    """What a "complaint_setup.*" entry changed, in the reader's language (concierge.extensions)."""
    code, data = entry.action, entry.data or {}
    if not code.startswith("complaint_setup."):
        return ""
    arrow = _("%(before)s → %(after)s")
    if code == "complaint_setup.category_renamed":
        code_of = data.get("built_in", "")
        return arrow % {
            "before": _category_name(code_of, data.get("name_before", "")),
            "after": _category_name(code_of, data.get("name", "")),
        }
    if code == "complaint_setup.sla_changed":
        return "; ".join(
            f"{_severity_label(severity)}: "
            + arrow % {"before": "/".join(map(str, before)), "after": "/".join(map(str, after))}
            for severity, (before, after) in (data.get("changed") or {}).items()
        )
    if code == "complaint_setup.settings_changed":
        return "; ".join(
            f"{NUMBER_LABELS.get(field, field)}: " + arrow % {"before": before, "after": after}
            for field, (before, after) in (data.get("changed") or {}).items()
        )
    if code == "complaint_setup.budgets_changed":
        parts = [
            f"{name or _('No tier, and walk-in customers')}: "
            + arrow % {"before": _or_dash(before), "after": _or_dash(after)}
            for name, before, after in data.get("budgets") or []
        ]
        if data.get("default_budget"):
            before, after = data["default_budget"]
            parts.append(_("Default budget") + ": " + arrow % {"before": before, "after": after})
        return "; ".join(parts)
    if code in ("complaint_setup.team_changed", "complaint_setup.rule_changed"):
        labels = {
            "name": _("name"),
            "lead": _("team lead"),
            "members": _("team members"),
            "is_default": _("default team"),
            "category": _("category"),
            "counter": _("brand or counter"),
            "team": _("team"),
            "position": _("position"),
        }
        parts = []
        for field, (before, after) in (data.get("changed") or {}).items():
            if isinstance(before, list):
                before, after = ", ".join(before), ", ".join(after)
            if isinstance(before, bool):
                before, after = (_("yes") if before else _("no")), (_("yes") if after else _("no"))
            parts.append(
                f"{labels.get(field, field)}: "
                + arrow % {"before": _or_dash(before), "after": _or_dash(after)}
            )
        if data.get("default_from"):
            parts.append(_("the default before: %(team)s") % {"team": data["default_from"]})
        return "; ".join(parts)
    if code == "complaint_setup.category_moved":
        return _("to place %(place)s") % {"place": data.get("place", "")}
    if code == "complaint_setup.team_added":
        members = ", ".join(data.get("members") or []) or _("every complaint handler")
        return _("team members: %(members)s") % {"members": members}
    return ""


def _category_name(code, name):
    """A category's name as the reader reads it: its own name, else the built-in one in their language."""
    return name or str(CATEGORY_LABELS.get(code, code)) or "—"


SUBJECTS = {
    "complaint_setup.sla_changed": gettext_lazy("Complaint time limits"),
    "complaint_setup.settings_changed": gettext_lazy("Complaint warning, escalation and reopening"),
    "complaint_setup.budgets_changed": gettext_lazy("Compensation budgets"),
}


def change_subject(entry):
    """What a "complaint_setup.*" entry is about, for the log's third column ("" to keep its own)."""
    code, data = entry.action, entry.data or {}
    if not code.startswith("complaint_setup."):
        return ""
    if code in SUBJECTS:
        return str(SUBJECTS[code])
    if code.startswith("complaint_setup.category_") and "built_in" in data:
        return _category_name(data.get("built_in", ""), data.get("name", ""))
    if code.startswith("complaint_setup.rule_") and "team" in data:
        return describe_rule(data.get("category"), data.get("counter"), data.get("team"))
    return ""


def describe_rule(category, counter, team):
    if category and counter:
        return _("%(category)s at %(counter)s → %(team)s") % {
            "category": category,
            "counter": counter,
            "team": team,
        }
    if category:
        return _("%(category)s → %(team)s") % {"category": category, "team": team}
    return _("at %(counter)s → %(team)s") % {"counter": counter, "team": team}


urlpatterns = [
    path("setup/", categories, name="setup"),
    path("setup/categories/<int:pk>/", category_rename, name="setup_category"),
    path("setup/categories/<int:pk>/active/", category_active, name="setup_category_active"),
    path("setup/categories/<int:pk>/move/", category_move, name="setup_category_move"),
    path("setup/categories/<int:pk>/delete/", category_delete, name="setup_category_delete"),
    path("setup/teams/", teams, name="setup_teams"),
    path("setup/teams/<int:pk>/", team_change, name="setup_team"),
    path("setup/teams/<int:pk>/delete/", team_delete, name="setup_team_delete"),
    path("setup/rules/", rules, name="setup_rules"),
    path("setup/rules/<int:pk>/", rule_change, name="setup_rule"),
    path("setup/rules/<int:pk>/delete/", rule_delete, name="setup_rule_delete"),
    path("setup/time-limits/", sla, name="setup_sla"),
    path("setup/time-limits/numbers/", numbers, name="setup_numbers"),
    path("setup/compensation/", compensation, name="setup_compensation"),
]
