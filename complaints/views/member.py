"""A member's complaints wherever staff look at the member, away from the complaints pages:

- the card on the member profile (`member_sections`),
- the warning lines in a care task's cheat sheet (`member_alerts`): an open complaint means no
  sales talk,
- the complaint history in the panel of a dormant review or call, and the complaint an apology
  task is for (`care_task_sections`): DOMAIN.md, "a dormant review must see the member's
  complaint history".

The core and the tasks app ask for these through concierge/extensions.py; they never import this
app. Each draws with one or two queries, whatever the number of complaints.
"""

import re

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from concierge.extensions import MemberAlert
from concierge.models.members import mask_phone

# Newest first; a member with more has the rest on the complaints pages.
SHOWN = 20

urlpatterns = []

# A mainland mobile number typed into a note ("客户电话 138 1234 5678"): masked for roles that do
# not see members' numbers, as the profile masks the member's own.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


def _masked(text, user):
    if not text or user.has_perm("concierge.view_member_phone"):
        return text
    return _MOBILE.sub(lambda found: mask_phone(found.group(0)), text)


def _complaints_of(user, member):
    return (
        Complaint.objects.visible_to(user)
        .filter(member_id=member.pk)
        .select_related("category", "handler")
        .order_by("-recorded_at", "-pk")
    )


def _shown(user, member, limit=SHOWN):
    """The member's newest complaints, each with what the rows show, and how many more there are."""
    rows = list(_complaints_of(user, member)[: limit + 1])
    more = 0
    if len(rows) > limit:
        rows = rows[:limit]
        more = _complaints_of(user, member).count() - limit
    return _annotated(rows, user), more


def _annotated(rows, user):
    # Follow-ups are newer than the case they follow, so a shown case's follow-ups are shown too.
    followed_by = {}
    for row in rows:
        if row.follows_id:
            followed_by.setdefault(row.follows_id, []).append(row.number)
    for row in rows:
        row.followed_by = sorted(followed_by.get(row.pk, []))
        row.follows_number = f"#{row.follows_id}" if row.follows_id else ""
        row.duplicate_number = f"#{row.duplicate_of_id}" if row.duplicate_of_id else ""
        row.shown_solution = _masked(row.solution, user)
        row.shown_description = _masked(row.description, user)
        row.shown_wish = _masked(row.wish, user)
        row.shown_feedback = _masked(row.feedback_note, user)
    return rows


# ---- the profile card ------------------------------------------------------------------------------


def member_sections(request, member):
    """The complaints card on the member profile, for staff who may see complaints."""
    user = request.user
    if not user.has_perm("complaints.view_complaint"):
        return []
    rows, more = _shown(user, member)
    context = {
        "member": member,
        "complaints": rows,
        "more": more,
        "open_count": sum(1 for row in rows if row.is_active),
        "can_open": user.has_perm("complaints.view_complaint"),
        "record_url": f"{reverse('complaints:record')}?member={member.pk}"
        if user.has_perm("complaints.add_complaint")
        else "",
    }
    # Drawn without the request: its context processors (the header's alert count) would cost a
    # query per card, and the card needs none of them.
    return [render_to_string("complaints/member_section.html", context)]


# ---- the cheat sheet -------------------------------------------------------------------------------


def _day(moment):
    """11-28 this year, 2025-11-28 before it: short enough for one line of a cheat sheet."""
    day = timezone.localtime(moment).date()
    return formats.date_format(day, "m-d" if day.year == timezone.localdate().year else "Y-m-d")


def _feedback(complaint):
    if complaint.satisfied is None:
        return _("no feedback")
    if complaint.score:
        if complaint.satisfied:
            return _("satisfied (%(score)s/5)") % {"score": complaint.score}
        return _("not satisfied (%(score)s/5)") % {"score": complaint.score}
    return _("satisfied") if complaint.satisfied else _("not satisfied")


def member_alerts(user, member):
    """Each open complaint as a warning (no sales talk while it is open), and the last closed one
    as a line of background. Two indexed queries."""
    if not user.has_perm("complaints.view_complaint"):
        return []
    complaints = Complaint.objects.visible_to(user).filter(member_id=member.pk).select_related("category")
    alerts = []
    for complaint in complaints.filter(state__in=Complaint.ACTIVE_STATES).order_by("recorded_at", "pk"):
        text = _("Open complaint %(number)s: %(category)s, since %(date)s — no sales talk") % {
            "number": complaint.number,
            "category": complaint.category.display_name,
            "date": _day(complaint.recorded_at),
        }
        alerts.append(MemberAlert(text, reverse("complaints:detail", args=[complaint.pk]), "warning"))
    last = (
        complaints.filter(state=Complaint.State.CLOSED, closed_at__isnull=False)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if last is not None:
        text = _("Last complaint %(number)s: %(category)s, closed %(date)s, %(feedback)s") % {
            "number": last.number,
            "category": last.category.display_name,
            "date": _day(last.closed_at),
            "feedback": _feedback(last),
        }
        alerts.append(MemberAlert(text, reverse("complaints:detail", args=[last.pk]), "info"))
    return alerts


# ---- care task panels ------------------------------------------------------------------------------


def _apology_complaint_id(task):
    """The complaint an apology task is for: tasks/actions.make_apology_task keeps it in the period."""
    prefix, _sep, number = (task.period or "").partition(":")
    return int(number) if prefix == "complaint" and number.isdigit() else None


def care_task_sections(request, task):
    """The member's complaint history in a dormant review or call; the complaint itself, and any
    before it, in an apology task."""
    from tasks.models import CareTask

    user = request.user
    Kind = CareTask.Kind
    if task.kind not in (Kind.DORMANT_REVIEW, Kind.DORMANT_CALL, Kind.APOLOGY):
        return []
    if not user.has_perm("complaints.view_complaint"):
        return []
    rows, more = _shown(user, task.member)
    context = {
        "task": task,
        "complaints": rows,
        "more": more,
        "about": None,
        "can_open": user.has_perm("complaints.view_complaint"),
    }
    if task.kind == Kind.APOLOGY:
        about_id = _apology_complaint_id(task)
        about = next((row for row in rows if row.pk == about_id), None)
        if about is None and about_id is not None:  # older than the newest shown: rare, one query
            about = next(
                iter(_annotated(list(_complaints_of(user, task.member).filter(pk=about_id)), user)), None
            )
        context["about"] = about
        context["complaints"] = [row for row in rows if row.pk != about_id]
    return [render_to_string("complaints/task_section.html", context)]
