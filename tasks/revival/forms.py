"""Forms of the campaign pages and the store's revival settings. They validate input only; the
actions in tasks/revival/campaigns.py decide and write."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField, ModelMultipleChoiceByIdField
from concierge.models import Staff
from tasks.models import RevivalCampaign, RevivalSettings
from tasks.models.revival import CAMPAIGN_TERMS
from tasks.revival import campaigns


def _numeric(form):
    for field in form.fields.values():
        if isinstance(field, forms.DecimalField | forms.IntegerField):
            field.widget.attrs["inputmode"] = (
                "decimal" if isinstance(field, forms.DecimalField) else "numeric"
            )


class RevivalSettingsForm(forms.ModelForm):
    """The store's defaults for new campaigns, and who is left out as lost for good."""

    class Meta:
        model = RevivalSettings
        fields = ("lost_for_good_months", *CAMPAIGN_TERMS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric(self)
        for name in ("reward_a", "reward_b", "reward_c", "reward_other", "quota_bonus"):
            self.fields[name].min_value = Decimal("0")
            self.fields[name].validators.append(_not_negative)


def _not_negative(value):
    if value is not None and value < 0:
        raise ValidationError(_("An amount cannot be negative."))


class RevivalCampaignForm(forms.ModelForm):
    """A campaign's name, period and terms (prefilled from the store's settings)."""

    class Meta:
        model = RevivalCampaign
        fields = ("name", "start", "end", *CAMPAIGN_TERMS)
        field_classes = {"start": BoundedDateField, "end": BoundedDateField}
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric(self)
        for name in ("reward_a", "reward_b", "reward_c", "reward_other", "quota_bonus"):
            self.fields[name].validators.append(_not_negative)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        return cleaned

    def terms(self):
        return {name: self.cleaned_data[name] for name in CAMPAIGN_TERMS}


class _PeopleField(ModelMultipleChoiceByIdField):
    def label_from_instance(self, staff):
        return str(staff)


WEIGHT_PREFIX = "weight_"


class RevivalPeopleForm(forms.Form):
    """Who gets members, each with a weight (1 for a full-timer, 0.5 for half the hours)."""

    INTENTS = (("preview", _("Preview")), ("open", _("Open")), ("draft", _("Save as a draft")))

    staff = _PeopleField(
        label=_("Give members to"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intent = forms.ChoiceField(choices=INTENTS, initial="open", widget=forms.HiddenInput)

    def __init__(self, *args, store, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(campaigns.vip_managers(store.pk))
        self.away = campaigns.staff_on_leave([p.pk for p in self.people], day) if day else set()
        self.fields["staff"].queryset = campaigns.vip_managers(store.pk)
        if not self.is_bound:
            self.initial["staff"] = [p.pk for p in self.people if p.pk not in self.away]
        for person in self.people:
            self.fields[f"{WEIGHT_PREFIX}{person.pk}"] = forms.DecimalField(
                label=_("Weight of %(name)s") % {"name": person},
                min_value=Decimal("0.1"),
                max_value=Decimal("10"),
                max_digits=4,
                decimal_places=2,
                initial=Decimal("1"),
                required=False,
                widget=forms.NumberInput(
                    attrs={"step": "0.1", "min": "0.1", "max": "10", "inputmode": "decimal"}
                ),
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("intent") in ("preview", "open") and "staff" in cleaned and not cleaned["staff"]:
            self.add_error("staff", _("Choose at least one person to give the members to."))
        return cleaned

    def weights(self):
        return {
            person.pk: self.cleaned_data.get(f"{WEIGHT_PREFIX}{person.pk}") or Decimal("1")
            for person in self.cleaned_data.get("staff") or []
        }

    def rows(self):
        """Per person: the checkbox, the weight field and whether they are on leave on the first day."""
        boxes = {int(str(box.data["value"])): box for box in self["staff"]}
        return [
            {
                "staff": person,
                "box": boxes.get(person.pk),
                "weight": self[f"{WEIGHT_PREFIX}{person.pk}"],
                "away": person.pk in self.away,
            }
            for person in self.people
        ]


class RevivalCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why close it now (optional)"), max_length=200, required=False, strip=True
    )
