"""Forms of the booking pages. They validate input only; concierge/appointments/booking.py decides.

The hosts and rooms offered are the store's own, by id, so a tampered id is "not one of the
choices" before any query is made with it.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.appointments.availability import host_candidates
from concierge.forms import NoteField
from concierge.forms_params import BoundedDateField, IdField
from concierge.models import Appointment, Member, Room

DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240)
GRID_MINUTES = 5
# Booked on the phone or at the counter here; a walk-in is checked in on the arrivals board.
BOOKING_CHANNELS = [(value, label) for value, label in Appointment.Channel.choices if value != "walk_in"]


class ObjectChoiceField(forms.TypedChoiceField):
    """One of a few rows, by id: `objects` is {id: row}; `cleaned_data` holds the row itself."""

    def __init__(self, *, empty_label=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.objects = {}

    def set_objects(self, objects, label=str):
        self.objects = objects
        empty = [("", self.empty_label)] if self.empty_label else []
        self.choices = [*empty, *((pk, label(obj)) for pk, obj in objects.items())]

    def clean(self, value):
        pk = super().clean(value)
        return self.objects.get(pk) if pk not in (None, "") else None


def duration_choices(default):
    minutes = sorted({*DURATIONS, default})
    return [(m, _("%(hours)d h %(minutes)02d min") % {"hours": m // 60, "minutes": m % 60}) for m in minutes]


def room_label(room):
    return _("%(room)s (%(seats)s seats)") % {"room": room.name, "seats": room.capacity}


class WhenMixin:
    """A date, a start time on a five-minute mark and a length: `starts_at` in cleaned_data."""

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value < timezone.localdate() - dt.timedelta(days=1):
            raise forms.ValidationError(_("Choose today or a later day."))
        return value

    def clean_time(self):
        value = self.cleaned_data["time"]
        if value and (value.minute % GRID_MINUTES or value.second or value.microsecond):
            raise forms.ValidationError(_("Choose a time on a five-minute mark (14:00, 14:05, ...)."))
        return value

    def combine(self, data):
        if data.get("date") and data.get("time") is not None:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
        return data


def _time_widget():
    return forms.TimeInput(attrs={"type": "time", "step": GRID_MINUTES * 60}, format="%H:%M")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitFieldsForm(WhenMixin, forms.Form):
    """What a visit is: when, with whom, where, and what the member asked for."""

    date = BoundedDateField(
        label=_("Date"), widget=_date_widget(), error_messages={"required": _("Choose the day.")}
    )
    time = forms.TimeField(
        label=_("Time"), widget=_time_widget(), error_messages={"required": _("Choose the time.")}
    )
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int, choices=duration_choices(60))
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=Appointment.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the visit is for.")},
    )
    host = ObjectChoiceField(
        label=_("Host"),
        empty_label=_("Choose the host"),
        error_messages={
            "required": _("Choose who hosts the visit."),
            "invalid_choice": _("Choose one of the hosts offered."),
        },
    )
    backup_host = ObjectChoiceField(
        label=_("Backup host"),
        required=False,
        empty_label=_("No backup host"),
        error_messages={"invalid_choice": _("Choose one of the hosts offered.")},
    )
    room = ObjectChoiceField(
        label=_("Room or lounge"),
        required=False,
        empty_label=_("No room"),
        error_messages={"invalid_choice": _("Choose one of the rooms offered.")},
    )
    party_size = forms.IntegerField(
        label=_("Party size"),
        min_value=1,
        max_value=50,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    car_plate = forms.CharField(
        label=_("Car plate"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("京A·12345")}),
    )
    drinks = forms.CharField(
        label=_("Drinks"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Green tea, no sugar")}),
    )
    allergies = forms.CharField(
        label=_("Allergies"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    items_to_pull = NoteField(
        label=_("Items to pull"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("The navy coat in size M, ...")}),
    )
    brands = forms.CharField(
        label=_("Brands to involve"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = NoteField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, default_minutes=60, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        hosts = {host.pk: host for host in host_candidates(user.store_id)}
        self.fields["host"].set_objects(hosts)
        self.fields["backup_host"].set_objects(hosts)
        rooms = Room.objects.visible_to(user).filter(active=True)
        self.fields["room"].set_objects({room.pk: room for room in rooms}, label=room_label)
        self.fields["minutes"].choices = duration_choices(default_minutes)
        self.fields["minutes"].initial = default_minutes

    def clean(self):
        data = self.combine(super().clean())
        host, backup = data.get("host"), data.get("backup_host")
        if host is not None and backup is not None and host.pk == backup.pk:
            self.add_error("backup_host", _("The backup host must be someone other than the host."))
        room, party = data.get("room"), data.get("party_size")
        if room is not None and party and party > room.capacity:
            self.add_error(
                "party_size",
                _("%(room)s seats %(seats)s.") % {"room": room.name, "seats": room.capacity},
            )
        return data

    def needs(self):
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("party_size", "car_plate", "drinks", "allergies", "items_to_pull", "brands", "note")
        }


class BookVisitForm(VisitFieldsForm):
    member = IdField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Booked by"),
        choices=BOOKING_CHANNELS,
        initial=Appointment.Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the member booked.")},
    )

    field_order = ["member"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_member = None

    def clean_member(self):
        pk = self.cleaned_data.get("member")
        if pk is None:
            raise forms.ValidationError(_("Find the member and tap their name."))
        member = Member.objects.visible_to(self.user).select_related("tier").filter(pk=pk).first()
        if member is None:
            raise forms.ValidationError(_("Choose the member again: this one is not in your store."))
        self.chosen_member = member
        return member

    def action_arguments(self):
        data = self.cleaned_data
        return {
            "member": data["member"],
            "starts_at": data["starts_at"],
            "minutes": data["minutes"],
            "purpose": data["purpose"],
            "host": data["host"],
            "backup_host": data["backup_host"],
            "room": data["room"],
            "channel": data["channel"],
            **self.needs(),
        }


class EditVisitForm(VisitFieldsForm):
    """Move the visit and change what was asked for, in one save."""

    def action_arguments(self):
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "minutes": data["minutes"],
            "host": data["host"],
            "backup_host": data["backup_host"],
            "room": data["room"],
            "purpose": data["purpose"],
            **self.needs(),
        }


class BookQueryForm(forms.Form):
    """What the booking page reads from its address: the member chosen and the search typed."""

    member = IdField(required=False)
    q = forms.CharField(required=False, max_length=100, strip=True)


class SlotCheckForm(WhenMixin, forms.Form):
    """The time chosen so far on the booking page: who and which rooms are free then."""

    date = BoundedDateField(required=False)
    time = forms.TimeField(required=False)
    minutes = forms.TypedChoiceField(
        coerce=int, choices=[(m, m) for m in range(5, 12 * 60 + 1, 5)], required=False
    )
    party_size = forms.IntegerField(min_value=1, max_value=50, required=False)
    visit = IdField(required=False)

    def clean(self):
        return self.combine(super().clean())


class CancelVisitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("The member is travelling")}),
        error_messages={"required": _("Say why the visit is cancelled.")},
    )


class VisitListForm(forms.Form):
    day = BoundedDateField(required=False, widget=_date_widget())

    def clean_day(self):
        day = self.cleaned_data["day"]
        # The day before is a link on the page: keep it a date that exists.
        if day and day < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("Choose a later day."))
        return day
