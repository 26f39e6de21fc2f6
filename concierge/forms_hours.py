"""Forms of the store's opening hours, closed dates and special hours, and days off. They validate
input only, with each problem on the field it is about; concierge.setup_hours decides and writes."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField
from concierge.models import SpecialDay, StaffAbsence, Weekday
from concierge.models.hours import check_period
from concierge.roles import Role
from concierge.setup_hours import end_of, start_of

TIME_WIDGET = {"type": "time", "step": 300}


def _time_field(label):
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs=TIME_WIDGET, format="%H:%M"),
    )


def _date_field(label, **kwargs):
    return BoundedDateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


def _period_error(opens, closes):
    """The model's own rule for one period (00:00 closes at midnight), as a message, or None."""
    try:
        check_period(opens, closes)
    except ValidationError as error:
        return error.messages[0]
    return None


# ---- the week ---------------------------------------------------------------------------------------

DAY_PARTS = ("closed", "opens", "closes", "opens2", "closes2")


def day_field(day, part):
    return f"day{day}_{part}"


class OpeningWeekForm(forms.Form):
    """The seven days on one form: each day closed, or open in one period or two (a lunch break).
    Its fields are day0_closed, day0_opens, day0_closes, day0_opens2, day0_closes2, ... day6_*."""

    @classmethod
    def initial_for(cls, week):
        """The form's initial values from {weekday: [(opens, closes), ...]}."""
        initial = {}
        for day in Weekday.values:
            periods = sorted(week.get(day, []))
            initial[day_field(day, "closed")] = not periods
            for index, (opens, closes) in enumerate(periods[:2]):
                suffix = "2" if index else ""
                initial[day_field(day, f"opens{suffix}")] = opens
                initial[day_field(day, f"closes{suffix}")] = closes
        return initial

    def days(self):
        """One row per weekday for the template: its name and its bound fields."""
        return [
            {
                "day": day,
                "label": Weekday(day).label,
                **{part: self[day_field(day, part)] for part in DAY_PARTS},
                "errors": [error for part in DAY_PARTS for error in self[day_field(day, part)].errors],
                "has_second": bool(
                    self[day_field(day, "opens2")].value() or self[day_field(day, "closes2")].value()
                ),
            }
            for day in Weekday.values
        ]

    def clean(self):
        cleaned = super().clean()
        week = {}
        for day in Weekday.values:
            week[day] = self._clean_day(cleaned, day)
        failed = any(self.has_error(day_field(day, part)) for day in Weekday.values for part in DAY_PARTS)
        if not failed and not any(week.values()):
            raise ValidationError(
                _(
                    "The store must open on at least one day of the week: for days it does not "
                    "open at all, such as a public holiday, add a closed date below."
                )
            )
        cleaned["week"] = {day: periods or [] for day, periods in week.items()}
        return cleaned

    def _clean_day(self, cleaned, day):
        def value(part):
            return cleaned.get(day_field(day, part))

        def failed(part):
            return self.has_error(day_field(day, part))

        if value("closed"):
            return []
        periods = []
        opens, closes = value("opens"), value("closes")
        if opens is None and not failed("opens"):
            self.add_error(day_field(day, "opens"), _("Give the opening time, or tick “closed”."))
        if closes is None and not failed("closes"):
            self.add_error(day_field(day, "closes"), _("Give the closing time (00:00 is midnight)."))
        if opens is not None and closes is not None:
            problem = _period_error(opens, closes)
            if problem:
                self.add_error(day_field(day, "closes"), problem)
            else:
                periods.append((opens, closes))
        opens2, closes2 = value("opens2"), value("closes2")
        if opens2 is None and closes2 is None:
            return periods
        if opens2 is None:
            if not failed("opens2"):
                self.add_error(
                    day_field(day, "opens2"), _("Give when the store opens again after the break.")
                )
            return periods
        if closes2 is None:
            if not failed("closes2"):
                self.add_error(day_field(day, "closes2"), _("Give when the store closes after the break."))
            return periods
        problem = _period_error(opens2, closes2)
        if problem:
            self.add_error(day_field(day, "closes2"), problem)
            return periods
        if periods:
            (_opens, first_closes), (second_opens, _closes) = sorted([periods[0], (opens2, closes2)])
            if start_of(second_opens) < end_of(first_closes):
                self.add_error(
                    day_field(day, "opens2"),
                    _("The two periods overlap: the second must start after the first closes."),
                )
                return periods
        periods.append((opens2, closes2))
        return sorted(periods)


def _add_week_fields():
    for day in Weekday.values:
        name = Weekday(day).label
        fields = {
            "closed": forms.BooleanField(label=format_lazy("{}: {}", name, _("closed")), required=False),
            "opens": _time_field(format_lazy("{}: {}", name, _("opens"))),
            "closes": _time_field(format_lazy("{}: {}", name, _("closes"))),
            "opens2": _time_field(format_lazy("{}: {}", name, _("opens again after the break"))),
            "closes2": _time_field(format_lazy("{}: {}", name, _("closes after the break"))),
        }
        for part, field in fields.items():
            OpeningWeekForm.base_fields[day_field(day, part)] = field


_add_week_fields()


# ---- closed dates and special hours -----------------------------------------------------------------


class SpecialDayForm(forms.Form):
    """One date: closed all day, or open at its own hours (Spring Festival eve closes at 17:00)."""

    CLOSED, HOURS = "closed", "hours"

    date = _date_field(_label(SpecialDay, "date"))
    name = forms.CharField(
        label=_label(SpecialDay, "name"),
        max_length=50,
        required=False,
        help_text=_("What the date is, e.g. Spring Festival eve."),
    )
    kind = forms.ChoiceField(
        label=_("That day the store is"),
        choices=[(CLOSED, _("Closed all day")), (HOURS, _("Open at other hours"))],
        widget=forms.RadioSelect,
        initial=CLOSED,
    )
    opens = _time_field(_label(SpecialDay, "opens"))
    closes = _time_field(_label(SpecialDay, "closes"))

    def __init__(self, *args, store, day=None, **kwargs):
        if day is not None:
            kwargs.setdefault(
                "initial",
                {
                    "date": day.date,
                    "name": day.name,
                    "kind": self.CLOSED if day.closed else self.HOURS,
                    "opens": day.opens,
                    "closes": day.closes,
                },
            )
        super().__init__(*args, **kwargs)
        self.store, self.day = store, day
        self.fields["closes"].help_text = _("00:00 means midnight.")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise ValidationError(_("This date has passed: choose today or a later date."))
        clash = SpecialDay.objects.filter(store=self.store, date=date)
        if self.day is not None:
            clash = clash.exclude(pk=self.day.pk)
        clash = clash.first()
        if clash is not None:
            raise ValidationError(
                _("This date already has an entry (%(name)s): change that one.")
                % {"name": clash.name or clash.date.isoformat()}
            )
        return date

    def clean(self):
        cleaned = super().clean()
        closed = cleaned.get("kind") != self.HOURS
        cleaned["closed"] = closed
        if closed:
            cleaned["opens"] = cleaned["closes"] = None
            return cleaned
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens is None and not self.has_error("opens"):
            self.add_error("opens", _("Give the opening time that day."))
        if closes is None and not self.has_error("closes"):
            self.add_error("closes", _("Give the closing time that day (00:00 is midnight)."))
        if opens is not None and closes is not None:
            problem = _period_error(opens, closes)
            if problem:
                self.add_error("closes", problem)
        return cleaned


# ---- days off ---------------------------------------------------------------------------------------


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, staff):
        held = {group.name for group in staff.groups.all()}  # prefetched: no query per choice
        roles = ", ".join(str(role.label) for role in Role if role.value in held)
        return f"{staff} ({roles})" if roles else str(staff)


class AbsenceForm(forms.Form):
    staff = StaffChoiceField(label=_label(StaffAbsence, "staff"), queryset=StaffAbsence.objects.none())
    first_day = _date_field(_label(StaffAbsence, "first_day"))
    last_day = _date_field(_label(StaffAbsence, "last_day"))
    note = forms.CharField(
        label=_label(StaffAbsence, "note"),
        max_length=100,
        required=False,
        help_text=_("Leave, training, sick..."),
    )

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        # The groups are read once for the whole list: each choice shows the person's roles.
        self.fields["staff"].queryset = staff_choices.prefetch_related("groups")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day off cannot be before the first."))
        elif last and last < timezone.localdate():
            self.add_error("last_day", _("These days have passed: record days off from today on."))
        if first and last and (last - first) > dt.timedelta(days=366):
            self.add_error("last_day", _("Record at most a year at a time."))
        return cleaned
