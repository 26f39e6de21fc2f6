import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each attempt's campaign from its case; each case's reached and latest reason from its
    attempts, as record_attempt keeps them from now on. Set-based: one statement each."""
    RevivalAttempt = apps.get_model("tasks", "RevivalAttempt")
    RevivalCase = apps.get_model("tasks", "RevivalCase")
    RevivalAttempt.objects.update(
        campaign_id=Subquery(RevivalCase.objects.filter(pk=OuterRef("case_id")).values("campaign_id")[:1])
    )
    reached = RevivalAttempt.objects.filter(case_id=OuterRef("pk"), reached=True)
    RevivalCase.objects.filter(Exists(reached)).update(reached=True)
    RevivalCase.objects.filter(Exists(reached.exclude(reason=""))).update(
        last_reason=Subquery(reached.exclude(reason="").order_by("-at", "-id").values("reason")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0013_revival_case_keys_checked_by_the_orm"),
    ]

    operations = [
        migrations.AddField(
            model_name="revivalattempt",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attempts",
                to="tasks.revivalcampaign",
                verbose_name="campaign",
            ),
        ),
        migrations.AddField(
            model_name="revivalcase",
            name="reached",
            field=models.BooleanField(default=False, verbose_name="reached"),
        ),
        migrations.AddField(
            model_name="revivalcase",
            name="last_reason",
            field=models.CharField(
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
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
