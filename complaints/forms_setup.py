"""Forms of the store's complaint set-up. They validate input only, each problem on its field, in
the user's language; complaints.setup_actions decides, checks again, writes and audits."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from complaints import setup_actions
from complaints.models import Category, ComplaintSettings, RoutingRule, Severity, SlaPolicy, Team
from complaints.models.setup import CATEGORY_LABELS, DEFAULT_SLA
from concierge.forms_params import IdRangeMixin
from concierge.models import Staff
from concierge.roles import Role

MAX_AMOUNT = Decimal("99999999.99")


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


class _StoreStaffField(forms.ModelChoiceField):
    def label_from_instance(self, staff):
        return _staff_label(staff)


class _StoreStaffMultipleField(IdRangeMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, staff):
        return _staff_label(staff)


def _staff_label(staff):
    held = {group.name for group in staff.groups.all()}  # prefetched: no query per choice
    roles = ", ".join(str(role.label) for role in Role if role.value in held)
    return f"{staff} · {roles}" if roles else str(staff)


def store_colleagues(store_id):
    """The store's active staff, complaint handlers first, with their groups read once."""
    handler = Staff.groups.through.objects.filter(
        staff_id=OuterRef("pk"), group__name=Role.COMPLAINT_HANDLER.value
    )
    return (
        Staff.objects.filter(store_id=store_id, is_active=True)
        .annotate(is_handler=Exists(handler))
        .order_by("-is_handler", "display_name", "username")
        .prefetch_related("groups")
    )


def _share_choices(field, colleagues):
    """The field offers an already read queryset, as is: a page drawing a form per team reads the
    colleagues once, not twice per form (assigning `queryset` would copy it and read it again).
    Validation still looks each posted id up in it afresh."""
    field._queryset = colleagues
    field.widget.choices = field.choices


# ---- categories -------------------------------------------------------------------------------------


class CategoryForm(forms.Form):
    """A category's name: required for the store's own; for a built-in one, blank shows the built-in
    name in each reader's language."""

    name = forms.CharField(label=_label(Category, "name"), max_length=50, required=False)

    def __init__(self, *args, store, category=None, **kwargs):
        if category is not None:
            kwargs.setdefault("initial", {"name": category.name})
        super().__init__(*args, **kwargs)
        self.store, self.category = store, category
        if category is not None and category.code:
            self.fields["name"].help_text = format_lazy(
                "{} {}", _("Leave it empty for the built-in name:"), CATEGORY_LABELS.get(category.code, "")
            )
            self.fields["name"].widget.attrs["placeholder"] = CATEGORY_LABELS.get(category.code, "")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name and (self.category is None or not self.category.code):
            raise ValidationError(_("Give the category a name."))
        if name and setup_actions.category_name_taken(
            self.store.pk, name, exclude=self.category.pk if self.category else None
        ):
            raise ValidationError(_("Another category is called %(name)s.") % {"name": name})
        return name


class CategoryMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class CategoryActiveForm(forms.Form):
    """Offer ("1") or hide ("0")."""

    active = forms.ChoiceField(choices=[("0", "0"), ("1", "1")])


# ---- teams ------------------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=_label(Team, "name"), max_length=50)
    lead = _StoreStaffField(
        label=_label(Team, "lead"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("No lead"),
        help_text=Team._meta.get_field("lead").help_text,
    )
    members = _StoreStaffMultipleField(
        label=_("Team members"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody ticked: the team's complaints go to every complaint handler of the store."),
    )
    is_default = forms.BooleanField(label=_label(Team, "is_default"), required=False)

    def __init__(self, *args, store, team=None, default_team=None, colleagues=None, **kwargs):
        """`colleagues`: store_colleagues() read once for a page with a form per team."""
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "lead": team.lead_id,
                    "members": [membership.staff_id for membership in team.memberships.all()],
                    "is_default": team.is_default,
                },
            )
        super().__init__(*args, **kwargs)
        self.store, self.team, self.default_team = store, team, default_team
        if colleagues is None:
            self.fields["lead"].queryset = store_colleagues(store.pk)
            self.fields["members"].queryset = store_colleagues(store.pk)
        else:
            _share_choices(self.fields["lead"], colleagues)
            _share_choices(self.fields["members"], colleagues)
        is_default_field = self.fields["is_default"]
        if team is not None and team.is_default:
            is_default_field.help_text = _(
                "It gets every complaint no routing rule matches. "
                "To change that, make another team the default."
            )
        elif default_team is not None:
            is_default_field.label = format_lazy(
                "{} {}", _("Make this the default team instead of"), default_team.name
            )
            is_default_field.help_text = _("The default team gets every complaint no routing rule matches.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Team.objects.filter(store=self.store, name__iexact=name)
        if self.team is not None:
            others = others.exclude(pk=self.team.pk)
        if others.exists():
            raise ValidationError(_("Another team is called %(name)s.") % {"name": name})
        return name

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        if self.team is not None and self.team.is_default and not is_default:
            raise ValidationError(_("One team must be the default: make another team the default instead."))
        return is_default


# ---- routing rules ----------------------------------------------------------------------------------


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        name = category.display_name
        return name if category.active else format_lazy("{} ({})", name, _("hidden"))


class RuleForm(forms.Form):
    category = CategoryChoiceField(
        label=_label(RoutingRule, "category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Any category"),
    )
    counter = forms.CharField(
        label=_label(RoutingRule, "counter"),
        max_length=60,
        required=False,
        help_text=_("As the complaint names it; upper and lower case do not matter. Empty: any counter."),
    )
    team = forms.ModelChoiceField(label=_label(RoutingRule, "team"), queryset=Team.objects.none())
    position = forms.IntegerField(
        label=_label(RoutingRule, "position"),
        min_value=0,
        max_value=32767,
        initial=0,
        help_text=_("Between rules that are equally specific, the lower position wins."),
    )

    def __init__(self, *args, store, rule=None, **kwargs):
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": rule.category_id,
                    "counter": rule.counter,
                    "team": rule.team_id,
                    "position": rule.position,
                },
            )
        super().__init__(*args, **kwargs)
        self.store, self.rule = store, rule
        self.fields["category"].queryset = Category.objects.filter(store=store)
        self.fields["team"].queryset = Team.objects.filter(store=store)

    def clean(self):
        cleaned = super().clean()
        category, counter = cleaned.get("category"), (cleaned.get("counter") or "").strip()
        cleaned["counter"] = counter
        if self.has_error("category") or self.has_error("counter"):
            return cleaned
        if category is None and not counter:
            raise ValidationError(_("Choose a category, give a counter, or both."))
        if setup_actions.rule_clash(
            self.store.pk, category, counter, exclude=self.rule.pk if self.rule else None
        ):
            raise ValidationError(_("Another rule matches exactly these complaints: change that one."))
        return cleaned


class RouteTestForm(forms.Form):
    """ "Where would this complaint go?": a category and a counter to try the rules with."""

    category = CategoryChoiceField(
        label=_label(RoutingRule, "category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Another category"),
    )
    counter = forms.CharField(label=_label(RoutingRule, "counter"), max_length=60, required=False)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(store=store)


# ---- SLA policies -----------------------------------------------------------------------------------


def sla_field(severity, part):
    return f"{severity}_{part}"


class SlaForm(forms.Form):
    """Both time limits of every severity, in business minutes. Fields: critical_contact,
    critical_resolution, high_contact, ... low_resolution."""

    @classmethod
    def initial_for(cls, minutes):
        initial = {}
        for severity, (contact, resolution) in minutes.items():
            initial[sla_field(severity, "contact")] = contact
            initial[sla_field(severity, "resolution")] = resolution
        return initial

    def clean(self):
        cleaned = super().clean()
        minutes = {}
        for severity in Severity.values:
            contact = cleaned.get(sla_field(severity, "contact"))
            resolution = cleaned.get(sla_field(severity, "resolution"))
            if contact is None or resolution is None:
                continue
            if contact > resolution:
                self.add_error(
                    sla_field(severity, "contact"), _("The first contact cannot come after the resolution.")
                )
                continue
            minutes[severity] = (contact, resolution)
        cleaned["minutes"] = minutes
        return cleaned


def _add_sla_fields():
    contact_field = SlaPolicy._meta.get_field("first_contact_minutes")
    resolution_field = SlaPolicy._meta.get_field("resolution_minutes")
    # Most severe first, as the page lists them.
    for severity in reversed(Severity.values):
        label = Severity(severity).label
        default_contact, default_resolution = DEFAULT_SLA[severity]
        for part, limit, default, what in (
            ("contact", setup_actions.MAX_CONTACT_MINUTES, default_contact, contact_field.verbose_name),
            (
                "resolution",
                setup_actions.MAX_RESOLUTION_MINUTES,
                default_resolution,
                resolution_field.verbose_name,
            ),
        ):
            SlaForm.base_fields[sla_field(severity, part)] = forms.IntegerField(
                label=format_lazy("{}: {}", label, what),
                min_value=1,
                max_value=limit,
                error_messages={"min_value": _("At least 1 business minute.")},
                widget=forms.NumberInput(attrs={"min": 1, "max": limit, "inputmode": "numeric"}),
                help_text=format_lazy("{} {}", _("Default:"), default),
            )


_add_sla_fields()


class ComplaintNumbersForm(forms.ModelForm):
    """The warning point, the escalation step and the reopening grace period."""

    class Meta:
        model = ComplaintSettings
        fields = setup_actions.NUMBER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"


# ---- compensation budgets ---------------------------------------------------------------------------


def _amount_field(label, required=False):
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=10,
        required=required,
        error_messages={"min_value": _("An amount cannot be negative.")},
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
    )


class BudgetsForm(forms.Form):
    """An amount per tier of the store's program (fields tier_<id>), for customers without a tier
    and walk-ins (`untiered`), and the default budget. Empty: no amount of its own."""

    untiered = _amount_field(_("No tier, and walk-in customers"))
    default_budget = _amount_field(_label(ComplaintSettings, "default_budget"), required=True)

    def __init__(self, *args, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = tiers
        self.fields["default_budget"].help_text = _(
            "Used when neither the customer's tier nor customers without a tier have an amount."
        )
        for tier in tiers:
            self.fields[f"tier_{tier.pk}"] = _amount_field(tier.name)
        self.order_fields([f"tier_{tier.pk}" for tier in tiers] + ["untiered", "default_budget"])

    def tier_rows(self):
        return [(tier, self[f"tier_{tier.pk}"]) for tier in self.tiers]

    def clean(self):
        cleaned = super().clean()
        amounts = {tier.pk: cleaned.get(f"tier_{tier.pk}") for tier in self.tiers}
        amounts[None] = cleaned.get("untiered")
        cleaned["amounts"] = amounts
        return cleaned
