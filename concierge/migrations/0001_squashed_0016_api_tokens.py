"""The migrations it replaces, as one: made from the models, each index and constraint inside its
table's CreateModel where it can be, so that a new database (a new store's server, each test
database) is built in a few operations instead of replaying every change. Django's migrate rebuilt
the related models' state after each of the replaced operations, most of its time.

Installations that applied the old migrations go on from them: Django counts this one as applied
once all it replaces are. The old files stay until every installation has run them; their data
steps only filled rows that existed before them, so a new database leaves them out (elidable).
Both paths gave the same PostgreSQL schema (pg_dump -s) when this was made.
"""

from decimal import Decimal

import django.contrib.auth.models
import django.contrib.auth.validators
import django.contrib.postgres.fields.ranges
import django.core.serializers.json
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import concierge.models.appointments


class Migration(migrations.Migration):
    replaces = [
        ("concierge", "0001_initial"),
        ("concierge", "0002_role_groups"),
        ("concierge", "0003_member_field_labels"),
        ("concierge", "0004_assignments_and_alerts"),
        ("concierge", "0005_drop_spend_rank"),
        ("concierge", "0006_outreach_pause"),
        ("concierge", "0007_job_runs"),
        ("concierge", "0008_purchase_items"),
        ("concierge", "0009_store_setup_permission"),
        ("concierge", "0010_staff_and_store_language_alert_message"),
        ("concierge", "0011_contact_summary"),
        ("concierge", "0012_opening_hours_days_off"),
        ("concierge", "0013_appointments"),
        ("concierge", "0014_visit_no_show_undone"),
        ("concierge", "0015_preparation_planned"),
        ("concierge", "0016_api_tokens"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The booking exclusion constraint compares rooms (bigint) with GiST; a no-op off PostgreSQL.
        BtreeGistExtension(),
        migrations.CreateModel(
            name="Member",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("member_no", models.CharField(max_length=32, verbose_name="member number")),
                ("name", models.CharField(max_length=100, verbose_name="full name")),
                ("phone", models.CharField(blank=True, max_length=32, verbose_name="phone")),
                ("phone_last4", models.CharField(blank=True, db_index=True, editable=False, max_length=4)),
                (
                    "gender",
                    models.CharField(
                        blank=True,
                        choices=[("f", "Female"), ("m", "Male"), ("", "Not given")],
                        max_length=1,
                        verbose_name="gender",
                    ),
                ),
                ("birthday", models.DateField(blank=True, null=True, verbose_name="birthday")),
                (
                    "birthday_is_lunar",
                    models.BooleanField(
                        default=False,
                        help_text="The date is stored as the lunar month and day in a placeholder year.",
                        verbose_name="birthday is on the lunar calendar",
                    ),
                ),
                ("anniversary", models.DateField(blank=True, null=True, verbose_name="anniversary")),
                ("join_date", models.DateField(blank=True, null=True, verbose_name="join date")),
                ("preferences", models.TextField(blank=True, verbose_name="preferences")),
                ("sizes", models.CharField(blank=True, max_length=200, verbose_name="sizes")),
                (
                    "form_of_address",
                    models.CharField(blank=True, max_length=20, verbose_name="form of address"),
                ),
                (
                    "car_plate",
                    models.CharField(blank=True, db_index=True, max_length=12, verbose_name="car plate"),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "outreach_paused_until",
                    models.DateField(blank=True, null=True, verbose_name="no outreach until"),
                ),
                (
                    "outreach_pause_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="why outreach is paused"),
                ),
                (
                    "tier_period_start",
                    models.DateField(blank=True, null=True, verbose_name="tier period start"),
                ),
                (
                    "value_class",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("A", "A · key"),
                            ("B", "B · frequent"),
                            ("C", "C · ordinary"),
                            ("", "No spend in 12 months"),
                        ],
                        default="",
                        max_length=1,
                        verbose_name="value class",
                    ),
                ),
                (
                    "lifecycle",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("regular", "Regular"),
                            ("dormant", "Dormant"),
                            ("lost", "Lost"),
                        ],
                        default="new",
                        max_length=10,
                        verbose_name="lifecycle",
                    ),
                ),
                (
                    "first_purchase_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first purchase"),
                ),
                (
                    "last_purchase_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last purchase"),
                ),
                (
                    "spend_12m",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="12-month spend"
                    ),
                ),
                (
                    "purchase_count",
                    models.PositiveIntegerField(default=0, verbose_name="number of purchases"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "member",
                "verbose_name_plural": "members",
                "ordering": ["member_no"],
                "permissions": [
                    ("view_member_phone", "Can see members' full phone numbers"),
                    ("view_store_overview", "Can see the store overview"),
                    ("import_data", "Can import members and purchases"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Room",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("lounge", "VIP lounge"),
                            ("fitting", "Fitting room"),
                            ("private", "Private room"),
                            ("beauty", "Beauty room"),
                            ("other", "Other"),
                        ],
                        default="lounge",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "capacity",
                    models.PositiveSmallIntegerField(
                        default=4,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(200),
                        ],
                        verbose_name="seats",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="bookable")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "room or lounge",
                "verbose_name_plural": "rooms and lounges",
                "ordering": ["position", "name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Store",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=20, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
            ],
            options={
                "verbose_name": "store",
                "verbose_name_plural": "stores",
                "ordering": ["code"],
                "permissions": [
                    ("manage_store_setup", "Can set up the store: staff accounts and the tier program")
                ],
            },
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="name")),
            ],
            options={
                "verbose_name": "interest tag",
                "verbose_name_plural": "interest tags",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Tier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        help_text="Higher is better: 1 for the entry tier, 2 for the next, ...",
                        verbose_name="rank",
                    ),
                ),
                (
                    "min_day_points",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="points in a single day"),
                ),
                (
                    "min_month_points",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="points in a calendar month"
                    ),
                ),
                (
                    "min_period_points",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="points in the program period"
                    ),
                ),
                (
                    "renewal_points",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Points in the period needed to keep the tier for the next period.",
                        null=True,
                        verbose_name="points to renew",
                    ),
                ),
                (
                    "dedicated_manager",
                    models.BooleanField(default=False, verbose_name="dedicated VIP manager"),
                ),
                (
                    "closed_store_events",
                    models.BooleanField(default=False, verbose_name="closed-store events"),
                ),
                ("salons", models.BooleanField(default=False, verbose_name="member salons")),
                ("lounge", models.BooleanField(default=False, verbose_name="VIP lounge")),
                ("birthday_gift", models.BooleanField(default=False, verbose_name="birthday gift")),
                (
                    "other_benefits",
                    models.CharField(blank=True, max_length=200, verbose_name="other benefits"),
                ),
            ],
            options={
                "verbose_name": "tier",
                "verbose_name_plural": "tiers",
                "ordering": ["program", "rank"],
            },
        ),
        migrations.CreateModel(
            name="TierProgram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "period_start_month",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(12),
                        ],
                        verbose_name="period starts in month",
                    ),
                ),
                (
                    "period_start_day",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="Day 1-28, so that every year has it.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(28),
                        ],
                        verbose_name="period starts on day",
                    ),
                ),
                (
                    "points_per_yuan",
                    models.DecimalField(
                        decimal_places=4, default=Decimal("1"), max_digits=8, verbose_name="points per yuan"
                    ),
                ),
            ],
            options={
                "verbose_name": "tier program",
                "verbose_name_plural": "tier programs",
            },
        ),
        migrations.CreateModel(
            name="Staff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "username",
                    models.CharField(
                        error_messages={"unique": "A user with that username already exists."},
                        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                        max_length=150,
                        unique=True,
                        validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                        verbose_name="username",
                    ),
                ),
                ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        help_text="Designates whether the user can log into this admin site.",
                        verbose_name="staff status",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                        verbose_name="active",
                    ),
                ),
                (
                    "date_joined",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined"),
                ),
                ("display_name", models.CharField(blank=True, max_length=50, verbose_name="display name")),
                (
                    "caseload_limit",
                    models.PositiveSmallIntegerField(
                        default=60,
                        help_text="How many VIPs this VIP manager can look after at most.",
                        verbose_name="caseload limit",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        help_text="Blank: the store's language.",
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff member",
                "verbose_name_plural": "staff",
            },
            managers=[
                ("objects", django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="JobRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="job")),
                ("day", models.DateField(verbose_name="day")),
                (
                    "finished_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="finished"),
                ),
                ("summary", models.JSONField(blank=True, default=dict, verbose_name="summary")),
            ],
            options={
                "verbose_name": "job run",
                "verbose_name_plural": "job runs",
                "ordering": ["-day", "name"],
                "constraints": [models.UniqueConstraint(fields=("name", "day"), name="one_job_run_per_day")],
            },
        ),
        migrations.CreateModel(
            name="Appointment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("requested", "Booked"),
                            ("confirmed", "Confirmed"),
                            ("prepared", "Ready"),
                            ("arrived", "Arrived"),
                            ("in_service", "In service"),
                            ("completed", "Seen off"),
                            ("followed_up", "Followed up"),
                            ("cancelled", "Cancelled"),
                            ("no_show", "No-show"),
                        ],
                        default="requested",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("walk_in", models.BooleanField(default=False, verbose_name="walk-in")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone"),
                            ("counter", "At the counter"),
                            ("message", "Message"),
                            ("online", "Online"),
                            ("walk_in", "Walk-in"),
                        ],
                        default="phone",
                        max_length=10,
                        verbose_name="booked by",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("ends_at", models.DateTimeField(verbose_name="ends")),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("shopping", "Personal shopping"),
                            ("fitting", "Fitting or alteration"),
                            ("lounge", "Lounge visit"),
                            ("pickup", "Pickup"),
                            ("beauty", "Beauty service"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="purpose",
                    ),
                ),
                (
                    "party_size",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(50),
                        ],
                        verbose_name="party size",
                    ),
                ),
                ("car_plate", models.CharField(blank=True, max_length=12, verbose_name="car plate")),
                ("drinks", models.CharField(blank=True, max_length=200, verbose_name="drinks")),
                ("allergies", models.CharField(blank=True, max_length=200, verbose_name="allergies")),
                (
                    "items_to_pull",
                    models.TextField(blank=True, max_length=1000, verbose_name="items to pull"),
                ),
                ("brands", models.CharField(blank=True, max_length=200, verbose_name="brands to involve")),
                ("note", models.TextField(blank=True, max_length=2000, verbose_name="note")),
                ("booked_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="booked")),
                ("reschedule_count", models.PositiveSmallIntegerField(default=0, verbose_name="times moved")),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed")),
                ("prepared_at", models.DateTimeField(blank=True, null=True, verbose_name="ready")),
                (
                    "prep_warned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="unready warning sent"),
                ),
                ("arrived_at", models.DateTimeField(blank=True, null=True, verbose_name="arrived")),
                ("ack_due_at", models.DateTimeField(blank=True, null=True, verbose_name="answer due")),
                (
                    "acknowledged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="host answered"),
                ),
                ("ack_escalated_at", models.DateTimeField(blank=True, null=True, verbose_name="escalated")),
                (
                    "service_started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="service started"),
                ),
                (
                    "service_notes",
                    models.TextField(blank=True, max_length=4000, verbose_name="service notes"),
                ),
                (
                    "feedback",
                    models.TextField(blank=True, max_length=2000, verbose_name="what the member said"),
                ),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="seen off")),
                ("gift_given", models.BooleanField(default=False, verbose_name="gift or souvenir given")),
                ("gift_note", models.CharField(blank=True, max_length=200, verbose_name="which gift")),
                ("followed_up_at", models.DateTimeField(blank=True, null=True, verbose_name="followed up")),
                ("cancelled_at", models.DateTimeField(blank=True, null=True, verbose_name="cancelled")),
                ("cancel_reason", models.CharField(blank=True, max_length=200, verbose_name="why cancelled")),
                ("no_show_at", models.DateTimeField(blank=True, null=True, verbose_name="marked no-show")),
                (
                    "no_show_undone_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="no-show undone"),
                ),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "backup_host",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="backup_appointments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="backup host",
                    ),
                ),
                (
                    "booked_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="booked by",
                    ),
                ),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cancelled by",
                    ),
                ),
                (
                    "checked_in_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked in by",
                    ),
                ),
                (
                    "host",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hosted_appointments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="host",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="concierge.room",
                        verbose_name="room or lounge",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="appointments",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "appointment",
                "verbose_name_plural": "appointments",
                "ordering": ["starts_at", "pk"],
                "permissions": [
                    ("manage_appointments", "Can see reception figures and act on any host's visits"),
                    ("setup_reception", "Can set up rooms, departments, staff hours and reception rules"),
                ],
                "indexes": [
                    models.Index(fields=["store", "starts_at"], name="concierge_a_store_i_2828c0_idx"),
                    models.Index(fields=["host", "starts_at"], name="concierge_a_host_id_76bd7d_idx"),
                    models.Index(fields=["member", "starts_at"], name="concierge_a_member__f34de5_idx"),
                    models.Index(fields=["room", "starts_at"], name="concierge_a_room_id_def059_idx"),
                    models.Index(
                        fields=["store", "state", "starts_at"], name="concierge_a_store_i_de0fe0_idx"
                    ),
                    models.Index(
                        condition=models.Q(("state__in", ["requested", "confirmed", "prepared"])),
                        fields=["starts_at"],
                        name="appointment_upcoming_start",
                    ),
                    models.Index(
                        condition=models.Q(("arrived_at__isnull", False)),
                        fields=["arrived_at"],
                        name="appointment_arrived",
                    ),
                    models.Index(
                        condition=models.Q(
                            ("ack_due_at__isnull", False),
                            ("ack_escalated_at__isnull", True),
                            ("acknowledged_at__isnull", True),
                        ),
                        fields=["ack_due_at"],
                        name="appointment_ack_due",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="appointment_ends_after_start",
                    ),
                    concierge.models.appointments.PostgresOnlyExclusion(
                        condition=models.Q(("state__in", ["cancelled", "no_show"]), _negated=True),
                        expressions=[
                            (
                                concierge.models.appointments.TsTzRange(
                                    "starts_at",
                                    "ends_at",
                                    django.contrib.postgres.fields.ranges.RangeBoundary(),
                                ),
                                "&&",
                            ),
                            ("host", "="),
                        ],
                        name="no_double_booking_of_a_host",
                    ),
                    concierge.models.appointments.PostgresOnlyExclusion(
                        condition=models.Q(
                            models.Q(("state__in", ["cancelled", "no_show"]), _negated=True),
                            ("room__isnull", False),
                        ),
                        expressions=[
                            (
                                concierge.models.appointments.TsTzRange(
                                    "starts_at",
                                    "ends_at",
                                    django.contrib.postgres.fields.ranges.RangeBoundary(),
                                ),
                                "&&",
                            ),
                            ("room", "="),
                        ],
                        name="no_double_booking_of_a_room",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="room",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rooms",
                to="concierge.store",
                verbose_name="store",
            ),
        ),
        migrations.CreateModel(
            name="ReceptionSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "default_minutes",
                    models.PositiveSmallIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(15),
                            django.core.validators.MaxValueValidator(480),
                        ],
                        verbose_name="usual length of a visit (minutes)",
                    ),
                ),
                (
                    "ack_minutes",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="After this, the backup host and the store manager are alerted.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="minutes for the host to answer an arrival",
                    ),
                ),
                (
                    "no_show_minutes",
                    models.PositiveSmallIntegerField(
                        default=30,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(240),
                        ],
                        verbose_name="minutes late before a no-show",
                    ),
                ),
                (
                    "prep_warning_minutes",
                    models.PositiveSmallIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(10),
                            django.core.validators.MaxValueValidator(480),
                        ],
                        verbose_name="warn about unready preparation (minutes before)",
                    ),
                ),
                (
                    "purchase_grace_minutes",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="A purchase rung up at the till on the way out belongs to the visit.",
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(240),
                        ],
                        verbose_name="purchases after the farewell that still count (minutes)",
                    ),
                ),
                (
                    "no_show_flag_count",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="no-shows in a year that flag a member",
                    ),
                ),
                (
                    "store",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reception_settings",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "reception settings",
                "verbose_name_plural": "reception settings",
            },
        ),
        migrations.CreateModel(
            name="Purchase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("receipt_ref", models.CharField(max_length=64, verbose_name="receipt")),
                ("purchased_at", models.DateTimeField(verbose_name="purchased at")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
                (
                    "items",
                    models.CharField(
                        blank=True,
                        db_default="",
                        default="",
                        help_text="Brand, category or description.",
                        max_length=200,
                        verbose_name="items",
                    ),
                ),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="purchases",
                        to="concierge.appointment",
                        verbose_name="visit",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="purchases",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="sales",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="purchases",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "purchase",
                "verbose_name_plural": "purchases",
                "ordering": ["-purchased_at"],
                "indexes": [
                    models.Index(fields=["member", "purchased_at"], name="concierge_p_member__b02fa0_idx"),
                    models.Index(fields=["store", "purchased_at"], name="concierge_p_store_i_7bb067_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("store", "receipt_ref"), name="receipt_unique_per_store")
                ],
            },
        ),
        migrations.CreateModel(
            name="OpeningHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        verbose_name="day of the week",
                    ),
                ),
                ("opens", models.TimeField(verbose_name="opens")),
                ("closes", models.TimeField(help_text="00:00 means midnight.", verbose_name="closes")),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opening_hours",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "opening hours",
                "verbose_name_plural": "opening hours",
                "ordering": ["weekday", "opens"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "weekday", "opens"), name="one_opening_per_start"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="member",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="concierge.store",
                verbose_name="store",
            ),
        ),
        migrations.CreateModel(
            name="DepartmentContact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "department",
                    models.CharField(
                        choices=[
                            ("front_desk", "Front desk"),
                            ("catering", "Catering"),
                            ("concierge", "Concierge"),
                            ("host", "Host"),
                            ("brand", "Brand counter"),
                        ],
                        max_length=12,
                        verbose_name="department",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="department_contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="department_contacts",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "department contact",
                "verbose_name_plural": "department contacts",
                "ordering": ["department", "staff_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "department", "staff"), name="one_contact_per_department"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="time"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        help_text="Dotted code, e.g. complaint.routed", max_length=64, verbose_name="action"
                    ),
                ),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                ("from_state", models.CharField(blank=True, max_length=40, verbose_name="from")),
                ("to_state", models.CharField(blank=True, max_length=40, verbose_name="to")),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="data",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_entries",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "-at"], name="concierge_a_content_50e415_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Assignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("proposed", "Waiting for the manager"),
                            ("active", "Active"),
                            ("handover_requested", "Handover requested"),
                            ("ended", "Ended"),
                        ],
                        default="proposed",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("handover_note", models.TextField(blank=True, verbose_name="handover note")),
                (
                    "handover_requested_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handover requested"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="accepted")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended")),
                ("end_reason", models.CharField(blank=True, max_length=200, verbose_name="why it ended")),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned by",
                    ),
                ),
                (
                    "handover_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="handovers_offered",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handover to",
                    ),
                ),
                (
                    "manager",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="VIP manager",
                    ),
                ),
                (
                    "previous",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="next",
                        to="concierge.assignment",
                        verbose_name="taken over from",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "VIP manager assignment",
                "verbose_name_plural": "VIP manager assignments",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["manager", "state"], name="concierge_a_manager_ab5ff9_idx"),
                    models.Index(fields=["store", "state"], name="concierge_a_store_i_f81615_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state__in", ["active", "handover_requested"])),
                        fields=("member",),
                        name="one_current_assignment_per_member",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "proposed")),
                        fields=("member",),
                        name="one_proposal_per_member",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Which till uses it, e.g. “Till 1”.", max_length=80, verbose_name="name"
                    ),
                ),
                ("prefix", models.CharField(db_index=True, max_length=8, verbose_name="starts with")),
                ("digest", models.CharField(max_length=64)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="revoked by",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "till token",
                "verbose_name_plural": "till tokens",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="member",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="members", to="concierge.tag", verbose_name="interests"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="tier",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="members",
                to="concierge.tier",
                verbose_name="tier",
            ),
        ),
        migrations.AddField(
            model_name="tier",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tiers",
                to="concierge.tierprogram",
                verbose_name="program",
            ),
        ),
        migrations.AddField(
            model_name="store",
            name="tier_program",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stores",
                to="concierge.tierprogram",
                verbose_name="tier program",
            ),
        ),
        migrations.CreateModel(
            name="Alert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        help_text="Dotted code, e.g. assignment.proposed", max_length=40, verbose_name="kind"
                    ),
                ),
                ("message", models.JSONField(blank=True, null=True, verbose_name="message")),
                ("text", models.CharField(max_length=300, verbose_name="text")),
                ("link", models.CharField(blank=True, max_length=300, verbose_name="link")),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read")),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
            options={
                "verbose_name": "alert",
                "verbose_name_plural": "alerts",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("read_at__isnull", True)),
                        fields=["recipient", "-created_at"],
                        name="unread_alerts_per_recipient",
                    ),
                    models.Index(fields=["recipient", "-created_at"], name="concierge_a_recipie_41d237_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ContactLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone call"),
                            ("message", "Message"),
                            ("visit", "Visit"),
                            ("gift", "Gift"),
                        ],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("reached", "Reached"),
                            ("not_reached", "Not reached"),
                            ("message_sent", "Message sent"),
                            ("gift_given", "Gift given"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                ("summary", models.JSONField(blank=True, null=True, verbose_name="summary")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("contacted_at", models.DateTimeField(db_index=True, verbose_name="time")),
                (
                    "staff",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact",
                "verbose_name_plural": "contact log",
                "ordering": ["-contacted_at", "-id"],
                "indexes": [
                    models.Index(fields=["member", "-contacted_at"], name="concierge_c_member__dcfd13_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="PreparationItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "department",
                    models.CharField(
                        choices=[
                            ("front_desk", "Front desk"),
                            ("catering", "Catering"),
                            ("concierge", "Concierge"),
                            ("host", "Host"),
                            ("brand", "Brand counter"),
                        ],
                        max_length=12,
                        verbose_name="department",
                    ),
                ),
                ("text", models.CharField(max_length=200, verbose_name="what to prepare")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("planned", models.BooleanField(default=False, editable=False)),
                (
                    "appointment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="preparation",
                        to="concierge.appointment",
                        verbose_name="visit",
                    ),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="done by",
                    ),
                ),
            ],
            options={
                "verbose_name": "preparation item",
                "verbose_name_plural": "preparation items",
                "ordering": ["position", "pk"],
                "indexes": [
                    models.Index(fields=["appointment", "done_at"], name="concierge_p_appoint_d8cc64_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)],
                        verbose_name="day of the week",
                    ),
                ),
                ("starts", models.TimeField(verbose_name="starts")),
                ("ends", models.TimeField(help_text="00:00 means midnight.", verbose_name="ends")),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hours",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_hours",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "working hours",
                "verbose_name_plural": "working hours",
                "ordering": ["staff_id", "weekday", "starts"],
                "constraints": [
                    models.UniqueConstraint(fields=("staff", "weekday", "starts"), name="one_shift_per_start")
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="from")),
                ("ends_at", models.DateTimeField(verbose_name="until")),
                ("reason", models.CharField(blank=True, max_length=100, verbose_name="reason")),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="blocks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_blocks",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "blocked time",
                "verbose_name_plural": "blocked times",
                "ordering": ["starts_at"],
                "indexes": [models.Index(fields=["staff", "ends_at"], name="concierge_s_staff_i_c1cf10_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="block_ends_after_start",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffAbsence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_day", models.DateField(verbose_name="first day off")),
                ("last_day", models.DateField(verbose_name="last day off")),
                ("note", models.CharField(blank=True, max_length=100, verbose_name="note")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded"),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="absences",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="absences",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "day off",
                "verbose_name_plural": "days off",
                "ordering": ["first_day"],
                "indexes": [
                    models.Index(fields=["staff", "last_day"], name="concierge_s_staff_i_4d5988_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("last_day__gte", models.F("first_day"))),
                        name="absence_ends_after_start",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SpecialDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="name")),
                ("closed", models.BooleanField(default=True, verbose_name="closed all day")),
                ("opens", models.TimeField(blank=True, null=True, verbose_name="opens")),
                (
                    "closes",
                    models.TimeField(
                        blank=True, help_text="00:00 means midnight.", null=True, verbose_name="closes"
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="special_days",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "closed date or special hours",
                "verbose_name_plural": "closed dates and special hours",
                "ordering": ["date"],
                "constraints": [
                    models.UniqueConstraint(fields=("store", "date"), name="one_special_day_per_date"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("closed", True),
                            models.Q(("closes__isnull", False), ("opens__isnull", False)),
                            _connector="OR",
                        ),
                        name="special_day_open_has_hours",
                    ),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="room",
            constraint=models.UniqueConstraint(fields=("store", "name"), name="room_name_unique_per_store"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["store", "name"], name="concierge_m_store_i_83491c_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["store", "value_class"], name="concierge_m_store_i_262107_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["store", "lifecycle"], name="concierge_m_store_i_6f4ac7_idx"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["store", "-spend_12m"], name="concierge_m_store_i_c80a18_idx"),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                fields=("store", "member_no"), name="member_no_unique_per_store"
            ),
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.CheckConstraint(
                condition=models.Q(("value_class__in", ["", "A", "B", "C"])), name="member_value_class_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="tier",
            constraint=models.UniqueConstraint(
                fields=("program", "rank"), name="tier_rank_unique_per_program"
            ),
        ),
        migrations.AddConstraint(
            model_name="tier",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("min_day_points__isnull", False),
                    ("min_month_points__isnull", False),
                    ("min_period_points__isnull", False),
                    _connector="OR",
                ),
                name="tier_has_a_threshold",
            ),
        ),
    ]
