import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StoreScopedQuerySet(models.QuerySet):
    """Every staff-facing query starts from `visible_to(user)`: a user sees only their store."""

    def visible_to(self, user):
        if not user.is_authenticated or user.store_id is None:
            return self.none()
        return self.filter(store_id=user.store_id)

    def get_for(self, user, **lookup):
        """The object if the user's store owns it, else 404 (never 403: no hint it exists)."""
        try:
            return self.visible_to(user).get(**lookup)
        except self.model.DoesNotExist as exc:
            raise Http404 from exc


class Tag(models.Model):
    """An interest or preference keyword (瓷器, 美妆, 高尔夫): event audiences pick members by tag."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("interest tag")
        verbose_name_plural = _("interest tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Member(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")
        UNKNOWN = "", _("Not given")

    class ValueClass(models.TextChoices):
        A = "A", _("A · key")
        B = "B", _("B · frequent")
        C = "C", _("C · ordinary")
        NONE = "", _("No spend in 12 months")

    class Lifecycle(models.TextChoices):
        NEW = "new", _("New")
        REGULAR = "regular", _("Regular")
        DORMANT = "dormant", _("Dormant")
        LOST = "lost", _("Lost")

    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="members"
    )
    member_no = models.CharField(_("member number"), max_length=32)
    name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Kept beside the phone so "last four digits" search is an indexed equality lookup.
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_is_lunar = models.BooleanField(
        _("birthday is on the lunar calendar"),
        default=False,
        help_text=_("The date is stored as the lunar month and day in a placeholder year."),
    )
    anniversary = models.DateField(_("anniversary"), null=True, blank=True)
    join_date = models.DateField(_("join date"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("interests"), blank=True, related_name="members")
    preferences = models.TextField(_("preferences"), blank=True)
    sizes = models.CharField(_("sizes"), max_length=200, blank=True)
    # How staff greet them at the door (张女士, 王总); blank: surname and Ms/Mr from the gender.
    form_of_address = models.CharField(_("form of address"), max_length=20, blank=True)
    # The front desk finds a walk-in by the car at the door.
    car_plate = models.CharField(_("car plate"), max_length=12, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    # While paused the member gets care (greetings, satisfaction calls) but no sales-minded outreach.
    outreach_paused_until = models.DateField(_("no outreach until"), null=True, blank=True)
    outreach_pause_reason = models.CharField(_("why outreach is paused"), max_length=200, blank=True)

    tier = models.ForeignKey(
        "concierge.Tier",
        verbose_name=_("tier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    # The first day of the program period the tier holds for; a tier never drops inside it.
    tier_period_start = models.DateField(_("tier period start"), null=True, blank=True)

    # Figures maintained by refresh_members (and by purchase imports for the members they touch).
    value_class = models.CharField(
        _("value class"), max_length=1, choices=ValueClass.choices, blank=True, default=""
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.NEW
    )
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    spend_12m = models.DecimalField(_("12-month spend"), max_digits=14, decimal_places=2, default=0)
    purchase_count = models.PositiveIntegerField(_("number of purchases"), default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["member_no"]
        constraints = [
            models.UniqueConstraint(fields=["store", "member_no"], name="member_no_unique_per_store"),
            models.CheckConstraint(
                condition=Q(value_class__in=["", "A", "B", "C"]), name="member_value_class_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "name"]),
            models.Index(fields=["store", "value_class"]),
            models.Index(fields=["store", "lifecycle"]),
            models.Index(fields=["store", "-spend_12m"]),
        ]
        permissions = [
            ("view_member_phone", _("Can see members' full phone numbers")),
            ("view_store_overview", _("Can see the store overview")),
            ("import_data", _("Can import members and purchases")),
        ]

    def __str__(self):
        return f"{self.name} ({self.member_no})"

    def save(self, *args, **kwargs):
        self.phone_last4 = phone_digits(self.phone)[-4:]
        super().save(*args, **kwargs)

    # An open matter (a complaint) holds the outreach pause until it ends: neither the date nor the
    # reason is anyone's to change by hand meanwhile.
    OUTREACH_HELD = dt.date(9999, 12, 30)

    @property
    def outreach_held(self):
        return self.outreach_paused_until == self.OUTREACH_HELD

    @property
    def surname(self):
        name = self.name.strip()
        if not name:
            return ""
        if name[:2] in COMPOUND_SURNAMES:
            return name[:2]
        if " " in name:  # a name in Latin letters: the family name comes last
            return name.split()[-1]
        return name[0]

    @property
    def address_as(self):
        """How staff greet the member: their own form of address, else 张女士 / 王先生."""
        if self.form_of_address:
            return self.form_of_address
        if self.gender == self.Gender.FEMALE:
            return _("Ms %(surname)s") % {"surname": self.surname}
        if self.gender == self.Gender.MALE:
            return _("Mr %(surname)s") % {"surname": self.surname}
        return self.name

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def phone_for(self, user):
        """The number as this user may see it: whole for roles that call members, else masked."""
        if user.has_perm("concierge.view_member_phone"):
            return self.phone
        return self.masked_phone


COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "司徒",
        "令狐",
        "夏侯",
        "长孙",
        "宇文",
    ]
)


def value_class_rank(field="member__value_class"):
    """An expression ordering rows by their member's value class: A, then B, then C, then none."""
    whens = [When(**{field: code}, then=Value(rank)) for rank, code in enumerate(("A", "B", "C"))]
    return Case(*whens, default=Value(3), output_field=IntegerField())


def phone_digits(phone):
    return "".join(ch for ch in phone or "" if ch.isdigit())


def mask_phone(phone):
    """138****5678: the first three and last four digits stay, so staff can still confirm a caller."""
    digits = phone_digits(phone)
    if not digits:
        return ""
    if len(digits) <= 7:
        return "*" * (len(digits) - 4) + digits[-4:] if len(digits) > 4 else "****"
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class Purchase(models.Model):
    store = models.ForeignKey(
        "concierge.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="purchases"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="purchases"
    )
    receipt_ref = models.CharField(_("receipt"), max_length=64)
    purchased_at = models.DateTimeField(_("purchased at"))
    # Returns are negative amounts; zero-amount rows are visits without spend.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    # What was bought, as the till or the import names it: a VIP manager asks "how is the coat?".
    # The database default keeps raw loads that name no items (bench/generate.py's COPY) working.
    items = models.CharField(
        _("items"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Brand, category or description."),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sales",
    )
    # The visit it was bought during (a purchase in the visit's window): the visit's conversion.
    appointment = models.ForeignKey(
        "concierge.Appointment",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchased_at"]
        constraints = [
            models.UniqueConstraint(fields=["store", "receipt_ref"], name="receipt_unique_per_store"),
        ]
        indexes = [
            models.Index(fields=["member", "purchased_at"]),
            models.Index(fields=["store", "purchased_at"]),
        ]

    def __str__(self):
        return f"{self.receipt_ref} {self.amount}"


class ContactLog(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        MESSAGE = "message", _("Message")
        VISIT = "visit", pgettext_lazy("contact channel", "Visit")
        GIFT = "gift", _("Gift")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        MESSAGE_SENT = "message_sent", _("Message sent")
        GIFT_GIVEN = "gift_given", _("Gift given")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="contacts"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="contacts",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # What the system wrote about the contact (a care task's kind and answers), as a stored message
    # shown in the reader's language; `note` keeps what a person typed, as typed.
    summary = models.JSONField(_("summary"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    contacted_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["member", "-contacted_at"])]

    def __str__(self):
        return f"{self.member} {self.get_channel_display()} {self.contacted_at:%Y-%m-%d}"

    @property
    def text(self):
        """The summary in the reader's language, then what was typed."""
        from concierge.i18n import render_stored

        return "\n".join(part for part in (render_stored(self.summary), self.note) if part)
