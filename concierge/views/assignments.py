"""The client book (store manager), My VIPs (VIP manager) and one small POST view per transition.

Views validate input and hand it to concierge.actions, which decides, locks, audits and alerts.
A refusal comes back as a message on the page the user was on; nothing is half-written.
"""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from concierge import actions
from concierge.actions import OPEN_STATES, ActionRefused
from concierge.forms import (
    AssignForm,
    DeclineForm,
    HandoverForm,
    MoveBookForm,
    ReasonForm,
    SpreadForm,
    vip_managers_of,
)
from concierge.forms_params import ClientBookQueryForm, read_query
from concierge.models import Assignment, Member, Staff
from concierge.roles import Role
from concierge.views import responses

PAGE_SIZE = 50


def _form_errors(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _assignment_for(user, pk):
    """The assignment if it is in the user's store (404 otherwise, never a hint that it exists)."""
    return Assignment.objects.select_related("member", "manager").get_for(user, pk=pk)


def with_allowed(assignments, user):
    """Mark on each assignment the transitions this user may take now: the buttons follow the guards."""
    assignments = list(assignments)
    for assignment in assignments:
        assignment.allowed = {t.name for t in assignment.get_available_user_state_transitions(user)}
    return assignments


def caseloads(store_id):
    return list(
        vip_managers_of(store_id).annotate(
            caseload=Count("assignments", filter=Q(assignments__state__in=OPEN_STATES))
        )
    )


# ---- pages -------------------------------------------------------------------------------------


def client_book_context(request):
    user = request.user
    query = read_query(ClientBookQueryForm, request.GET if request.method == "GET" else request.POST)
    show = query["show"]
    current = Assignment.objects.filter(state__in=OPEN_STATES).select_related("manager")
    members = (
        Member.objects.visible_to(user)
        .filter(tier__dedicated_manager=True)
        .select_related("tier")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="open_assignments"))
    )
    has_manager = Q(assignments__state__in=OPEN_STATES)
    counts = {
        "unassigned": members.exclude(has_manager).count(),
        "assigned": members.filter(has_manager).distinct().count(),
    }
    members = members.filter(has_manager).distinct() if show == "assigned" else members.exclude(has_manager)
    page = Paginator(members.order_by("value_class", "-spend_12m", "member_no"), PAGE_SIZE).get_page(
        query["page"]
    )
    for member in page.object_list:
        member.current = with_allowed(member.open_assignments, user)[0] if member.open_assignments else None
    return {
        "active_nav": "clientbook",
        "show": "assigned" if show == "assigned" else "unassigned",
        "counts": counts,
        "page": page,
        "managers": caseloads(user.store_id),
        "spread_form": SpreadForm(store_id=user.store_id),
        "handovers": with_allowed(
            Assignment.objects.visible_to(user)
            .filter(state=Assignment.State.HANDOVER_REQUESTED)
            .select_related("member", "manager", "handover_to"),
            user,
        ),
    }


def my_vips_context(request, *, handover_pk=None, handover_form=None):
    user = request.user
    mine = Assignment.objects.visible_to(user).filter(manager=user).select_related("member", "member__tier")
    book = with_allowed(
        mine.filter(state__in=Assignment.CURRENT_STATES)
        .select_related("handover_to")
        .order_by("member__name"),
        user,
    )
    blank = HandoverForm(store_id=user.store_id, exclude_id=user.pk)
    for assignment in book:
        # The form that failed keeps its input and errors, open under its member.
        failed = assignment.pk == handover_pk
        assignment.handover_form = handover_form if failed else blank
        assignment.handover_open = failed
    return {
        "active_nav": "my_vips",
        "proposals": with_allowed(mine.filter(state=Assignment.State.PROPOSED), user),
        "book": book,
        "offered": with_allowed(
            Assignment.objects.visible_to(user)
            .filter(state=Assignment.State.HANDOVER_REQUESTED, handover_to=user)
            .select_related("member", "manager"),
            user,
        ),
        "caseload": mine.filter(state__in=OPEN_STATES).count(),
    }


@require_GET
@permission_required("concierge.add_assignment", raise_exception=True)
def client_book(request):
    return render(request, "concierge/client_book.html", client_book_context(request))


@require_GET
@permission_required("concierge.view_assignment", raise_exception=True)
def my_vips(request):
    return render(request, "concierge/my_vips.html", my_vips_context(request))


# ---- transitions ---------------------------------------------------------------------------------


def _page_of(user):
    """Where the user acts from: the store manager's client book, or a VIP manager's own list."""
    if user.has_perm("concierge.add_assignment"):
        return "concierge/client_book.html", client_book_context, "concierge:client_book"
    return "concierge/my_vips.html", my_vips_context, "concierge:my_vips"


MY_VIPS_PAGE = ("concierge/my_vips.html", my_vips_context, "concierge:my_vips")


def respond(request, *, done=None, refused=None, page=None, **context_args):
    """htmx gets the page's lists again with a notice; a plain form post is redirected back (to a
    same-site `next`, else the user's page), or sees the page when a form comes back with errors.
    `page` names the page a form sent back lives on, when it is not the user's usual one."""
    template, build, fallback = page or _page_of(request.user)

    def draw(notice):
        context = build(request, **context_args)
        context["notice"] = notice
        return responses.render_page(request, template, context, partial="lists")

    return responses.respond(
        request,
        render=draw,
        fallback=fallback,
        done=done,
        refused=refused,
        form_sent_back=bool(context_args),
    )


def _run(request, fallback, call, done):
    try:
        call()
    except ActionRefused as refused:
        return respond(request, refused=refused.message)
    return respond(request, done=done)


@require_POST
@permission_required("concierge.add_assignment", raise_exception=True)
def assign(request, member_pk):
    member = Member.objects.get_for(request.user, pk=member_pk)
    form = AssignForm(request.POST, store_id=request.user.store_id)
    if not form.is_valid():
        return respond(request, refused=_form_errors(form))
    manager = form.cleaned_data["manager"]
    return _run(
        request,
        "concierge:client_book",
        lambda: actions.assign_member(
            member, manager, actor=request.user, direct=form.cleaned_data["direct"]
        ),
        _("%(member)s assigned to %(manager)s.") % {"member": member, "manager": manager},
    )


@require_POST
@permission_required("concierge.add_assignment", raise_exception=True)
def spread(request):
    user = request.user
    form = SpreadForm(request.POST, store_id=user.store_id)
    if not form.is_valid():
        return respond(request, refused=_form_errors(form))
    members = (
        Member.objects.visible_to(user)
        .filter(tier__dedicated_manager=True)
        .exclude(assignments__state__in=OPEN_STATES)
        .order_by("-spend_12m", "member_no")
    )
    if form.cleaned_data["value_class"] != "*":
        members = members.filter(value_class=form.cleaned_data["value_class"])
    members = list(members)
    if not members:
        return respond(request, refused=_("There is no unassigned member of that class."))
    return _run(
        request,
        "concierge:client_book",
        lambda: actions.spread_members(members, list(form.cleaned_data["managers"]), actor=user),
        _("%(count)s members spread across %(managers)s VIP managers.")
        % {"count": len(members), "managers": len(form.cleaned_data["managers"])},
    )


@require_POST
@permission_required("concierge.add_assignment", raise_exception=True)
def move_book(request, manager_pk):
    user = request.user
    manager = Staff.objects.filter(
        pk=manager_pk, store_id=user.store_id, groups__name=Role.VIP_MANAGER.value
    ).first()
    if manager is None:
        raise Http404
    form = MoveBookForm(request.POST, store_id=user.store_id, exclude_id=manager.pk)
    if not form.is_valid():
        return respond(request, refused=_form_errors(form))
    return _run(
        request,
        "concierge:client_book",
        lambda: actions.reassign_book(
            manager,
            actor=user,
            reason=form.cleaned_data["reason"],
            to_managers=list(form.cleaned_data["to_managers"]),
        ),
        _("The book of %(manager)s was moved.") % {"manager": manager},
    )


def _transition_view(action, done_message, fallback="concierge:my_vips"):
    @require_POST
    @permission_required("concierge.view_assignment", raise_exception=True)
    def view(request, pk):
        assignment = _assignment_for(request.user, pk)
        return _run(
            request,
            fallback,
            lambda: action(assignment, actor=request.user),
            str(done_message) % {"member": assignment.member},
        )

    return view


accept = _transition_view(actions.accept_assignment, gettext_lazy("%(member)s is now in your book."))
accept_handover = _transition_view(actions.accept_handover, gettext_lazy("%(member)s is now in your book."))
decline_handover = _transition_view(
    actions.decline_handover, gettext_lazy("The handover of %(member)s was declined.")
)
withdraw_handover = _transition_view(
    actions.withdraw_handover, gettext_lazy("The handover of %(member)s was withdrawn.")
)


@require_POST
@permission_required("concierge.view_assignment", raise_exception=True)
def decline(request, pk):
    assignment = _assignment_for(request.user, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return respond(request, refused=_form_errors(form))
    reason = form.cleaned_data["reason"]
    return _run(
        request,
        "concierge:my_vips",
        lambda: actions.decline_assignment(assignment, actor=request.user, reason=reason),
        _("You declined %(member)s.") % {"member": assignment.member},
    )


@require_POST
@permission_required("concierge.view_assignment", raise_exception=True)
def request_handover(request, pk):
    assignment = _assignment_for(request.user, pk)
    form = HandoverForm(request.POST, store_id=request.user.store_id, exclude_id=request.user.pk)
    if not form.is_valid():
        # The handover form lives on My VIPs, whoever sent it.
        return respond(
            request,
            refused=_("Check the handover form."),
            page=MY_VIPS_PAGE,
            handover_pk=assignment.pk,
            handover_form=form,
        )
    return _run(
        request,
        "concierge:my_vips",
        lambda: actions.request_handover(
            assignment,
            actor=request.user,
            colleague=form.cleaned_data["colleague"],
            note=form.cleaned_data["note"],
        ),
        _("Handover of %(member)s requested.") % {"member": assignment.member},
    )


@require_POST
@permission_required("concierge.change_assignment", raise_exception=True)
def release(request, pk):
    assignment = _assignment_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return respond(request, refused=_form_errors(form))
    return _run(
        request,
        "concierge:client_book",
        lambda: actions.release_member(assignment, actor=request.user, reason=form.cleaned_data["reason"]),
        _("%(member)s was released.") % {"member": assignment.member},
    )
