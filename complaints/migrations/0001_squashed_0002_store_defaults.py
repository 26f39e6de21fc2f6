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
    replaces = [("complaints", "0001_initial"), ("complaints", "0002_store_defaults")]

    initial = True

    dependencies = [
        ("concierge", "0001_squashed_0016_api_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="Category",
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
                ("code", models.CharField(blank=True, editable=False, max_length=30, verbose_name="code")),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="name")),
                (
                    "active",
                    models.BooleanField(
                        default=True,
                        help_text="Off: no longer offered for new complaints.",
                        verbose_name="offered",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaint_categories",
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
                "verbose_name": "complaint category",
                "verbose_name_plural": "complaint categories",
                "ordering": ["position", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("code", ""), _negated=True),
                        fields=("store", "code"),
                        name="one_built_in_category",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CompensationBudget",
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
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=10,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="up to (yuan)",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="compensation_budgets",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
                (
                    "tier",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: customers without a tier, and walk-in customers.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="concierge.tier",
                        verbose_name="tier",
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
                "verbose_name": "compensation budget",
                "verbose_name_plural": "compensation budgets",
                "constraints": [
                    models.UniqueConstraint(fields=("store", "tier"), name="one_budget_per_tier"),
                    models.UniqueConstraint(
                        condition=models.Q(("tier__isnull", True)),
                        fields=("store",),
                        name="one_budget_untiered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Complaint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "customer_name",
                    models.CharField(blank=True, max_length=100, verbose_name="customer's name"),
                ),
                (
                    "customer_phone",
                    models.CharField(blank=True, max_length=32, verbose_name="customer's phone"),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("counter", "At the counter"),
                            ("phone", "Phone"),
                            ("message", "Message"),
                            ("online", "Online"),
                            ("12315", "12315 referral"),
                        ],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                ("counter", models.CharField(blank=True, max_length=60, verbose_name="brand or counter")),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        max_length=10,
                        verbose_name="severity",
                    ),
                ),
                (
                    "public_risk",
                    models.BooleanField(
                        default=False,
                        help_text="The customer mentioned the 12315 consumer hotline or the media: always critical.",
                        verbose_name="mentions 12315 or the media",
                    ),
                ),
                ("description", models.TextField(max_length=4000, verbose_name="what happened")),
                (
                    "wish",
                    models.TextField(blank=True, max_length=2000, verbose_name="what the customer wants"),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[
                            ("new", "Unassigned"),
                            ("routed", "Assigned"),
                            ("in_progress", "In progress"),
                            ("waiting", "Waiting on the customer"),
                            ("awaiting_approval", "Awaiting approval"),
                            ("resolved", "Resolved, awaiting feedback"),
                            ("reopened", "Reopened"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="new",
                        max_length=50,
                        protected=True,
                        verbose_name="state",
                    ),
                ),
                ("assigned_at", models.DateTimeField(blank=True, null=True, verbose_name="assigned")),
                (
                    "recorded_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded"),
                ),
                (
                    "contact_due_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first contact due"),
                ),
                (
                    "resolve_due_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolution due"),
                ),
                (
                    "first_contact_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first contact"),
                ),
                (
                    "contact_minutes",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="minutes to first contact"
                    ),
                ),
                (
                    "resolve_minutes",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="minutes to resolution"),
                ),
                (
                    "clock_started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="clock started"),
                ),
                ("paused_at", models.DateTimeField(blank=True, null=True, verbose_name="waiting since")),
                (
                    "paused_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="business minutes waited"),
                ),
                (
                    "sla_target",
                    models.CharField(
                        blank=True,
                        choices=[("", "None"), ("contact", "First contact"), ("resolution", "Resolution")],
                        max_length=10,
                        verbose_name="clock running for",
                    ),
                ),
                ("warn_at", models.DateTimeField(blank=True, null=True, verbose_name="warning due")),
                ("warned_at", models.DateTimeField(blank=True, null=True, verbose_name="warning sent")),
                (
                    "escalation_level",
                    models.PositiveSmallIntegerField(default=0, verbose_name="escalation level"),
                ),
                (
                    "next_escalation_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next escalation"),
                ),
                ("contact_breached", models.BooleanField(default=False, verbose_name="first contact late")),
                ("resolve_breached", models.BooleanField(default=False, verbose_name="resolution late")),
                ("solution", models.TextField(blank=True, max_length=4000, verbose_name="agreed solution")),
                (
                    "compensation",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None"),
                            ("gift", "Gift"),
                            ("voucher", "Voucher"),
                            ("refund", "Refund"),
                            ("repair", "Repair"),
                            ("exchange", "Exchange"),
                        ],
                        max_length=10,
                        verbose_name="compensation",
                    ),
                ),
                (
                    "compensation_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=10,
                        null=True,
                        verbose_name="compensation value (yuan)",
                    ),
                ),
                (
                    "compensation_note",
                    models.CharField(blank=True, max_length=200, verbose_name="compensation details"),
                ),
                (
                    "approval",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not needed"),
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved"),
                            ("declined", "Declined"),
                        ],
                        max_length=10,
                        verbose_name="approval",
                    ),
                ),
                ("approval_note", models.CharField(blank=True, max_length=300, verbose_name="approval note")),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
                (
                    "feedback_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="feedback recorded"),
                ),
                ("satisfied", models.BooleanField(blank=True, null=True, verbose_name="satisfied")),
                (
                    "score",
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
                (
                    "feedback_note",
                    models.TextField(blank=True, max_length=2000, verbose_name="what was wrong"),
                ),
                ("reopen_count", models.PositiveSmallIntegerField(default=0, verbose_name="times reopened")),
                ("reopened_at", models.DateTimeField(blank=True, null=True, verbose_name="last reopened")),
                ("cancel_reason", models.CharField(blank=True, max_length=200, verbose_name="why cancelled")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "closed_without_feedback",
                    models.BooleanField(default=False, verbose_name="closed without feedback"),
                ),
                (
                    "holds_outreach",
                    models.BooleanField(default=False, verbose_name="holds the outreach pause"),
                ),
                ("pause_before_until", models.DateField(blank=True, editable=False, null=True)),
                ("pause_before_reason", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "approval_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved or declined by",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="complaints",
                        to="complaints.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "duplicate_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="duplicates",
                        to="complaints.complaint",
                        verbose_name="duplicate of",
                    ),
                ),
                (
                    "follows",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="follow_ups",
                        to="complaints.complaint",
                        verbose_name="follows case",
                    ),
                ),
                (
                    "handler",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="handled_complaints",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handler",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complaints",
                        to="concierge.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "recorded_by",
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
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolved by",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaints",
                        to="concierge.store",
                        verbose_name="store",
                    ),
                ),
            ],
            options={
                "verbose_name": "complaint",
                "verbose_name_plural": "complaints",
                "ordering": ["-recorded_at", "-pk"],
                "permissions": [
                    (
                        "manage_complaints",
                        "Can reassign complaints, approve compensation and see the figures",
                    ),
                    ("setup_complaints", "Can set up complaint categories, teams, routing and SLAs"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ComplaintSettings",
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
                    "warning_percent",
                    models.PositiveSmallIntegerField(
                        default=75,
                        validators=[
                            django.core.validators.MinValueValidator(10),
                            django.core.validators.MaxValueValidator(99),
                        ],
                        verbose_name="warn at (% of the time used)",
                    ),
                ),
                (
                    "escalation_step_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        help_text="After a breach the handler is alerted; this much later the team lead, then the store manager.",
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(10000),
                        ],
                        verbose_name="next escalation level after (business minutes)",
                    ),
                ),
                (
                    "reopen_grace_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Later, a new case linked to the old one is opened; a resolved case without feedback closes then.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        verbose_name="reopen the same case within (days)",
                    ),
                ),
                (
                    "default_budget",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("300"),
                        max_digits=10,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="compensation budget where no tier has one (yuan)",
                    ),
                ),
                (
                    "store",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaint_settings",
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
                "verbose_name": "complaint settings",
                "verbose_name_plural": "complaint settings",
            },
        ),
        migrations.CreateModel(
            name="RoutingRule",
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
                ("counter", models.CharField(blank=True, max_length=60, verbose_name="brand or counter")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="complaints.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaint_rules",
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
                "verbose_name": "routing rule",
                "verbose_name_plural": "routing rules",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SlaPolicy",
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
                    "severity",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        max_length=10,
                        verbose_name="severity",
                    ),
                ),
                (
                    "first_contact_minutes",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100000),
                        ],
                        verbose_name="first contact within (business minutes)",
                    ),
                ),
                (
                    "resolution_minutes",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(500000),
                        ],
                        verbose_name="resolution within (business minutes)",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaint_slas",
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
                "verbose_name": "SLA policy",
                "verbose_name_plural": "SLA policies",
                "constraints": [
                    models.UniqueConstraint(fields=("store", "severity"), name="one_sla_per_severity")
                ],
            },
        ),
        migrations.CreateModel(
            name="Team",
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
                (
                    "is_default",
                    models.BooleanField(
                        default=False,
                        help_text="Gets the complaints no routing rule matches.",
                        verbose_name="default team",
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        help_text="Alerted at the second escalation level.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="led_complaint_teams",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="team lead",
                    ),
                ),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="complaint_teams",
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
                "verbose_name": "complaint team",
                "verbose_name_plural": "complaint teams",
                "ordering": ["-is_default", "name"],
            },
        ),
        migrations.CreateModel(
            name="TeamMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handler",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="complaints.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "team member",
                "verbose_name_plural": "team members",
                "constraints": [
                    models.UniqueConstraint(fields=("team", "staff"), name="one_membership_per_team")
                ],
            },
        ),
        migrations.AddField(
            model_name="routingrule",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rules",
                to="complaints.team",
                verbose_name="team",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaints",
                to="complaints.team",
                verbose_name="team",
            ),
        ),
        migrations.AddField(
            model_name="team",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                related_name="complaint_teams",
                through="complaints.TeamMembership",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="routingrule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("category__isnull", False), models.Q(("counter", ""), _negated=True), _connector="OR"
                ),
                name="rule_matches_something",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["store", "state", "recorded_at"], name="complaints__store_i_0be1e0_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["handler", "state"], name="complaints__handler_204e8f_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["team", "state"], name="complaints__team_id_6b42e7_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["member", "recorded_at"], name="complaints__member__e3511c_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["store", "recorded_at"], name="complaints__store_i_0f6c49_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["store", "resolved_at"], name="complaints__store_i_64950e_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    ("paused_at__isnull", True), ("warn_at__isnull", False), ("warned_at__isnull", True)
                ),
                fields=["warn_at"],
                name="complaint_warning_due",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("next_escalation_at__isnull", False), ("paused_at__isnull", True)),
                fields=["next_escalation_at"],
                name="complaint_escalation_due",
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("member__isnull", False), models.Q(("customer_name", ""), _negated=True), _connector="OR"
                ),
                name="complaint_has_a_customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(("escalation_level__lte", 3)), name="complaint_escalation_level_max"
            ),
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)), fields=("store",), name="one_default_team"
            ),
        ),
    ]
