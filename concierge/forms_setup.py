"""Forms of the store's set-up: staff accounts and the tier program. They validate input only;
concierge.setup_actions decides, checks permission again, writes and audits.

No form here has a field for is_superuser, is_staff, groups or the store: whatever a post adds
for them is ignored. Roles are offered only among those the user may grant.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth.forms import SetPasswordForm, UsernameField
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from concierge.models import Staff, Tier, TierProgram
from concierge.roles import Role
from concierge.setup_actions import PROGRAM_FIELDS, TIER_FIELDS, grantable_roles

MAX_CASELOAD = 500


def _label(model, field):
    """The model field's own name, so the set-up reads like the rest of the app."""
    return capfirst(model._meta.get_field(field).verbose_name)


def _caseload_field():
    return forms.IntegerField(
        label=_label(Staff, "caseload_limit"),
        min_value=0,
        max_value=MAX_CASELOAD,
        initial=60,
        help_text=_("How many VIPs this person can look after at most, if they are a VIP manager."),
    )


def _roles_field(choices, required=True):
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(role.value, role.label) for role in choices],
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"required": _("Give the account at least one role.")},
    )


class StaffCreateForm(forms.Form):
    username = UsernameField(
        label=_label(Staff, "username"),
        max_length=150,
        validators=[Staff.username_validator],
        help_text=_("What they type to log in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label=_label(Staff, "display_name"), max_length=50)
    roles = None  # set per user in __init__
    caseload_limit = None
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["username", "display_name", "roles", "caseload_limit", "password1", "password2"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = _roles_field(grantable_roles(actor))
        self.fields["caseload_limit"] = _caseload_field()
        self.order_fields(self.field_order)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if Staff.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken: choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = Staff(
                username=cleaned.get("username") or "", display_name=cleaned.get("display_name") or ""
            )
            try:
                validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class StaffEditForm(forms.Form):
    """Name, roles and caseload limit. On one's own account the roles are shown, never changed."""

    display_name = forms.CharField(label=_label(Staff, "display_name"), max_length=50)

    def __init__(self, *args, actor, staff, **kwargs):
        self.staff = staff
        self.is_self = staff.pk == actor.pk
        kwargs.setdefault(
            "initial",
            {
                "display_name": staff.display_name,
                "roles": [role.value for role in staff.roles],
                "caseload_limit": staff.caseload_limit,
            },
        )
        super().__init__(*args, **kwargs)
        if self.is_self:
            self.fields["roles"] = _roles_field(list(Role), required=False)
            self.fields["roles"].widget.attrs["disabled"] = True
            self.fields["roles"].help_text = _("Your own roles are changed by another store manager.")
        else:
            self.fields["roles"] = _roles_field(grantable_roles(actor))
        self.fields["caseload_limit"] = _caseload_field()

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if self.is_self:
            current = {role.value for role in self.staff.roles}
            # The boxes are disabled, so a plain save posts none: that keeps the roles.
            if roles and set(roles) != current:
                raise ValidationError(_("You cannot change your own roles: ask another store manager."))
            return sorted(current)
        return roles


class PasswordResetForm(SetPasswordForm):
    """A new password the manager types and gives the person; checked like every password."""

    def __init__(self, staff, *args, **kwargs):
        super().__init__(staff, *args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")

    def save(self, commit=True):  # the action writes, with its audit entry
        raise NotImplementedError


# ---- the tier program ----------------------------------------------------------------------------


class TierProgramForm(forms.ModelForm):
    class Meta:
        model = TierProgram
        fields = PROGRAM_FIELDS
        widgets = {"period_start_month": forms.Select(choices=[(month, month) for month in range(1, 13)])}
        help_texts = {
            "points_per_yuan": _("1 means one point for every yuan spent."),
            "period_start_day": _(
                "Day 1-28. Moving the period start makes the next refresh begin a new period: members "
                "keep their tier only if they met its renewal over the period that ended."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Zero points per yuan would make every tier unreachable.
        self.fields["points_per_yuan"].validators.append(MinValueValidator(Decimal("0.0001")))
        self.fields["points_per_yuan"].widget.attrs["min"] = "0.0001"


THRESHOLDS = ["min_day_points", "min_month_points", "min_period_points", "renewal_points"]


class TierForm(forms.ModelForm):
    """One tier. Checked against the program's other tiers: ranks differ, names differ, and a higher
    tier never asks for fewer points than a lower one (the refresh gives the highest tier met)."""

    class Meta:
        model = Tier
        fields = TIER_FIELDS  # exactly what the action writes

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        for name in THRESHOLDS:
            self.fields[name].widget.attrs["min"] = 1
            self.fields[name].validators.append(_min_one)
        self.fields["rank"].widget.attrs["min"] = 1
        self.fields["rank"].validators.append(MinValueValidator(1))
        # Rank and threshold clashes are checked in clean() with messages on the fields; the database
        # constraints stay as the last guard.
        self._validate_constraints = False

    def _others(self):
        tiers = Tier.objects.filter(program=self.program)
        if self.instance.pk:
            tiers = tiers.exclude(pk=self.instance.pk)
        return list(tiers)

    def clean(self):
        cleaned = super().clean()
        others = self._others()
        rank, name = cleaned.get("rank"), cleaned.get("name")
        if rank is not None and any(other.rank == rank for other in others):
            self.add_error(
                "rank", _("Another tier has rank %(rank)s: give each tier its own.") % {"rank": rank}
            )
        if name and any(other.name.casefold() == name.casefold() for other in others):
            self.add_error("name", _("Another tier is called %(name)s.") % {"name": name})
        if rank is not None:
            for field in THRESHOLDS:
                value = cleaned.get(field)
                if value is None:
                    continue
                for other in others:
                    theirs = getattr(other, field)
                    if theirs is None:
                        continue
                    if other.rank < rank and theirs >= value:
                        self.add_error(
                            field,
                            _("Must be more than %(points)s, what %(tier)s (a lower tier) asks.")
                            % {"points": theirs, "tier": other.name},
                        )
                        break
                    if other.rank > rank and theirs <= value:
                        self.add_error(
                            field,
                            _("Must be less than %(points)s, what %(tier)s (a higher tier) asks.")
                            % {"points": theirs, "tier": other.name},
                        )
                        break
        return cleaned


def _min_one(value):
    if value is not None and value < 1:
        raise ValidationError(_("At least 1 point, or leave it empty."))


class RemoveTierForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label=_("Its members move to"),
        queryset=Tier.objects.none(),
        required=False,
        empty_label=_("No tier (the next refresh places them)"),
    )

    def __init__(self, *args, tier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = Tier.objects.filter(program_id=tier.program_id).exclude(pk=tier.pk)


class StaffActiveForm(forms.Form):
    """Deactivate ("0") or reactivate ("1") an account: the two buttons of the account page."""

    active = forms.ChoiceField(choices=[("0", "0"), ("1", "1")])


class UnlockForm(forms.Form):
    """Where the unlock button was tapped: on the staff list ("list") or on the account page."""

    back = forms.ChoiceField(choices=[("", ""), ("list", "list")], required=False)
