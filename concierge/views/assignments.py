"""The client book (store manager), My VIPs (VIP manager) and one small POST view per transition.

Views validate input and hand it to concierge.actions, which decides, locks, audits and alerts.
A refusal comes back as a message on the page the user was on; nothing is half-written.
"""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from concierge import actions, extensions
from concierge.actions import OPEN_STATES, ActionRefused
from concierge.dates import local_midnight
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
from concierge.models import Appointment, Assignment, ContactLog, Member, Staff
from concierge.models.members import value_class_rank
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


def client_book_context(request, *, spread_form=None, failed_form=None, failed_pk=None):
    """The client book. A form sent back with errors (`spread_form`, or `failed_form` for the release
    or move-book form of row `failed_pk`) is drawn open in its place, with the user's own input."""
    user = request.user
    # The half and page shown: from the link, or from the form posted on that page.
    query = read_query(ClientBookQueryForm, {**request.POST.dict(), **request.GET.dict()})
    show = query["show"]
    if isinstance(failed_form, ReasonForm):
        show = "assigned"  # a release form sent back is on a member who has a manager
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
        if member.current:
            failed = isinstance(failed_form, ReasonForm) and member.current.pk == failed_pk
            member.current.release_form = (
                failed_form if failed else ReasonForm(auto_id=f"release{member.current.pk}_%s")
            )
            member.current.release_open = failed
    managers = caseloads(user.store_id)
    spread_form = spread_form or SpreadForm(store_id=user.store_id)
    # After an error the user's own choice stays; a fresh form offers everyone with room.
    chosen = set(spread_form.data.getlist("managers")) if spread_form.is_bound else None
    for manager in managers:
        manager.spread_checked = (
            str(manager.pk) in chosen if chosen is not None else manager.caseload < manager.caseload_limit
        )
        failed = isinstance(failed_form, MoveBookForm) and manager.pk == failed_pk
        manager.move_form = (
            failed_form
            if failed
            else MoveBookForm(store_id=user.store_id, exclude_id=manager.pk, auto_id=f"move{manager.pk}_%s")
        )
        manager.move_open = failed
        manager.move_to = set(failed_form.data.getlist("to_managers")) if failed else None
    return {
        "active_nav": "clientbook",
        "show": "assigned" if show == "assigned" else "unassigned",
        "counts": counts,
        "page": page,
        "managers": managers,
        "spread_form": spread_form,
        "handovers": with_allowed(
            Assignment.objects.visible_to(user)
            .filter(state=Assignment.State.HANDOVER_REQUESTED)
            .select_related("member", "manager", "handover_to"),
            user,
        ),
    }


def next_visits(user, member_ids):
    """{member_id: NextStep} of each member's next visit still to come, in one query."""
    if not member_ids or not user.has_perm("concierge.view_appointment"):
        return {}
    steps = {}
    for member_id, starts_at, purpose in (
        Appointment.objects.visible_to(user)
        .filter(
            member_id__in=member_ids,
            state__in=Appointment.UPCOMING_STATES,
            starts_at__gte=local_midnight(timezone.localdate()),
        )
        .order_by("member_id", "starts_at", "pk")
        .values_list("member_id", "starts_at", "purpose")
    ):
        if member_id not in steps:
            local = timezone.localtime(starts_at)
            label = _("Visit at %(time)s: %(purpose)s") % {
                "time": f"{local:%H:%M}",
                "purpose": Appointment.Purpose(purpose).label,
            }
            steps[member_id] = extensions.NextStep(local.date(), label)
    return steps


def _with_member_facts(assignments, user):
    """Put on each assignment's member what the VIP manager looks for first: the last contact and
    the next thing coming up (a care task, an appointment: asked of the apps, one query each; the
    core's own visits, one more). On the same day a visit goes before a task."""
    member_ids = {assignment.member_id for assignment in assignments}
    next_steps = extensions.next_steps(user, member_ids)
    for member_id, visit in next_visits(user, member_ids).items():
        step = next_steps.get(member_id)
        if step is None or visit.when <= step.when:
            next_steps[member_id] = visit
    for assignment in assignments:
        assignment.member.next_step = next_steps.get(assignment.member_id)
    return assignments


def my_vips_context(request, *, handover_pk=None, handover_form=None):
    user = request.user
    last_contact = ContactLog.objects.filter(member=OuterRef("member_id")).order_by("-contacted_at", "-pk")
    mine = (
        Assignment.objects.visible_to(user)
        .select_related("member", "member__tier")
        .annotate(
            last_contact_at=Subquery(last_contact.values("contacted_at")[:1]),
            last_contact_channel=Subquery(last_contact.values("channel")[:1]),
        )
        # The most valuable first, as on My day: a book is worked from the top.
        .order_by(value_class_rank(), "-member__spend_12m", "member__name", "pk")
    )
    book = with_allowed(
        mine.filter(manager=user, state__in=Assignment.CURRENT_STATES).select_related("handover_to"), user
    )
    proposals = with_allowed(mine.filter(manager=user, state=Assignment.State.PROPOSED), user)
    offered = with_allowed(
        mine.filter(state=Assignment.State.HANDOVER_REQUESTED, handover_to=user).select_related("manager"),
        user,
    )
    _with_member_facts([*book, *proposals, *offered], user)
    # Each row's form has its own ids; the colleagues are loaded once for all of them.
    colleagues = [("", HandoverForm.base_fields["colleague"].empty_label)] + [
        (colleague.pk, str(colleague)) for colleague in vip_managers_of(user.store_id).exclude(pk=user.pk)
    ]
    for assignment in book:
        # The form that failed keeps its input and errors, open under its member.
        failed = assignment.pk == handover_pk
        if failed:
            assignment.handover_form = handover_form
        else:
            assignment.handover_form = HandoverForm(
                store_id=user.store_id, exclude_id=user.pk, auto_id=f"handover{assignment.pk}_%s"
            )
            assignment.handover_form.fields["colleague"].choices = colleagues
        assignment.handover_open = failed
    channels = dict(ContactLog.Channel.choices)
    for assignment in [*book, *proposals, *offered]:
        assignment.last_contact_channel_label = channels.get(assignment.last_contact_channel, "")
    return {
        "active_nav": "my_vips",
        "proposals": proposals,
        "book": book,
        "offered": offered,
        # The counts are the rows below: the book, and the VIPs waiting for an answer.
        "waiting": len(proposals) + len(offered),
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
    # Every refusal draws the form again with the user's own class and managers chosen.
    if not form.is_valid():
        return respond(request, refused=_("Check the spread form."), spread_form=form)
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
        nobody = _("There is no unassigned member of that class.")
        form.add_error("value_class", nobody)
        return respond(request, refused=nobody, spread_form=form)
    managers = list(form.cleaned_data["managers"])
    try:
        actions.spread_members(members, managers, actor=user)
    except ActionRefused as refused:
        form.add_error(None, refused.message)
        return respond(request, refused=refused.message, spread_form=form)
    return respond(
        request,
        done=_("%(count)s members spread across %(managers)s VIP managers.")
        % {"count": len(members), "managers": len(managers)},
    )


@require_POST
@permission_required("concierge.add_assignment", raise_exception=True)
def move_book(request, manager_pk):
    user = request.user
    # Anyone of the store with an open book: a manager who left (deactivated) or changed role keeps
    # their VIPs until they are moved, and must not be out of reach.
    manager = (
        Staff.objects.filter(pk=manager_pk, store_id=user.store_id)
        .filter(Q(groups__name=Role.VIP_MANAGER.value) | Q(assignments__state__in=OPEN_STATES))
        .distinct()
        .first()
    )
    if manager is None:
        raise Http404
    form = MoveBookForm(
        request.POST, store_id=user.store_id, exclude_id=manager.pk, auto_id=f"move{manager.pk}_%s"
    )
    if not form.is_valid():
        return respond(request, refused=_("Check the form."), failed_form=form, failed_pk=manager.pk)
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
    form = HandoverForm(
        request.POST, store_id=request.user.store_id, exclude_id=request.user.pk, auto_id=f"handover{pk}_%s"
    )
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
    form = ReasonForm(request.POST, auto_id=f"release{assignment.pk}_%s")
    if not form.is_valid():
        return respond(request, refused=_("Check the form."), failed_form=form, failed_pk=assignment.pk)
    return _run(
        request,
        "concierge:client_book",
        lambda: actions.release_member(assignment, actor=request.user, reason=form.cleaned_data["reason"]),
        _("%(member)s was released.") % {"member": assignment.member},
    )
