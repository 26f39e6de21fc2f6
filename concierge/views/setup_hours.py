"""The store's opening hours with its closed dates and special hours, and its staff's days off: pages
of the store's Settings, for whoever may set up the store (concierge.manage_store_setup).

Plain forms, as on the other set-up pages: a good post is redirected with a message; a form with
errors, or a refusal from the action, comes back with status 200 and what was typed. Another store's
date or day off is a 404. The actions (concierge.setup_hours) check it all again.
"""

import datetime as dt

from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from concierge import setup_hours
from concierge.errors import ActionRefused
from concierge.forms_hours import AbsenceForm, OpeningWeekForm, SpecialDayForm
from concierge.models import SpecialDay, StaffAbsence
from concierge.opening import DEFAULT_HOURS
from concierge.views.responses import respond
from concierge.views.store_setup import setup_required


def _base(setup_nav, **context):
    return {"active_nav": "setup", "setup_nav": setup_nav, **context}


def default_hours_text():
    """The hours a store without its own counts, as the page explains them: "10:00-22:00"."""
    texts = {setup_hours.describe_periods(periods) for periods in DEFAULT_HOURS.values()}
    return ", ".join(sorted(texts))


# ---- opening hours, closed dates and special hours --------------------------------------------------


def _date_form(user, day=None, data=None):
    prefix = f"date-{day.pk}" if day else "new-date"
    return SpecialDayForm(data, store=user.store, day=day, prefix=prefix, auto_id=f"id_{prefix}-%s")


def _hours_context(request, *, week_form=None, add_form=None, failed=None):
    """`failed` is (date pk, form) of a date whose change came back with errors."""
    user = request.user
    today = timezone.localdate()
    week = setup_hours.current_week(user.store_id)
    is_default = not any(week.values())
    if week_form is None:
        week_form = OpeningWeekForm(
            initial=OpeningWeekForm.initial_for(DEFAULT_HOURS if is_default else week)
        )
    days = list(SpecialDay.objects.visible_to(user).filter(date__gte=today).order_by("date"))
    for day in days:
        is_failed = failed is not None and failed[0] == day.pk
        day.form = failed[1] if is_failed else _date_form(user, day)
        day.form_open = is_failed
        day.is_today = day.date == today
    return _base(
        "hours",
        week_form=week_form,
        week_days=week_form.days(),
        is_default=is_default,
        default_text=default_hours_text(),
        special_days=days,
        past_count=SpecialDay.objects.visible_to(user).filter(date__lt=today).count(),
        add_form=add_form or _date_form(user),
        add_open=add_form is not None,
    )


def _hours_page(request, **context):
    return render(request, "concierge/setup/hours.html", _hours_context(request, **context))


@require_http_methods(["GET", "POST"])
@setup_required
def opening_hours(request):
    """The week (GET), and saving the whole week at once (POST)."""
    user = request.user
    if request.method == "GET":
        return _hours_page(request)
    form = OpeningWeekForm(request.POST)
    if form.is_valid():
        try:
            changed = setup_hours.save_opening_hours(actor=user, week=form.cleaned_data["week"])
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if not changed:
                return respond(
                    request, fallback="concierge:setup_hours", done=_("Nothing was changed."), level="info"
                )
            return respond(request, fallback="concierge:setup_hours", done=_("The opening hours are saved."))
    return _hours_page(request, week_form=form)


@require_POST
@setup_required
def special_day_add(request):
    user = request.user
    form = _date_form(user, data=request.POST)
    if form.is_valid():
        try:
            day = setup_hours.add_special_day(actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            done = _("%(date)s is on the calendar.") % {"date": _date_text(day)}
            return respond(request, fallback="concierge:setup_hours", done=done)
    return _hours_page(request, add_form=form)


def _date_text(day):
    text = date_format(day.date, "DATE_FORMAT")
    return f"{text} {day.name}".strip()


@require_POST
@setup_required
def special_day_change(request, pk):
    user = request.user
    day = SpecialDay.objects.get_for(user, pk=pk)
    form = _date_form(user, day, data=request.POST)
    if form.is_valid():
        try:
            changed = setup_hours.change_special_day(day, actor=user, values=form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if not changed:
                return respond(
                    request, fallback="concierge:setup_hours", done=_("Nothing was changed."), level="info"
                )
            day.refresh_from_db()
            done = _("%(date)s is saved.") % {"date": _date_text(day)}
            return respond(request, fallback="concierge:setup_hours", done=done)
    return _hours_page(request, failed=(day.pk, form))


@require_POST
@setup_required
def special_day_delete(request, pk):
    user = request.user
    day = SpecialDay.objects.get_for(user, pk=pk)
    try:
        setup_hours.delete_special_day(day, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_hours", refused=refusal.message)
    done = _("%(date)s is off the calendar: the store keeps its usual hours that day.") % {
        "date": _date_text(day)
    }
    return respond(request, fallback="concierge:setup_hours", done=done)


# ---- days off ---------------------------------------------------------------------------------------


def _days_off_context(request, *, form=None):
    user = request.user
    today = timezone.localdate()
    choices = setup_hours.staff_who_can_be_off(user.store_id)
    absences = list(
        StaffAbsence.objects.visible_to(user)
        .filter(last_day__gte=today)
        .select_related("staff")
        .order_by("first_day", "staff__display_name", "pk")
    )
    for absence in absences:
        absence.is_current = absence.first_day <= today
        absence.days = (absence.last_day - absence.first_day).days + 1
    off_today = [absence for absence in absences if absence.is_current]
    return _base(
        "days_off",
        form=form
        or AbsenceForm(
            staff_choices=choices, initial={"first_day": today, "last_day": today + dt.timedelta(days=1)}
        ),
        absences=absences,
        off_today=off_today,
        today=today,
    )


@require_http_methods(["GET", "POST"])
@setup_required
def days_off(request):
    """Who is off now and later (GET), and recording days off (POST)."""
    user = request.user
    if request.method == "GET":
        return render(request, "concierge/setup/days_off.html", _days_off_context(request))
    form = AbsenceForm(request.POST, staff_choices=setup_hours.staff_who_can_be_off(user.store_id))
    if form.is_valid():
        data = form.cleaned_data
        try:
            absence = setup_hours.add_absence(
                actor=user,
                staff=data["staff"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            count = (absence.last_day - absence.first_day).days + 1
            done = ngettext(
                "%(name)s is off for %(count)s day: no new complaints go to them then.",
                "%(name)s is off for %(count)s days: no new complaints go to them then.",
                count,
            ) % {"name": absence.staff, "count": count}
            return respond(request, fallback="concierge:setup_days_off", done=done)
    return render(request, "concierge/setup/days_off.html", _days_off_context(request, form=form))


@require_POST
@setup_required
def absence_delete(request, pk):
    user = request.user
    absence = StaffAbsence.objects.select_related("staff").get_for(user, pk=pk)
    try:
        setup_hours.remove_absence(absence, actor=user)
    except ActionRefused as refusal:
        return respond(request, fallback="concierge:setup_days_off", refused=refusal.message)
    done = _("The days off of %(name)s are removed.") % {"name": absence.staff}
    return respond(request, fallback=reverse("concierge:setup_days_off"), done=done)


urlpatterns = [
    path("setup/hours/", opening_hours, name="setup_hours"),
    path("setup/closed-dates/", special_day_add, name="setup_special_day_add"),
    path("setup/closed-dates/<int:pk>/", special_day_change, name="setup_special_day"),
    path("setup/closed-dates/<int:pk>/delete/", special_day_delete, name="setup_special_day_delete"),
    path("setup/days-off/", days_off, name="setup_days_off"),
    path("setup/days-off/<int:pk>/delete/", absence_delete, name="setup_absence_delete"),
]
