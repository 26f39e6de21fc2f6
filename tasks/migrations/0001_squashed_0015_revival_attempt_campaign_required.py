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

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("tasks", "0001_initial"),
        ("tasks", "0002_outcomes"),
        ("tasks", "0003_cadence_calendar_messages"),
        ("tasks", "0004_task_permissions"),
        ("tasks", "0005_care_task_minute_job_indexes"),
        ("tasks", "0006_care_task_reason_message"),
        ("tasks", "0007_alter_caretask_kind"),
        ("tasks", "0008_visit_tasks"),
        ("tasks", "0009_revival"),
        ("tasks", "0010_revival_attempt_over_sold"),
        ("tasks", "0011_revival_case_lean_keys"),
        ("tasks", "0012_revival_restrict_inside"),
        ("tasks", "0013_revival_case_keys_checked_by_the_orm"),
        ("tasks", "0014_revival_attempt_figures_on_the_case"),
        ("tasks", "0015_revival_attempt_campaign_required"),
    ]

    initial = True

    dependencies = [
        ("concierge", "0001_squashed_0016_api_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="RevivalCampaign",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("start", models.DateField(verbose_name="first day")),
                ("end", models.DateField(verbose_name="last day")),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("draft", "Draft"),
                            ("open", "Open"),
                            ("closed", "Closed"),
                            ("settled", "Settled"),
                        ],
                        default="draft",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                (
                    "min_amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="a revival is a purchase of at least (yuan)",
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="days after an attempt a purchase counts",
                    ),
                ),
                (
                    "return_days",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(365)],
                        verbose_name="days a return can take the credit back",
                    ),
                ),
                (
                    "target_percent",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="revival target (% of each person's members)",
                    ),
                ),
                (
                    "stall_days",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        verbose_name="a case is stalled after (days without an attempt)",
                    ),
                ),
                (
                    "exclude_self_rung",
                    models.BooleanField(
                        verbose_name="a purchase rung up by the credited staff member does not count"
                    ),
                ),
                (
                    "reward_a",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="reward for a class A member"
                    ),
                ),
                (
                    "reward_b",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="reward for a class B member"
                    ),
                ),
                (
                    "reward_c",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="reward for a class C member"
                    ),
                ),
                (
                    "reward_other",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="reward for a member without a class"
                    ),
                ),
                (
                    "quota_bonus",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="bonus on reaching the target"
                    ),
                ),
                ("pool_size", models.PositiveIntegerField(default=0, verbose_name="members in the pool")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="opened")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                ("settled_at", models.DateTimeField(blank=True, null=True, verbose_name="settled")),
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
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_campaigns",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival campaign",
                "verbose_name_plural": "revival campaigns",
                "ordering": ["-start", "-id"],
                "permissions": [
                    ("manage_revival", "Can run revival campaigns, review cases and approve rewards"),
                    ("work_revival", "Can work revival cases"),
                ],
                "indexes": [models.Index(fields=["store", "state"], name="tasks_reviv_store_i_2e3b1f_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("store", "name"), name="revival_campaign_name_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("end__gte", models.F("start"))),
                        name="revival_campaign_ends_after_start",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RevivalCase",
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
                            ("open", "Not contacted yet"),
                            ("contacted", "Contacted"),
                            ("revived", "Revived"),
                            ("lost", "Lost for good"),
                            ("closed", "Closed"),
                        ],
                        default="open",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("value_class", models.CharField(blank=True, max_length=1, verbose_name="value class")),
                ("dormant_since", models.DateField(blank=True, null=True, verbose_name="quiet since")),
                ("own_manager", models.BooleanField(default=False, verbose_name="their own VIP manager")),
                ("guidance", models.TextField(blank=True, verbose_name="the store manager's guidance")),
                ("attempts_count", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="last attempt")),
                ("reached", models.BooleanField(default=False, verbose_name="reached")),
                (
                    "last_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("quality", "Product quality"),
                            ("service", "Service"),
                            ("moved", "Moved away"),
                            ("elsewhere", "Buys elsewhere"),
                            ("travelling", "Travelling"),
                            ("busy", "Busy"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="why they stopped coming",
                    ),
                ),
                ("next_step_on", models.DateField(blank=True, null=True, verbose_name="next step on")),
                ("closed_reason", models.CharField(blank=True, max_length=200, verbose_name="why closed")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cases",
                        to="tasks.revivalcampaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_cases",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revival_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_cases",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival case",
                "verbose_name_plural": "revival cases",
                "ordering": ["campaign", "id"],
                "indexes": [
                    models.Index(
                        fields=["campaign", "staff", "state"], name="tasks_reviv_campaig_71d379_idx"
                    ),
                    models.Index(fields=["member", "state"], name="tasks_reviv_member__026b1f_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "member"), name="one_revival_case_per_member")
                ],
            },
        ),
        migrations.CreateModel(
            name="RevivalAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="when")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone call"),
                            ("message", "Message"),
                            ("visit", "Visit"),
                            ("gift", "Gift"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("reached", models.BooleanField(verbose_name="reached")),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("quality", "Product quality"),
                            ("service", "Service"),
                            ("moved", "Moved away"),
                            ("elsewhere", "Buys elsewhere"),
                            ("travelling", "Travelling"),
                            ("busy", "Busy"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="why they stopped coming",
                    ),
                ),
                (
                    "remedy",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("use_remaining", "Remaining services or products to use"),
                            ("taxi", "Taxi paid"),
                            ("home_visit", "Home visit"),
                            ("free_trial", "Free trial"),
                            ("change_staff", "A change of staff"),
                            ("gift", "A gift"),
                            ("none", "Nothing yet"),
                        ],
                        max_length=20,
                        verbose_name="remedy offered",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("next_step", models.CharField(blank=True, max_length=200, verbose_name="next step")),
                ("next_step_on", models.DateField(blank=True, null=True, verbose_name="next step on")),
                ("over_sold", models.BooleanField(default=False, verbose_name="felt pushed to buy before")),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="revival_attempts",
                        to="concierge.appointment",
                        verbose_name="visit booked",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revival_attempts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_attempts",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="tasks.revivalcampaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempts",
                        to="tasks.revivalcase",
                        verbose_name="case",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival attempt",
                "verbose_name_plural": "revival attempts",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["case", "at"], name="tasks_reviv_case_id_7c06c7_idx"),
                    models.Index(fields=["store", "at"], name="tasks_reviv_store_i_996109_idx"),
                    models.Index(
                        fields=["campaign", "remedy", "case"], name="tasks_reviv_campaig_0d51f1_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RevivalCredit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("provisional", "Provisional"),
                            ("final", "Final"),
                            ("clawed_back", "Taken back"),
                        ],
                        default="provisional",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                (
                    "credited_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="credited"),
                ),
                ("returns_until", models.DateTimeField(verbose_name="returns count until")),
                ("clawed_back_at", models.DateTimeField(blank=True, null=True, verbose_name="taken back")),
                (
                    "claw_back_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="why taken back"),
                ),
                (
                    "attempt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="credits",
                        to="tasks.revivalattempt",
                        verbose_name="attempt that counted",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credits",
                        to="tasks.revivalcampaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credits",
                        to="tasks.revivalcase",
                        verbose_name="case",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_credits",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "purchase",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revival_credits",
                        to="concierge.purchase",
                        verbose_name="purchase",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revival_credits",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="credited to",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_credits",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival credit",
                "verbose_name_plural": "revival credits",
                "ordering": ["-credited_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["campaign", "staff", "state"], name="tasks_reviv_campaig_5e5164_idx"
                    ),
                    models.Index(
                        condition=models.Q(("state", "provisional")),
                        fields=["returns_until"],
                        name="revival_credit_provisional",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "clawed_back"), _negated=True),
                        fields=("campaign", "member"),
                        name="one_revival_credit_per_member",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IncentiveEntry",
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
                        choices=[
                            ("reward", "Revival reward"),
                            ("bonus", "Target bonus"),
                            ("claw_back", "Taken back"),
                            ("correction", "Correction"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved"),
                            ("paid", "Paid"),
                            ("reversed", "Reversed"),
                        ],
                        default="pending",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded"),
                ),
                ("approved_at", models.DateTimeField(blank=True, null=True, verbose_name="approved")),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid")),
                ("reversed_at", models.DateTimeField(blank=True, null=True, verbose_name="reversed")),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "corrects",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="corrections",
                        to="tasks.incentiveentry",
                        verbose_name="corrects",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="incentive_entries",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incentive_entries",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ledger",
                        to="tasks.revivalcampaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "credit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="ledger",
                        to="tasks.revivalcredit",
                        verbose_name="revival",
                    ),
                ),
            ],
            options={
                "verbose_name": "incentive entry",
                "verbose_name_plural": "incentive entries",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["store", "state"], name="tasks_incen_store_i_e5fced_idx"),
                    models.Index(fields=["staff", "paid_at"], name="tasks_incen_staff_i_700857_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "bonus"), models.Q(("state", "reversed"), _negated=True)),
                        fields=("campaign", "staff"),
                        name="one_standing_bonus_per_person",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RevivalQuota",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.1")),
                            django.core.validators.MaxValueValidator(Decimal("10")),
                        ],
                        verbose_name="weight",
                    ),
                ),
                ("share", models.PositiveIntegerField(default=0, verbose_name="members")),
                ("target", models.PositiveIntegerField(default=0, verbose_name="revivals to reach")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quotas",
                        to="tasks.revivalcampaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revival_quotas",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival quota",
                "verbose_name_plural": "revival quotas",
                "ordering": ["campaign", "staff"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "staff"), name="one_quota_per_person_and_campaign"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RevivalSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed"),
                ),
                (
                    "lost_for_good_months",
                    models.PositiveSmallIntegerField(
                        default=24,
                        help_text="Members whose last purchase is older than this are lost for good. 0: leave nobody out.",
                        validators=[django.core.validators.MaxValueValidator(240)],
                        verbose_name="leave out members quiet for more than (months)",
                    ),
                ),
                (
                    "exclude_self_rung",
                    models.BooleanField(
                        default=True,
                        verbose_name="a purchase rung up by the credited staff member does not count",
                    ),
                ),
                (
                    "min_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("500"),
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="a revival is a purchase of at least (yuan)",
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="days after an attempt a purchase counts",
                    ),
                ),
                (
                    "return_days",
                    models.PositiveSmallIntegerField(
                        default=14,
                        validators=[django.core.validators.MaxValueValidator(365)],
                        verbose_name="days a return can take the credit back",
                    ),
                ),
                (
                    "target_percent",
                    models.PositiveSmallIntegerField(
                        default=20,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="revival target (% of each person's members)",
                    ),
                ),
                (
                    "stall_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        verbose_name="a case is stalled after (days without an attempt)",
                    ),
                ),
                (
                    "reward_a",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("200"),
                        max_digits=12,
                        verbose_name="reward for a class A member",
                    ),
                ),
                (
                    "reward_b",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("120"),
                        max_digits=12,
                        verbose_name="reward for a class B member",
                    ),
                ),
                (
                    "reward_c",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("80"),
                        max_digits=12,
                        verbose_name="reward for a class C member",
                    ),
                ),
                (
                    "reward_other",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("50"),
                        max_digits=12,
                        verbose_name="reward for a member without a class",
                    ),
                ),
                (
                    "quota_bonus",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("500"),
                        max_digits=12,
                        verbose_name="bonus on reaching the target",
                    ),
                ),
                (
                    "store",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revival_settings",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "revival settings",
                "verbose_name_plural": "revival settings",
            },
        ),
        migrations.CreateModel(
            name="CareTask",
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
                        choices=[
                            ("new_member_call", "New-member call"),
                            ("care_call", "Monthly care call"),
                            ("decline_call", "Follow-up on fewer visits"),
                            ("birthday_greeting", "Birthday greeting"),
                            ("birthday_gift", "Birthday gift"),
                            ("anniversary_greeting", "Anniversary greeting"),
                            ("holiday_greeting", "Holiday greeting"),
                            ("season_greeting", "Season-change message"),
                            ("dormant_review", "Dormant review"),
                            ("dormant_call", "Dormant call"),
                            ("apology", "Apology after a complaint"),
                            ("visit_confirmation", "Confirm the visit"),
                            ("thank_you_call", "Thank-you call after a visit"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("period", models.CharField(max_length=32, verbose_name="period")),
                ("due_date", models.DateField(verbose_name="due")),
                ("reason", models.CharField(max_length=300, verbose_name="why")),
                ("reason_message", models.JSONField(blank=True, null=True, verbose_name="why (message)")),
                ("occasion", models.CharField(blank=True, max_length=50, verbose_name="occasion")),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("open", "Open"),
                            ("snoozed", "Snoozed"),
                            ("done", "Done"),
                            ("skipped", "Skipped"),
                            ("cancelled", "No longer needed"),
                        ],
                        default="open",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                ("snoozed_until", models.DateField(blank=True, null=True, verbose_name="snoozed until")),
                ("skip_reason", models.CharField(blank=True, max_length=200, verbose_name="why skipped")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
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
                (
                    "satisfaction",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="satisfaction (1-5)",
                    ),
                ),
                ("suggestions", models.TextField(blank=True, verbose_name="suggestions")),
                (
                    "dormant_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("quality", "Product quality"),
                            ("service", "Service"),
                            ("moved", "Moved away"),
                            ("elsewhere", "Buys elsewhere"),
                            ("travelling", "Travelling"),
                            ("busy", "Busy"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="why they stopped coming",
                    ),
                ),
                ("plan", models.TextField(blank=True, verbose_name="win-back plan")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("message", models.TextField(blank=True, verbose_name="message sent")),
                (
                    "due_alerted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="due alert sent"),
                ),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="care_tasks",
                        to="concierge.appointment",
                        verbose_name="visit",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: in the store's pool, for the store manager to hand out.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="care_tasks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned to",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="care_tasks",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="care_tasks",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "care task",
                "verbose_name_plural": "care tasks",
                "ordering": ["due_date", "id"],
                "permissions": [
                    ("manage_team_tasks", "Can see the team's care tasks and hand them out"),
                    ("pause_outreach", "Can pause a member's outreach"),
                ],
                "indexes": [
                    models.Index(
                        fields=["assignee", "state", "due_date"], name="tasks_caret_assigne_c6fc67_idx"
                    ),
                    models.Index(
                        fields=["store", "state", "due_date"], name="tasks_caret_store_i_b15a97_idx"
                    ),
                    models.Index(
                        condition=models.Q(("state", "snoozed")),
                        fields=["snoozed_until"],
                        name="care_task_snoozed_until",
                    ),
                    models.Index(
                        condition=models.Q(("due_alerted_at__isnull", True), ("state", "open")),
                        fields=["due_date"],
                        name="care_task_due_unalerted",
                    ),
                    models.Index(
                        condition=models.Q(("kind", "visit_confirmation"), ("state", "open")),
                        fields=["appointment"],
                        name="care_task_open_confirmation",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "kind", "period"), name="one_care_task_per_period"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="EtiquetteWords",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed"),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("promotion", "Promotion words (not in holiday or birthday greetings)"),
                            ("new_products", "New-product words (not in season-change messages)"),
                            (
                                "what_happened",
                                "Questions about what happened (not in “long time no see” messages)",
                            ),
                        ],
                        max_length=20,
                        verbose_name="rule",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                ("words", models.TextField(help_text="One per line.", verbose_name="words and phrases")),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="etiquette_words",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "etiquette word list",
                "verbose_name_plural": "etiquette word lists",
                "ordering": ["category", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "category", "language"), name="one_word_list_per_rule"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Holiday",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed"),
                ),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                ("date", models.DateField(verbose_name="date")),
                (
                    "greet",
                    models.BooleanField(
                        default=True,
                        help_text="Off: no greeting tasks are made for this date.",
                        verbose_name="send greetings",
                    ),
                ),
                (
                    "source",
                    models.CharField(blank=True, editable=False, max_length=40, verbose_name="source"),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holidays",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "holiday",
                "verbose_name_plural": "holiday calendar",
                "ordering": ["date", "name"],
                "indexes": [models.Index(fields=["store", "date"], name="tasks_holid_store_i_861c94_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("source", ""), _negated=True),
                        fields=("store", "source"),
                        name="one_prefilled_holiday",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MessageTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed"),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("birthday", "Birthday greeting"),
                            ("anniversary", "Anniversary greeting"),
                            ("holiday", "Holiday greeting"),
                            ("season", "Season-change message"),
                            ("miss_you", "“Long time no see” message"),
                            ("visit_confirm", "Visit confirmation"),
                            ("thank_you", "Thank-you after a visit"),
                        ],
                        max_length=20,
                        verbose_name="purpose",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                ("body", models.TextField(verbose_name="message")),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="message_templates",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "message template",
                "verbose_name_plural": "message templates",
                "ordering": ["purpose", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "purpose", "language"), name="one_template_per_purpose"
                    )
                ],
            },
        ),
    ]
