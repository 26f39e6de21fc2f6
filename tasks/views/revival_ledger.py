"""The incentive ledger (the store manager approves, pays and corrects) and each person's monthly
payout statement, as a page and as CSV. The entries are made by tasks/revival/credit.py and
changed only through tasks/revival/ledger.py."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from concierge.dates import local_midnight
from concierge.exports import csv_lines
from concierge.models import Staff
from concierge.views.responses import render_page, respond
from concierge.workflow import ActionRefused
from tasks.models import IncentiveEntry, RevivalCampaign
from tasks.revival import ledger
from tasks.revival.ledger_forms import CorrectionForm, LedgerFilterForm, LedgerSelectionForm, StatementForm

Entry = IncentiveEntry.State
# The ledger lists this many entries at most; the filters narrow it down.
LEDGER_ROWS = 300
ENTRY_RELATED = ("staff", "campaign", "credit__member", "credit__purchase", "corrects")


def _campaigns(user):
    rows = RevivalCampaign.objects.visible_to(user).exclude(state=RevivalCampaign.State.DRAFT)
    return {campaign.pk: campaign for campaign in rows.order_by("-start", "-pk")}


def _people(user):
    """The store's staff with a quota or an entry: whose incentives there are to see or correct."""
    store_id = user.store_id
    rows = (
        Staff.objects.filter(store_id=store_id)
        .filter(Q(revival_quotas__campaign__store_id=store_id) | Q(incentive_entries__store_id=store_id))
        .distinct()
        .order_by("display_name", "pk")
    )
    return {person.pk: person for person in rows}


# ---- the ledger ------------------------------------------------------------------------------------


def ledger_context(request, *, selection=None, correction=None):
    user = request.user
    campaigns, people = _campaigns(user), _people(user)
    filters = LedgerFilterForm(request.GET or None, campaigns=campaigns, people=people)
    chosen = {}
    if filters.is_bound:
        filters.is_valid()
        chosen = {name: value for name, value in filters.cleaned_data.items() if value}
    entries = IncentiveEntry.objects.visible_to(user)
    if chosen.get("campaign"):
        entries = entries.filter(campaign=chosen["campaign"])
    if chosen.get("staff"):
        entries = entries.filter(staff=chosen["staff"])
    if chosen.get("state"):
        entries = entries.filter(state=chosen["state"])
    if chosen.get("kind"):
        entries = entries.filter(kind=chosen["kind"])
    totals = {
        row["state"]: row
        for row in entries.order_by().values("state").annotate(n=Count("pk"), total=Sum("amount"))
    }
    shown = list(entries.select_related(*ENTRY_RELATED).order_by("-created_at", "-pk")[: LEDGER_ROWS + 1])
    return {
        "active_nav": "revival",
        "filters": filters,
        "entries": shown[:LEDGER_ROWS],
        "more": len(shown) > LEDGER_ROWS,
        "totals": [
            {"state": state, "label": label, **totals.get(state, {"n": 0, "total": Decimal("0")})}
            for state, label in Entry.choices
        ],
        "selection": selection
        or LedgerSelectionForm(
            entries=IncentiveEntry.objects.none(), initial={"paid_on": timezone.localdate()}
        ),
        "correction": correction or CorrectionForm(campaigns=campaigns, people=people),
        "today": timezone.localdate(),
        "query": request.GET.urlencode(),
    }


@require_GET
@login_required
@permission_required("tasks.manage_revival", raise_exception=True)
def ledger_page(request):
    return render_page(request, "tasks/revival/ledger.html", ledger_context(request), partial="ledger-body")


def _ledger_response(request, *, done=None, refused=None, **forms):
    def draw(notice):
        context = {**ledger_context(request, **forms), "notice": notice}
        return render_page(request, "tasks/revival/ledger.html", context, partial="ledger-body")

    return respond(
        request,
        render=draw,
        fallback="tasks:revival_ledger",
        done=done,
        refused=refused,
        form_sent_back=bool(forms),
    )


def _selection(request, *, needs_date=False):
    entries = IncentiveEntry.objects.visible_to(request.user)
    return LedgerSelectionForm(request.POST, entries=entries, needs_date=needs_date)


@require_POST
@login_required
@permission_required("tasks.manage_revival", raise_exception=True)
def approve(request):
    form = _selection(request)
    if not form.is_valid():
        return _ledger_response(request, refused=_("Check the form."), selection=form)
    try:
        rows = ledger.approve_entries(
            request.user.store, request.user, [entry.pk for entry in form.cleaned_data["entries"]]
        )
    except ActionRefused as refused:
        return _ledger_response(request, refused=refused.message, selection=form)
    done = ngettext("%(count)d entry approved.", "%(count)d entries approved.", len(rows)) % {
        "count": len(rows)
    }
    return _ledger_response(request, done=done + _skipped(form, rows))


@require_POST
@login_required
@permission_required("tasks.manage_revival", raise_exception=True)
def pay(request):
    form = _selection(request, needs_date=True)
    if not form.is_valid():
        return _ledger_response(request, refused=_("Check the form."), selection=form)
    try:
        rows = ledger.mark_paid(
            request.user.store,
            request.user,
            [entry.pk for entry in form.cleaned_data["entries"]],
            form.cleaned_data["paid_on"],
        )
    except ActionRefused as refused:
        return _ledger_response(request, refused=refused.message, selection=form)
    done = ngettext("%(count)d entry marked paid.", "%(count)d entries marked paid.", len(rows)) % {
        "count": len(rows)
    }
    return _ledger_response(request, done=done + _skipped(form, rows))


def _skipped(form, rows):
    left = len(form.cleaned_data["entries"]) - len(rows)
    if not left:
        return ""
    return " " + ngettext(
        "%(count)d other chosen entry was left as it was.",
        "%(count)d other chosen entries were left as they were.",
        left,
    ) % {"count": left}


@require_POST
@login_required
@permission_required("tasks.manage_revival", raise_exception=True)
def correct(request):
    user = request.user
    form = CorrectionForm(request.POST, campaigns=_campaigns(user), people=_people(user))
    if not form.is_valid():
        return _ledger_response(request, refused=_("Check the form."), correction=form)
    data = form.cleaned_data
    try:
        entry = ledger.add_correction(
            user.store, user, data["staff"], data["campaign"], data["amount"], data["reason"]
        )
    except ActionRefused as refused:
        return _ledger_response(request, refused=refused.message, correction=form)
    done = _("Correction recorded for %(name)s; it waits for approval.") % {"name": entry.staff}
    return _ledger_response(request, done=done)


# ---- the payout statement ----------------------------------------------------------------------------


def _statement_people(user):
    """Whose statements the user may read: anyone of the store for its manager, else themselves."""
    if user.has_perm("tasks.manage_revival"):
        people = _people(user)
        people.setdefault(user.pk, user)
        return people
    return {user.pk: user}


def _next_month(first):
    return (first + dt.timedelta(days=32)).replace(day=1)


def _paid_between(start, end):
    """The entries a month's statement lists as paid in it (the others it lists are AWAITING)."""
    return Q(state=Entry.PAID, paid_at__gte=start, paid_at__lt=end)


AWAITING = Q(state=Entry.APPROVED)


def _on_statement(user, people, start, end):
    """Ids of `people` with something on the month's statement (paid in it, or approved), in order."""
    found = set(
        IncentiveEntry.objects.visible_to(user)
        .filter(staff__in=list(people))
        .filter(_paid_between(start, end) | AWAITING)
        .values_list("staff_id", flat=True)
        .distinct()
    )
    return [pk for pk in people if pk in found]


def statement_data(user, data):
    people = _statement_people(user)
    person, month = user, timezone.localdate().replace(day=1)
    if data:
        form = StatementForm(data, people=people)
        if form.is_valid():
            person = form.cleaned_data["staff"] or person
            month = form.cleaned_data["month"] or month
    start, end = local_midnight(month), local_midnight(_next_month(month))
    if not data:
        # A store manager with nothing of their own opens on the first person who has something.
        busy = _on_statement(user, people, start, end)
        if busy and user.pk not in busy:
            person = people[busy[0]]
        form = StatementForm(people=people, initial={"staff": person.pk, "month": month.strftime("%Y-%m")})
    entries = IncentiveEntry.objects.visible_to(user).filter(staff=person).select_related(*ENTRY_RELATED)
    paid = list(entries.filter(_paid_between(start, end)).order_by("paid_at", "pk"))
    awaiting = list(entries.filter(AWAITING).order_by("created_at", "pk"))
    by_kind = {}
    for entry in paid:
        row = by_kind.setdefault(
            entry.kind, {"label": entry.get_kind_display(), "n": 0, "total": Decimal("0")}
        )
        row["n"] += 1
        row["total"] += entry.amount
    return {
        "form": form,
        "person": person,
        "month": month,
        "month_text": month.strftime("%Y-%m"),
        "paid": paid,
        "awaiting": awaiting,
        "paid_total": sum((entry.amount for entry in paid), Decimal("0")),
        "awaiting_total": sum((entry.amount for entry in awaiting), Decimal("0")),
        "by_kind": list(by_kind.values()),
        "people": people,
    }


@require_GET
@login_required
@permission_required("tasks.work_revival", raise_exception=True)
def statement(request):
    context = {**statement_data(request.user, request.GET), "active_nav": "revival"}
    return render_page(request, "tasks/revival/statement.html", context, partial="statement-body")


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def statement_rows(data):
    """The CSV's rows: each paid entry, then each approved one awaiting payment, then the totals.
    Amounts are numbers a spreadsheet can sum (never neutralised into text); text cells are."""
    for section, label in (("paid", _("Paid")), ("awaiting", _("Approved, awaiting payment"))):
        for entry in data[section]:
            credit = entry.credit
            yield [
                label,
                _local(entry.paid_at if section == "paid" else entry.approved_at),
                entry.get_kind_display(),
                str(entry.campaign),
                credit.member.name if credit else "",
                credit.member.member_no if credit else "",
                credit.purchase.receipt_ref if credit else "",
                _local(credit.purchase.purchased_at) if credit else "",
                entry.reason,
                entry.amount,
            ]
    yield [_("Total paid"), "", "", "", "", "", "", "", "", data["paid_total"]]
    yield [_("Total awaiting payment"), "", "", "", "", "", "", "", "", data["awaiting_total"]]


@require_GET
@login_required
@permission_required("tasks.work_revival", raise_exception=True)
def statement_csv(request):
    data = statement_data(request.user, request.GET)
    if data["form"].is_bound and not data["form"].is_valid():
        raise PermissionDenied if "staff" in data["form"].errors else _bad_month()
    header = [
        _("Section"),
        _("Date"),
        _("Kind"),
        _("Campaign"),
        _("Member"),
        _("Member number"),
        _("Receipt"),
        _("Purchased at"),
        _("Reason"),
        _("Amount"),
    ]
    name = f"revival-statement-{data['person'].pk}-{data['month_text']}.csv"
    # One person's month is a few dozen lines: written whole, not streamed.
    response = HttpResponse(
        "".join(csv_lines(header, statement_rows(data), keep_amounts=True)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _bad_month():
    from django.core.exceptions import BadRequest

    return BadRequest(_("Enter a month as YYYY-MM, e.g. 2026-12."))


urlpatterns = [
    path("revival/ledger/", ledger_page, name="revival_ledger"),
    path("revival/ledger/approve/", approve, name="revival_ledger_approve"),
    path("revival/ledger/pay/", pay, name="revival_ledger_pay"),
    path("revival/ledger/correct/", correct, name="revival_ledger_correct"),
    path("revival/statements/", statement, name="revival_statement"),
    path("revival/statements.csv", statement_csv, name="revival_statement_csv"),
]
