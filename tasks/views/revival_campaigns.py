"""Revival campaigns' pages: the list, a new campaign (with a preview of the pool and the spread),
the campaign page (its terms, state and quotas; open, close, settle), and the store's revival
settings in Settings.

The store manager runs them (tasks.manage_revival); a VIP manager sees the store's campaigns and
their own part, read only. Another store's campaign is a 404. Plain forms: a good post is
redirected with a message; a form with errors, or a refusal, comes back with status 200.
"""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.views.responses import render_page, respond
from tasks.models import RevivalCampaign, RevivalCase, RevivalQuota, RevivalSettings
from tasks.models.revival import CAMPAIGN_TERMS
from tasks.revival import campaigns
from tasks.revival.forms import RevivalCampaignForm, RevivalCloseForm, RevivalPeopleForm, RevivalSettingsForm

State = RevivalCampaign.State


def _viewer(view):
    return permission_required("tasks.work_revival", raise_exception=True)(store_required(view))


def _manager(view):
    return permission_required("tasks.manage_revival", raise_exception=True)(store_required(view))


def _this_month():
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


# ---- the list -----------------------------------------------------------------------------------


@require_GET
@_viewer
def campaign_list(request):
    user = request.user
    rows = (
        RevivalCampaign.objects.visible_to(user)
        .annotate(revived=Count("cases", filter=Q(cases__state=RevivalCase.State.REVIVED)))
        .order_by("-start", "-id")
    )
    return render_page(
        request,
        "tasks/revival/campaign_list.html",
        {"campaigns": rows, "may_manage": user.has_perm("tasks.manage_revival"), "active_nav": "revival"},
    )


# ---- a new campaign -----------------------------------------------------------------------------


def _new_forms(request, data=None):
    store = request.user.store
    first, last = _this_month()
    campaign_form = RevivalCampaignForm(
        data,
        instance=RevivalCampaign(store=store, **campaigns.default_terms(store)),
        initial={"start": first, "end": last, "name": _default_name(first)},
    )
    day = first
    if data is not None and campaign_form.is_valid():
        day = campaign_form.cleaned_data["start"]
    people_form = RevivalPeopleForm(data, store=store, day=day)
    return campaign_form, people_form


def _default_name(first):
    return _("Revival %(month)s") % {"month": first.strftime("%Y-%m")}


def _preview_rows(people_form, result, percent):
    names = {person.pk: person for person in people_form.people}
    weights = people_form.weights()
    return [
        {
            "staff": names[pk],
            "weight": weights[pk],
            "share": share,
            "own": result["own"][pk],
            "target": campaigns.target_for(share, percent),
        }
        for pk, share in sorted(result["shares"].items(), key=lambda item: str(names[item[0]]))
    ]


def _new_page(request, campaign_form, people_form, preview=None, status=200):
    return render_page(
        request,
        "tasks/revival/campaign_new.html",
        {
            "form": campaign_form,
            "people": people_form,
            "preview": preview,
            "active_nav": "revival",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@_manager
def campaign_new(request):
    user = request.user
    if request.method == "GET":
        return _new_page(request, *_new_forms(request))
    campaign_form, people_form = _new_forms(request, request.POST)
    if not (campaign_form.is_valid() and people_form.is_valid()):
        return _new_page(request, campaign_form, people_form)
    values = campaign_form.cleaned_data
    intent = people_form.cleaned_data["intent"]
    if intent == "preview":
        result = campaigns.preview(user.store, values["start"], people_form.weights())
        rows = _preview_rows(people_form, result, values["target_percent"])
        return _new_page(request, campaign_form, people_form, {"pool": result["pool"], "rows": rows})
    try:
        with transaction.atomic():
            campaign = campaigns.draft_campaign(
                user.store,
                user,
                name=values["name"],
                start=values["start"],
                end=values["end"],
                **campaign_form.terms(),
            )
            if intent == "open":
                campaign = campaigns.open_campaign(campaign, user, people_form.weights())
    except ActionRefused as refusal:
        campaign_form.add_error(None, refusal.message)
        return _new_page(request, campaign_form, people_form)
    if intent == "open":
        done = _("The campaign is open: %(count)s members were spread and each person was alerted.") % {
            "count": campaign.pool_size
        }
    else:
        done = _("The draft is saved; open it when the team is ready.")
    return respond(request, fallback=reverse("tasks:revival_campaign", args=[campaign.pk]), done=done)


# ---- the campaign page --------------------------------------------------------------------------


def _terms(campaign):
    return [
        (RevivalCampaign._meta.get_field(name).verbose_name, getattr(campaign, name))
        for name in CAMPAIGN_TERMS
    ]


def _quota_rows(campaign, only=None):
    counts = {}
    cases = RevivalCase.objects.filter(campaign=campaign)
    if only is not None:
        cases = cases.filter(staff=only)
    for row in cases.values("staff_id", "state").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["staff_id"], {})[row["state"]] = row["n"]
    quotas = RevivalQuota.objects.filter(campaign=campaign).select_related("staff")
    if only is not None:
        quotas = quotas.filter(staff=only)
    rows = []
    for quota in quotas:
        mine = counts.get(quota.staff_id, {})
        rows.append(
            {
                "quota": quota,
                "revived": mine.get(RevivalCase.State.REVIVED, 0),
                "contacted": mine.get(RevivalCase.State.CONTACTED, 0),
                "open": mine.get(RevivalCase.State.OPEN, 0),
            }
        )
    return sorted(rows, key=lambda row: str(row["quota"].staff))


def _detail_context(request, campaign, *, people=None, close_form=None, preview=None, refused=None):
    user = request.user
    manages = user.has_perm("tasks.manage_revival")
    context = {
        "campaign": campaign,
        "terms": _terms(campaign),
        "may_manage": manages,
        "rows": _quota_rows(campaign, only=None if manages else user),
        "revived": RevivalCase.objects.filter(campaign=campaign, state=RevivalCase.State.REVIVED).count(),
        "active_nav": "revival",
        "preview": preview,
        "refused": refused,
    }
    if manages and campaign.state == State.DRAFT:
        context["people"] = people or RevivalPeopleForm(store=user.store, day=campaign.start)
    if manages and campaign.state == State.OPEN:
        context["close_form"] = close_form or RevivalCloseForm()
    if manages and campaign.state == State.CLOSED:
        provisional, pending = campaigns.settle_blockers(campaign)
        context["blockers"] = {"provisional": provisional, "pending": pending}
    return context


def _detail_page(request, campaign, **kwargs):
    return render_page(
        request, "tasks/revival/campaign_detail.html", _detail_context(request, campaign, **kwargs)
    )


def _campaign_for(request, pk):
    return RevivalCampaign.objects.select_related("store", "created_by").get_for(request.user, pk=pk)


@require_GET
@_viewer
def campaign_detail(request, pk):
    return _detail_page(request, _campaign_for(request, pk))


def _done_or_refused(request, campaign, run, done):
    try:
        run()
    except ActionRefused as refusal:
        return _detail_page(request, RevivalCampaign.objects.get(pk=campaign.pk), refused=refusal.message)
    return respond(request, fallback=reverse("tasks:revival_campaign", args=[campaign.pk]), done=done)


@require_POST
@_manager
def campaign_open(request, pk):
    campaign = _campaign_for(request, pk)
    people = RevivalPeopleForm(request.POST, store=request.user.store, day=campaign.start)
    if not people.is_valid() or campaign.state != State.DRAFT:
        if campaign.state != State.DRAFT:
            return _detail_page(request, campaign, refused=_("This campaign is already open."))
        return _detail_page(request, campaign, people=people)
    if people.cleaned_data["intent"] == "preview":
        result = campaigns.preview(campaign.store, campaign.start, people.weights())
        preview = {"pool": result["pool"], "rows": _preview_rows(people, result, campaign.target_percent)}
        return _detail_page(request, campaign, people=people, preview=preview)

    def run():
        campaigns.open_campaign(campaign, request.user, people.weights())

    done = _("The campaign is open; each person was alerted with their members.")
    return _done_or_refused(request, campaign, run, done)


@require_POST
@_manager
def campaign_close(request, pk):
    campaign = _campaign_for(request, pk)
    form = RevivalCloseForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, campaign, close_form=form)

    def run():
        campaigns.close_campaign(campaign, request.user, reason=form.cleaned_data["reason"])

    return _done_or_refused(
        request, campaign, run, _("The campaign is closed; the cases nobody had tried closed with it.")
    )


@require_POST
@_manager
def campaign_settle(request, pk):
    campaign = _campaign_for(request, pk)

    def run():
        campaigns.settle_campaign(campaign, request.user)

    return _done_or_refused(request, campaign, run, _("The campaign is settled; its contacted cases closed."))


@require_POST
@_manager
def campaign_delete(request, pk):
    campaign = _campaign_for(request, pk)
    try:
        campaigns.delete_draft(campaign, request.user)
    except ActionRefused as refusal:
        return _detail_page(request, campaign, refused=refusal.message)
    return respond(request, fallback="tasks:revival_campaigns", done=_("The draft is removed."))


# ---- the store's revival settings (Settings) ----------------------------------------------------


def _setup_page(request, form):
    row = RevivalSettings.for_store(request.user.store)
    return render_page(
        request,
        "tasks/revival/campaign_setup.html",
        {"form": form, "row": row, "active_nav": "setup", "setup_nav": "revival"},
    )


@require_http_methods(["GET", "POST"])
@permission_required("tasks.change_revivalsettings", raise_exception=True)
@store_required
def revival_setup(request):
    current = RevivalSettings.for_store(request.user.store)
    if request.method == "GET":
        return _setup_page(request, RevivalSettingsForm(instance=current))
    form = RevivalSettingsForm(request.POST, instance=RevivalSettings.for_store(request.user.store))
    if form.is_valid():
        try:
            changed = campaigns.save_settings(request.user, form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if not changed:
                return respond(
                    request, fallback="tasks:revival_setup", done=_("Nothing was changed."), level="info"
                )
            return respond(
                request,
                fallback="tasks:revival_setup",
                done=_("The revival settings are saved: new campaigns take them; drafted ones keep theirs."),
            )
    return _setup_page(request, form)


SETTING_LABELS = {
    name: RevivalSettings._meta.get_field(name).verbose_name for name in campaigns.SETTINGS_FIELDS
}


def change_details(entry):
    """What a "revival_setup.changed" entry changed, in the reader's language (Settings' log)."""
    if entry.action != "revival_setup.changed":
        return ""
    arrow = _("%(before)s → %(after)s")
    parts = []
    for field, (before, after) in ((entry.data or {}).get("changed") or {}).items():
        if isinstance(before, bool):
            before, after = (_("yes") if before else _("no")), (_("yes") if after else _("no"))
        parts.append(f"{SETTING_LABELS.get(field, field)}: " + arrow % {"before": before, "after": after})
    return "; ".join(parts)


def change_subject(entry):
    return str(gettext_lazy("Revival settings")) if entry.action == "revival_setup.changed" else ""


urlpatterns = [
    path("revival/campaigns/", campaign_list, name="revival_campaigns"),
    path("revival/campaigns/new/", campaign_new, name="revival_campaign_new"),
    path("revival/campaigns/<int:pk>/", campaign_detail, name="revival_campaign"),
    path("revival/campaigns/<int:pk>/open/", campaign_open, name="revival_campaign_open"),
    path("revival/campaigns/<int:pk>/close/", campaign_close, name="revival_campaign_close"),
    path("revival/campaigns/<int:pk>/settle/", campaign_settle, name="revival_campaign_settle"),
    path("revival/campaigns/<int:pk>/delete/", campaign_delete, name="revival_campaign_delete"),
    path("setup/revival/", revival_setup, name="revival_setup"),
]
