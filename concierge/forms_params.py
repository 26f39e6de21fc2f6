"""Small forms for what views read besides their main form: offsets, pages, list filters and where
to go back to. Query strings and hidden fields are input like any other: a tampered one gets a
clear refusal (or the default), never a 500.
"""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# Database ids are signed 64-bit integers: anything outside cannot name a row, and SQLite raises
# OverflowError on it instead of finding nothing.
MAX_ID = 2**63 - 1
# No list is paged this deep by hand; a bigger offset is a tampered link.
MAX_OFFSET = 100_000
# How far ahead a chosen date may lie: far enough for any plan, near enough that date arithmetic
# (the day after, a year later) never runs past 9999-12-31.
MAX_YEARS_AHEAD = 5


def latest_date():
    return timezone.localdate() + dt.timedelta(days=365 * MAX_YEARS_AHEAD)


class IdField(forms.IntegerField):
    """A row id: a whole number in the database's range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def _in_id_range(value):
    try:
        return 1 <= int(str(value).strip()) <= MAX_ID
    except (TypeError, ValueError):
        return False


class IdRangeMixin:
    """Refuses ids outside the 64-bit range as an invalid choice before any query is made."""

    def _check_values(self, value):
        for pk in value:
            if not _in_id_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class ModelMultipleChoiceByIdField(IdRangeMixin, forms.ModelMultipleChoiceField):
    pass


class BoundedDateField(forms.DateField):
    """A date no further ahead than MAX_YEARS_AHEAD years."""

    def validate(self, value):
        super().validate(value)
        if value and value > latest_date():
            raise forms.ValidationError(
                _("Choose a date within %(years)d years.") % {"years": MAX_YEARS_AHEAD}, code="too_far"
            )


def read_query(form_class, data, **kwargs):
    """The cleaned values of a parameter form; a value no link of ours would send is a bad request."""
    form = form_class(data, **kwargs)
    if not form.is_valid():
        raise BadRequest(form.errors.as_text())
    return form.cleaned_data


class OffsetForm(forms.Form):
    """Where "show more" goes on from. Past the end is fine (the caller clamps it to the end)."""

    offset = forms.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)

    def __init__(self, data=None, *, name="offset", **kwargs):
        super().__init__(data, **kwargs)
        if name != "offset":
            self.fields[name] = self.fields.pop("offset")
        self.name = name

    def clean(self):
        data = super().clean()
        data["value"] = data.get(self.name) or 0
        return data


def offset_of(request, name="offset"):
    return read_query(OffsetForm, request.GET, name=name)["value"]


class NextForm(forms.Form):
    """Where a plain form post goes back to: a path on this site, nowhere else."""

    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, data=None, *, host, secure=False, **kwargs):
        super().__init__(data, **kwargs)
        self.host, self.secure = host, secure

    def clean_next(self):
        target = self.cleaned_data["next"]
        if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.host}, require_https=self.secure
        ):
            return target
        return ""


def next_url(request, fallback):
    """The `next` the form posted if it stays on this site; otherwise the fallback."""
    form = NextForm(request.POST, host=request.get_host(), secure=request.is_secure())
    return (form.cleaned_data["next"] if form.is_valid() else "") or fallback


class ClientBookQueryForm(forms.Form):
    """Which half of the client book, and which page of it."""

    show = forms.ChoiceField(choices=[("unassigned", "unassigned"), ("assigned", "assigned")], required=False)
    page = forms.CharField(required=False, max_length=20)

    def clean_show(self):
        return self.cleaned_data["show"] or "unassigned"


class OpenAlertForm(forms.Form):
    """Tapping an alert's text marks it read and opens what it is about."""

    open = forms.BooleanField(required=False)


class SwitchLanguageForm(forms.Form):
    """The header's language switch (Django's set_language reads the rest of the post itself)."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
