"""Revival cases on the tablet: a staff member's cases in the open campaigns, one case with why the
member matters, the attempts and the script, and the store manager's daily review.

Cases are read from the user's store only; a VIP manager sees their own cases, the store manager
everyone's (and works them too). Every change goes through tasks/revival/cases.py.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.db.models import Case as SqlCase
from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from concierge import extensions
from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.extensions import MemberAlert
from concierge.models import ContactLog, Purchase
from concierge.models.members import value_class_rank
from concierge.views.responses import render_page, respond, wants_partial
from tasks.forms_revival_cases import (
    ACTIVE,
    RevivalAttemptForm,
    RevivalCasesQueryForm,
    RevivalGuidanceForm,
    RevivalLostForm,
    RevivalReassignForm,
    RevivalReviewQueryForm,
    RevivalScriptForm,
)
from tasks.models import CareTask, RevivalCampaign, RevivalCase, RevivalQuota
from tasks.revival import cases as actions
from tasks.revival.scripts import script_for, script_titles

PAGE_SIZE = 50
REVIEW_ROWS = 30
YEAR = dt.timedelta(days=365)
MONEY = DecimalField(max_digits=14, decimal_places=2)

CASE_TEMPLATE = "tasks/revival/case.html"


# ---- reading cases ----------------------------------------------------------------------------------


def _is_manager(user):
    return user.has_perm("tasks.manage_revival")


def cases_for(user):
    """The cases the user may open: their own, or any of their store's for the store manager."""
    cases = RevivalCase.objects.visible_to(user)
    if not _is_manager(user):
        cases = cases.filter(staff=user)
    return cases


def _case_for(user, pk):
    try:
        return (
            cases_for(user).select_related("campaign", "member", "member__tier", "staff", "store").get(pk=pk)
        )
    except RevivalCase.DoesNotExist as exc:
        raise Http404 from exc


def spend_before_quiet():
    """The member's spend in the year up to their last purchase, as an expression on cases: for a
    case still to win back, the last purchase is where they went quiet."""
    last = OuterRef("member__last_purchase_at")
    total = (
        Purchase.objects.filter(
            member_id=OuterRef("member_id"), purchased_at__lte=last, purchased_at__gt=last - YEAR
        )
        .order_by()
        .values("member_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)


def ranked_cases(cases, today):
    """Next step due today or late first (the oldest first); then the ones never contacted, most
    valuable first (class A, then spend before going quiet); then the rest; closed ones last."""
    active = Q(state__in=RevivalCase.ACTIVE_STATES)
    bucket = SqlCase(
        When(active & Q(next_step_on__lte=today), then=Value(0)),
        When(active & Q(attempts_count=0), then=Value(1)),
        When(active, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return cases.annotate(
        bucket=bucket, value_rank=value_class_rank("value_class"), quiet_spend=spend_before_quiet()
    ).order_by(
        "bucket",
        F("next_step_on").asc(nulls_last=True),
        "value_rank",
        "-quiet_spend",
        F("dormant_since").asc(nulls_last=True),
        "pk",
    )


def _query(request):
    """The list's filters; a bad value is shown on the form and the list falls back to its default."""
    form = RevivalCasesQueryForm(request.GET, user=request.user)
    if form.is_valid():
        return form, form.cleaned_data
    return form, {"state": ACTIVE, "campaign": None, "staff": None, "offset": 0}


def quotas_of(user, owner, campaign=None):
    """The owner's quotas in the store's open campaigns, with how many they revived so far."""
    revived = (
        RevivalCase.objects.filter(
            campaign_id=OuterRef("campaign_id"),
            staff_id=OuterRef("staff_id"),
            state=RevivalCase.State.REVIVED,
        )
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    quotas = RevivalQuota.objects.filter(
        campaign__store_id=user.store_id, campaign__state=RevivalCampaign.State.OPEN, staff=owner
    )
    if campaign is not None:
        quotas = quotas.filter(campaign=campaign)
    return list(
        quotas.select_related("campaign")
        .annotate(revived=Coalesce(Subquery(revived, output_field=IntegerField()), Value(0)))
        .order_by("campaign__end", "campaign_id")
    )


@require_GET
@permission_required("tasks.work_revival", raise_exception=True)
@store_required
def my_cases(request):
    user = request.user
    form, query = _query(request)
    today = timezone.localdate()
    cases = cases_for(user).filter(campaign__state=RevivalCampaign.State.OPEN)
    owner = query.get("staff") if _is_manager(user) else user
    if owner is not None:
        cases = cases.filter(staff=owner)
    if query["campaign"] is not None:
        cases = cases.filter(campaign=query["campaign"])
    if query["state"] == ACTIVE:
        cases = cases.filter(state__in=RevivalCase.ACTIVE_STATES)
    elif query["state"]:
        cases = cases.filter(state=query["state"])
    offset = query.get("offset") or 0
    rows = list(
        ranked_cases(cases, today).select_related("member", "member__tier", "staff", "campaign")[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for row in rows:
        row.late_days = (today - row.next_step_on).days if row.next_step_on else None
    filters = {
        key: value
        for key, value in request.GET.items()
        if key in ("state", "campaign", "staff") and form.is_valid()
    }
    context = {
        "active_nav": "revival_cases",
        "form": form,
        "rows": rows,
        "more": more,
        "next_url": reverse("tasks:revival_my_cases")
        + "?"
        + urlencode({**filters, "offset": offset + PAGE_SIZE}),
        "offset": offset,
        "owner": owner,
        "quotas": quotas_of(user, owner, query["campaign"]) if owner is not None else [],
        "is_manager": _is_manager(user),
        "today": today,
    }
    if wants_partial(request) and "offset" in request.GET:
        return render_page(request, "tasks/revival/cases.html", context, partial="rows")
    return render_page(request, "tasks/revival/cases.html", context)


# ---- one case ----------------------------------------------------------------------------------------


def quiet_window(case):
    """(from, until): the year up to the member's last purchase before the campaign began."""
    start = timezone.make_aware(dt.datetime.combine(case.campaign.start, dt.time.min))
    last = case.member.last_purchase_at
    if last is None or last >= start:
        last = (
            Purchase.objects.filter(member_id=case.member_id, purchased_at__lt=start)
            .order_by("-purchased_at")
            .values_list("purchased_at", flat=True)
            .first()
        )
    return (last - YEAR, last) if last else (None, None)


def member_figures(case):
    """Spend and returns in the year before the member went quiet, in one query."""
    since, until = quiet_window(case)
    if until is None:
        return {"spend": Decimal("0"), "returns": 0, "returned": Decimal("0"), "since": None, "until": None}
    figures = Purchase.objects.filter(
        member_id=case.member_id, purchased_at__gt=since, purchased_at__lte=until
    ).aggregate(
        spend=Coalesce(Sum("amount"), Value(Decimal("0")), output_field=MONEY),
        returns=Count("pk", filter=Q(amount__lt=0)),
        returned=Coalesce(Sum("amount", filter=Q(amount__lt=0)), Value(Decimal("0")), output_field=MONEY),
    )
    return {**figures, "since": since, "until": until}


def over_sold_signals(figures, attempts):
    """Why staff must not hard-sell this member: said so on an earlier call, or returned purchases
    in the year before going quiet (bought what they did not want)."""
    signals = []
    if any(attempt.over_sold for attempt in attempts):
        signals.append(_("An earlier call recorded that they felt pushed to buy."))
    if figures["returns"]:
        signals.append(
            ngettext(
                "%(count)s purchase returned in the year before they went quiet.",
                "%(count)s purchases returned in the year before they went quiet.",
                figures["returns"],
            )
            % {"count": figures["returns"]}
        )
    return signals


def case_matters(user, member):
    """Other apps' warnings (an open complaint) and the member's outreach pause."""
    matters = list(extensions.member_alerts(user, member))
    if member.outreach_held:
        if not any(matter.level == "warning" for matter in matters):
            matters.append(MemberAlert(_("No sales outreach while the complaint is open")))
    elif member.outreach_paused_until and member.outreach_paused_until >= timezone.localdate():
        matters.append(
            MemberAlert(
                _("Outreach paused until %(date)s: %(reason)s")
                % {"date": member.outreach_paused_until.isoformat(), "reason": member.outreach_pause_reason}
            )
        )
    return matters


def _may_work(user, case):
    return case.staff_id == user.pk or (_is_manager(user) and user.store_id == case.store_id)


def _script_reason(request, form=None):
    """The reason whose script to show: the one chosen on a form sent back, else the address's."""
    if form is not None and form.is_bound:
        reason = form.data.get("reason", "")
        return reason if reason in CareTask.DormantReason.values else ""
    data = RevivalScriptForm(request.GET)
    return data.cleaned_data["reason"] if data.is_valid() else ""


def case_context(request, case, *, attempt_form=None, guidance_form=None, reassign_form=None, lost_form=None):
    user = request.user
    member = case.member
    attempts = list(case.attempts.select_related("staff", "appointment").order_by("-at", "-pk"))
    figures = member_figures(case)
    is_open = case.campaign.state == RevivalCampaign.State.OPEN and case.state in RevivalCase.ACTIVE_STATES
    manager = _is_manager(user) and user.store_id == case.store_id
    reason = _script_reason(request, attempt_form)
    may_work = _may_work(user, case)
    case_url = reverse("tasks:revival_case", args=[case.pk])
    # The complaints app shows the member's complaint history to a dormant review: this is one.
    review = SimpleNamespace(
        pk=f"case-{case.pk}", kind=CareTask.Kind.DORMANT_REVIEW, member=member, store=case.store
    )
    context = {
        "active_nav": "revival_cases",
        "case": case,
        "member": member,
        "today": timezone.localdate(),
        "phone": member.phone_for(user),
        "can_call": user.has_perm("concierge.view_member_phone"),
        "figures": figures,
        "purchases": list(member.purchases.order_by("-purchased_at", "-pk")[:5]),
        "contacts": list(ContactLog.objects.filter(member=member).select_related("staff")[:5]),
        "matters": case_matters(user, member),
        "task_sections": extensions.care_task_sections(request, review),
        "attempts": attempts,
        "over_sold": over_sold_signals(figures, attempts),
        "guidance": [line for line in case.guidance.splitlines() if line.strip()],
        "can_work": is_open and may_work,
        "is_manager": manager and is_open,
        # Said by whoever makes the call: the case's staff member, or the store manager stepping in.
        "script": script_for(reason, member=member, staff=user if may_work else case.staff, store=case.store),
        "scripts": script_titles(),
        "case_url": case_url,
        "attempt_form": attempt_form or RevivalAttemptForm(case=case, initial={"reason": reason}),
        "guidance_form": guidance_form or RevivalGuidanceForm(),
        "reassign_form": reassign_form or RevivalReassignForm(case=case),
        "lost_form": lost_form or RevivalLostForm(),
        "book_url": f"{reverse('concierge:book')}?{urlencode({'member': member.pk, 'next': case_url})}"
        if user.has_perm("concierge.add_appointment")
        else "",
    }
    return context


@require_GET
@permission_required("tasks.work_revival", raise_exception=True)
@store_required
def case_detail(request, pk):
    """The case; asked by htmx (the reason chosen changed), only the script for that reason."""
    case = _case_for(request.user, pk)
    return render_page(request, CASE_TEMPLATE, case_context(request, case), partial="script")


def _answer(request, case, *, done=None, refused=None, sent_back=False, **forms):
    def draw(notice):
        # Read again: the action saved a copy of the case, and the protected state cannot be refreshed.
        fresh = _case_for(request.user, case.pk) if not sent_back else case
        context = {**case_context(request, fresh, **forms), "notice": notice}
        return render_page(request, CASE_TEMPLATE, context, partial="case")

    return respond(
        request,
        render=draw,
        fallback=reverse("tasks:revival_case", args=[case.pk]),
        done=done,
        refused=refused,
        form_sent_back=sent_back,
    )


@require_POST
@permission_required("tasks.work_revival", raise_exception=True)
@store_required
def record(request, pk):
    case = _case_for(request.user, pk)
    form = RevivalAttemptForm(request.POST, case=case)
    if not form.is_valid():
        return _answer(
            request, case, refused=_("Check the answers below."), sent_back=True, attempt_form=form
        )
    try:
        actions.record_attempt(case, request.user, **form.arguments())
    except ActionRefused as refused:
        return _answer(request, case, refused=refused.message, sent_back=True, attempt_form=form)
    return _answer(
        request,
        case,
        done=_("Attempt recorded for %(member)s. It is in the member's contact log.")
        % {"member": case.member.name},
    )


def _manager_post(request, pk, form_class, name, run, done):
    if not _is_manager(request.user):
        raise Http404
    case = _case_for(request.user, pk)
    kwargs = {"case": case} if form_class is RevivalReassignForm else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _answer(request, case, refused=_("Check the answers below."), sent_back=True, **{name: form})
    try:
        run(case, form.cleaned_data)
    except ActionRefused as refused:
        return _answer(request, case, refused=refused.message, sent_back=True, **{name: form})
    return _answer(request, case, done=done(case, form.cleaned_data))


@require_POST
@permission_required("tasks.manage_revival", raise_exception=True)
@store_required
def guidance(request, pk):
    return _manager_post(
        request,
        pk,
        RevivalGuidanceForm,
        "guidance_form",
        lambda case, data: actions.add_guidance(case, request.user, data["text"]),
        lambda case, data: _("Guidance saved; %(name)s is alerted.") % {"name": case.staff},
    )


@require_POST
@permission_required("tasks.manage_revival", raise_exception=True)
@store_required
def reassign(request, pk):
    return _manager_post(
        request,
        pk,
        RevivalReassignForm,
        "reassign_form",
        lambda case, data: actions.reassign_case(case, request.user, data["staff"]),
        lambda case, data: _("The case is now with %(name)s.") % {"name": data["staff"]},
    )


@require_POST
@permission_required("tasks.manage_revival", raise_exception=True)
@store_required
def lost(request, pk):
    return _manager_post(
        request,
        pk,
        RevivalLostForm,
        "lost_form",
        lambda case, data: actions.mark_lost(case, request.user, data["reason"]),
        lambda case, data: _("%(member)s closed as lost for good.") % {"member": case.member.name},
    )


# ---- the member's profile ----------------------------------------------------------------------------


def member_revival_sections(request, member):
    """A line on the member's profile while they are in an open campaign: with whom, and how far."""
    user = request.user
    if not user.has_perm("tasks.view_revivalcase"):
        return []
    cases = list(
        RevivalCase.objects.visible_to(user)
        .filter(member=member, campaign__state=RevivalCampaign.State.OPEN)
        .select_related("campaign", "staff")
        .order_by("campaign__end", "pk")
    )
    if not cases:
        return []
    for case in cases:
        case.may_open = case.staff_id == user.pk or _is_manager(user)
    return [render_to_string("tasks/revival/case_member.html", {"cases": cases}, request=request)]


# ---- the store manager's daily review -----------------------------------------------------------------


def progress(campaigns):
    """Per person and campaign: members, contacted, reached, revived, target. One aggregate query
    over the cases (which keep whether anyone reached the member), and the quotas, whatever the
    number of members."""
    quotas = list(
        RevivalQuota.objects.filter(campaign__in=campaigns)
        .select_related("staff", "campaign")
        .order_by("campaign__end", "campaign_id", "staff__display_name", "staff_id")
    )
    counts = {
        (row["campaign_id"], row["staff_id"]): row
        for row in RevivalCase.objects.filter(campaign__in=campaigns)
        .values("campaign_id", "staff_id")
        .annotate(
            members=Count("pk"),
            contacted=Count("pk", filter=Q(attempts_count__gt=0)),
            reached=Count("pk", filter=Q(reached=True)),
            revived=Count("pk", filter=Q(state=RevivalCase.State.REVIVED)),
            lost=Count("pk", filter=Q(state=RevivalCase.State.LOST)),
        )
        .order_by()
    }
    rows = []
    for quota in quotas:
        key = (quota.campaign_id, quota.staff_id)
        row = counts.get(key, {})
        quota.members = row.get("members", 0)
        quota.contacted = row.get("contacted", 0)
        quota.revived = row.get("revived", 0)
        quota.lost = row.get("lost", 0)
        quota.reached = row.get("reached", 0)
        quota.percent = round(100 * quota.revived / quota.target) if quota.target else None
        rows.append(quota)
    return rows


def stalled_filter(campaigns, now, today):
    """Cases tried before whose last attempt is older than their campaign's stall days, or whose
    next step's date has passed."""
    quiet = Q()
    for campaign in campaigns:
        quiet |= Q(campaign=campaign, last_attempt_at__lt=now - dt.timedelta(days=campaign.stall_days))
    return Q(attempts_count__gt=0) & (quiet | Q(next_step_on__lt=today))


@require_GET
@permission_required("tasks.manage_revival", raise_exception=True)
@store_required
def review(request):
    user = request.user
    now, today = timezone.now(), timezone.localdate()
    form = RevivalReviewQueryForm(request.GET, user=user)
    chosen = form.cleaned_data.get("campaign") if form.is_valid() else None
    campaigns = list(
        RevivalCampaign.objects.visible_to(user)
        .filter(state=RevivalCampaign.State.OPEN)
        .order_by("end", "pk")
    )
    if chosen is not None:
        campaigns = [campaign for campaign in campaigns if campaign.pk == chosen.pk]
    active = (
        RevivalCase.objects.visible_to(user)
        .filter(campaign__in=campaigns, state__in=RevivalCase.ACTIVE_STATES)
        .select_related("member", "staff", "campaign")
    )
    untried = active.filter(attempts_count=0)
    stalled = active.filter(stalled_filter(campaigns, now, today)) if campaigns else active.none()
    untried_rows = list(
        untried.order_by("created_at", F("dormant_since").asc(nulls_last=True), "pk")[:REVIEW_ROWS]
    )
    stalled_rows = list(stalled.order_by(F("last_attempt_at").asc(nulls_first=True), "pk")[:REVIEW_ROWS])
    for row in stalled_rows:
        row.late_days = (today - row.next_step_on).days if row.next_step_on else None
        row.quiet_days = (now - row.last_attempt_at).days if row.last_attempt_at else None
    context = {
        "active_nav": "revival_cases",
        "form": form,
        "campaigns": campaigns,
        "progress": progress(campaigns) if campaigns else [],
        "untried": untried_rows,
        "untried_count": untried.count() if len(untried_rows) == REVIEW_ROWS else len(untried_rows),
        "stalled": stalled_rows,
        "stalled_count": stalled.count() if len(stalled_rows) == REVIEW_ROWS else len(stalled_rows),
        "today": today,
    }
    return render_page(request, "tasks/revival/review.html", context, partial="review")


urlpatterns = [
    path("revival/cases/", my_cases, name="revival_my_cases"),
    path("revival/cases/<int:pk>/", case_detail, name="revival_case"),
    path("revival/cases/<int:pk>/attempt/", record, name="revival_attempt"),
    path("revival/cases/<int:pk>/guidance/", guidance, name="revival_guidance"),
    path("revival/cases/<int:pk>/reassign/", reassign, name="revival_reassign"),
    path("revival/cases/<int:pk>/lost/", lost, name="revival_lost"),
    path("revival/review/", review, name="revival_review"),
]
