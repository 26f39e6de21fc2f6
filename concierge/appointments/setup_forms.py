"""Forms of the reception set-up pages. They validate input only, with each problem on the field it is
about; concierge.appointments.setup decides and writes."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from concierge.appointments.setup import CONTACT_DEPARTMENTS, RULE_FIELDS
from concierge.forms_params import MAX_YEARS_AHEAD, ModelMultipleChoiceByIdField
from concierge.models import Department, ReceptionSettings, Room, StaffBlock, Weekday
from concierge.models.hours import check_period

TIME_WIDGET = {"type": "time", "step": 300}
# Longer than any meeting or training: a longer absence is days off (Settings, Days off).
MAX_BLOCK_DAYS = 31


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


# ---- rooms and lounges ----------------------------------------------------------------------------


class RoomForm(forms.Form):
    name = forms.CharField(label=_label(Room, "name"), max_length=50)
    kind = forms.ChoiceField(label=_label(Room, "kind"), choices=Room.Kind.choices, initial=Room.Kind.LOUNGE)
    capacity = forms.IntegerField(label=_label(Room, "capacity"), min_value=1, max_value=200, initial=4)

    def __init__(self, *args, store, room=None, **kwargs):
        if room is not None:
            kwargs.setdefault("initial", {"name": room.name, "kind": room.kind, "capacity": room.capacity})
        super().__init__(*args, **kwargs)
        self.store, self.room = store, room

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the room a name."))
        clash = Room.objects.filter(store=self.store, name__iexact=name)
        if self.room is not None:
            clash = clash.exclude(pk=self.room.pk)
        if clash.exists():
            raise forms.ValidationError(_("The store already has a room called %(name)s.") % {"name": name})
        return name


class RoomBookableForm(forms.Form):
    bookable = forms.ChoiceField(choices=[("1", "1"), ("0", "0")])


class RoomMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


# ---- department contacts --------------------------------------------------------------------------


class StaffChoices(ModelMultipleChoiceByIdField):
    def label_from_instance(self, staff):
        return str(staff)


class DepartmentContactsForm(forms.Form):
    """One list of colleagues per department; nobody ticked means the front desk."""

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Department.choices)
        for department in CONTACT_DEPARTMENTS:
            self.fields[department] = StaffChoices(
                label=labels[department],
                queryset=colleagues,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def departments(self):
        return [self[department] for department in CONTACT_DEPARTMENTS]


# ---- working hours and blocks ---------------------------------------------------------------------


def day_field(day, part):
    return f"day{day}_{part}"


def _time_field(label):
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs=TIME_WIDGET, format="%H:%M")
    )


class StaffHoursForm(forms.Form):
    """A host's week: the store's opening hours, or their own shift on each working day.
    Fields: mode ("store" or "own"), day0_works, day0_starts, day0_ends, ... day6_*."""

    STORE, OWN = "store", "own"

    mode = forms.ChoiceField(
        label=_("Works"),
        choices=[(STORE, _("whenever the store is open")), (OWN, _("on these days and hours"))],
        widget=forms.RadioSelect,
        initial=STORE,
    )

    @classmethod
    def initial_for(cls, week):
        """The form's initial values from {weekday: [(starts, ends)]}; {} is the store's hours."""
        initial = {"mode": cls.OWN if week else cls.STORE}
        for day in Weekday.values:
            periods = week.get(day, [])
            initial[day_field(day, "works")] = bool(periods)
            if periods:
                initial[day_field(day, "starts")] = periods[0][0]
                initial[day_field(day, "ends")] = periods[-1][1]
        return initial

    def days(self):
        return [
            {
                "label": Weekday(day).label,
                "works": self[day_field(day, "works")],
                "starts": self[day_field(day, "starts")],
                "ends": self[day_field(day, "ends")],
                "errors": [
                    error
                    for part in ("works", "starts", "ends")
                    for error in self[day_field(day, part)].errors
                ],
            }
            for day in Weekday.values
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") != self.OWN:
            cleaned["week"] = None
            return cleaned
        week = {}
        for day in Weekday.values:
            if not cleaned.get(day_field(day, "works")):
                continue
            starts, ends = cleaned.get(day_field(day, "starts")), cleaned.get(day_field(day, "ends"))
            if starts is None and not self.has_error(day_field(day, "starts")):
                self.add_error(day_field(day, "starts"), _("Give when they start, or untick the day."))
            if ends is None and not self.has_error(day_field(day, "ends")):
                self.add_error(day_field(day, "ends"), _("Give when they finish (00:00 is midnight)."))
            if starts is None or ends is None:
                continue
            try:
                check_period(starts, ends)
            except forms.ValidationError as error:
                self.add_error(day_field(day, "ends"), error.messages[0])
                continue
            week[day] = [(starts, ends)]
        if not week and not self.errors:
            raise forms.ValidationError(
                _("Tick at least one working day, or choose that they work whenever the store is open.")
            )
        cleaned["week"] = week
        return cleaned


def _add_day_fields():
    for day in Weekday.values:
        name = Weekday(day).label
        StaffHoursForm.base_fields[day_field(day, "works")] = forms.BooleanField(
            label=format_lazy("{}: {}", name, _("works")), required=False
        )
        fields = StaffHoursForm.base_fields
        fields[day_field(day, "starts")] = _time_field(format_lazy("{}: {}", name, _("starts")))
        fields[day_field(day, "ends")] = _time_field(format_lazy("{}: {}", name, _("ends")))


_add_day_fields()


class _LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value.date() > timezone.localdate() + dt.timedelta(days=365 * MAX_YEARS_AHEAD):
            raise forms.ValidationError(
                _("Choose a date within %(years)d years.") % {"years": MAX_YEARS_AHEAD}, code="too_far"
            )


class StaffBlockForm(forms.Form):
    starts_at = _LocalDateTimeField(label=_label(StaffBlock, "starts_at"))
    ends_at = _LocalDateTimeField(label=_label(StaffBlock, "ends_at"))
    reason = forms.CharField(
        label=_label(StaffBlock, "reason"),
        max_length=100,
        required=False,
        help_text=_("A meeting, training, a brand visit..."),
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("The blocked time must end after it starts."))
            elif ends <= timezone.now():
                self.add_error("ends_at", _("This time has passed: block time from now on."))
            elif ends - starts > dt.timedelta(days=MAX_BLOCK_DAYS):
                self.add_error(
                    "ends_at",
                    _("Block at most %(days)d days at a time; record longer absences as days off.")
                    % {"days": MAX_BLOCK_DAYS},
                )
        return cleaned


# ---- the reception rules --------------------------------------------------------------------------


class ReceptionRulesForm(forms.ModelForm):
    class Meta:
        model = ReceptionSettings
        fields = RULE_FIELDS
