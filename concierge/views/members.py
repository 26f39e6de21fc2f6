"""Member search, the member profile and its contact log: the pages staff open all day."""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db.models import Case, IntegerField, Q, Sum, Value, When, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from concierge import actions, extensions
from concierge.dates import local_midnight
from concierge.errors import ActionRefused
from concierge.forms import ContactForm, MemberSearchForm
from concierge.forms_params import offset_of
from concierge.models import Appointment, Member
from concierge.views.responses import render_page, respond, wants_partial

SEARCH_LIMIT = 25
SUGGESTION_LIMIT = 8
PAGE_SIZE = 20
# A page without htmx grows by PAGE_SIZE per "show more"; the cap keeps one response bounded.
MAX_ROWS = 400


def search_members(members, query):
    """Members matching a name (contains), a member number (prefix) or a phone's last four digits.

    Best first: the exact member number, then names starting with the query, then the rest by
    12-month spend, so the people staff look for most are at the top.
    """
    match = Q(name__icontains=query) | Q(member_no__istartswith=query)
    if len(query) == 4 and query.isdigit():
        match |= Q(phone_last4=query)
    relevance = Case(
        When(member_no__iexact=query, then=Value(0)),
        When(name__istartswith=query, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        members.filter(match).annotate(relevance=relevance).order_by("relevance", "-spend_12m", "member_no")
    )


@require_GET
@permission_required("concierge.view_member", raise_exception=True)
def member_search(request):
    form = MemberSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    members = Member.objects.visible_to(request.user).select_related("tier")
    results, suggestions, has_more = [], [], False
    if query:
        found = list(search_members(members, query)[: SEARCH_LIMIT + 1])
        has_more = len(found) > SEARCH_LIMIT
        results = found[:SEARCH_LIMIT]
    else:
        # An empty box still helps: the key members who were in most recently.
        suggestions = list(
            members.filter(value_class=Member.ValueClass.A, last_purchase_at__isnull=False).order_by(
                "-last_purchase_at", "member_no"
            )[:SUGGESTION_LIMIT]
        )
    context = {
        "active_nav": "members",
        "form": form,
        "query": query,
        "results": results,
        "has_more": has_more,
        "search_limit": SEARCH_LIMIT,
        "suggestions": suggestions,
    }
    return render_page(request, "concierge/member_search.html", context, partial="results")


def _offset(request, name):
    return min(offset_of(request, name), MAX_ROWS)


def _slice(queryset, start, stop):
    """Rows start..stop and whether more follow, in one query."""
    rows = list(queryset[start : stop + 1])
    return rows[: stop - start], len(rows) > stop - start


def _purchases(member):
    return member.purchases.select_related("staff").order_by("-purchased_at", "-id")


def _contacts(member):
    return member.contacts.select_related("staff").order_by("-contacted_at", "-id")


VISITS_SHOWN = 5


def member_visits(member, today):
    """The profile's "Visits" card: the coming visits (soonest first), the last past ones (newest
    first) and the member's no-shows. Two queries whatever the member's history: the count rides
    on the past visits' query as a window over all of them."""
    coming = Q(state__in=[*Appointment.UPCOMING_STATES, *Appointment.PRESENT_STATES]) & Q(
        ends_at__gte=local_midnight(today)
    )
    visits = Appointment.objects.filter(member=member).select_related("host", "room")
    upcoming = list(visits.filter(coming).order_by("starts_at", "pk")[:VISITS_SHOWN])
    no_show = Case(When(state=Appointment.State.NO_SHOW, then=Value(1)), default=Value(0))
    past = list(
        visits.exclude(coming)
        .annotate(no_shows=Window(Sum(no_show, output_field=IntegerField())))
        .order_by("-starts_at", "-pk")[:VISITS_SHOWN]
    )
    return {"upcoming": upcoming, "past": past, "no_shows": past[0].no_shows if past else 0}


def lifecycle_note(member, today=None):
    """The lifecycle state in plain words, with how long it has been."""
    today = today or timezone.localdate()
    last = member.last_purchase_at
    if last is None:
        return _("No purchase on record yet.")
    days = (today - timezone.localdate(last)).days
    if days >= 60:
        months = days // 30
        period = ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    else:
        period = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if member.lifecycle == Member.Lifecycle.LOST:
        return _("Lost: no purchase for %(period)s. Needs a phone call to ask why.") % {"period": period}
    if member.lifecycle == Member.Lifecycle.DORMANT:
        return _(
            "Dormant: no purchase for %(period)s. "
            "Check complaints and special matters before getting in touch."
        ) % {"period": period}
    if member.lifecycle == Member.Lifecycle.NEW and member.first_purchase_at:
        first_days = (today - timezone.localdate(member.first_purchase_at)).days
        if first_days == 0:
            return _("New: first purchase today.")
        return ngettext(
            "New: first purchase %(count)d day ago.", "New: first purchase %(count)d days ago.", first_days
        ) % {"count": first_days}
    if days == 0:
        return _("Regular: last purchase today.")
    return _("Regular: last purchase %(period)s ago.") % {"period": period}


def days_until(date, today):
    """Days until the next yearly return of a date (birthday, anniversary); Feb 29 falls on Feb 28."""
    if date is None:
        return None
    for year in (today.year, today.year + 1):
        try:
            upcoming = date.replace(year=year)
        except ValueError:
            upcoming = dt.date(year, 2, 28)
        if upcoming >= today:
            return (upcoming - today).days
    return None


def detail_context(request, member, *, contact_form=None, new_contact_id=None):
    user = request.user
    today = timezone.localdate()
    purchases_to = PAGE_SIZE + _offset(request, "purchases_from")
    contacts_to = PAGE_SIZE + _offset(request, "contacts_from")
    context = {
        "active_nav": "members",
        "member": member,
        "phone": member.phone_for(user),
        "can_call": user.has_perm("concierge.view_member_phone"),
        "lifecycle_note": lifecycle_note(member, today),
        "tags": list(member.tags.all()),
        "benefits": member.tier.benefit_labels if member.tier else [],
        "birthday_in": None if member.birthday_is_lunar else days_until(member.birthday, today),
        "anniversary_in": days_until(member.anniversary, today),
        "can_see_purchases": user.has_perm("concierge.view_purchase"),
        "can_see_contacts": user.has_perm("concierge.view_contactlog"),
        "can_add_contact": user.has_perm("concierge.add_contactlog"),
        "contact_form": contact_form or ContactForm(),
        "new_contact_id": new_contact_id,
        "purchases_from": 0,
        "contacts_from": 0,
    }
    if context["can_see_purchases"]:
        context["purchases"], context["purchases_more"] = _slice(_purchases(member), 0, purchases_to)
        context["purchases_next"] = purchases_to
    if context["can_see_contacts"]:
        context["contacts"], context["contacts_more"] = _slice(_contacts(member), 0, contacts_to)
        context["contacts_next"] = contacts_to
    # Who has looked after the member, newest first: the one-to-one relationship's history.
    history = list(member.assignments.select_related("manager", "assigned_by").order_by("-created_at")[:20])
    if history or (member.tier is not None and member.tier.dedicated_manager):
        context["assignments"] = history
    if user.has_perm("concierge.view_appointment"):
        context["visits"] = member_visits(member, today)
    context["app_sections"] = extensions.member_sections(request, member)
    return context


@require_GET
@permission_required("concierge.view_member", raise_exception=True)
def member_detail(request, pk):
    member = Member.objects.select_related("tier").get_for(request.user, pk=pk)
    user = request.user
    # "Show more" asks htmx for the next rows only; without htmx the page grows instead.
    more_rows = (
        ("purchases", "concierge.view_purchase", _purchases, "purchase-rows"),
        ("contacts", "concierge.view_contactlog", _contacts, "contact-rows"),
    )
    for name, permission, rows_of, partial in more_rows:
        if wants_partial(request) and f"{name}_from" in request.GET and user.has_perm(permission):
            start = _offset(request, f"{name}_from")
            rows, more = _slice(rows_of(member), start, start + PAGE_SIZE)
            context = {"member": member, name: rows, f"{name}_more": more, f"{name}_next": start + PAGE_SIZE}
            return render_page(request, "concierge/member_detail.html", context, partial=partial)
    return render_page(request, "concierge/member_detail.html", detail_context(request, member))


@require_POST
@permission_required("concierge.add_contactlog", raise_exception=True)
def add_contact(request, pk):
    member = Member.objects.select_related("tier", "store").get_for(request.user, pk=pk)
    form = ContactForm(request.POST)
    new_contact_id = None
    if form.is_valid():
        try:
            new_contact_id = actions.log_contact(member, actor=request.user, **form.cleaned_data).pk
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            form = ContactForm()

    def draw(notice):
        context = detail_context(request, member, contact_form=form, new_contact_id=new_contact_id)
        return render_page(request, "concierge/member_detail.html", context, partial="contact-log")

    return respond(
        request,
        render=draw,
        fallback=reverse("concierge:member_detail", args=[member.pk]) + "#contacts",
        form_sent_back=new_contact_id is None,
    )
