import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0014: on PostgreSQL the backfill's updates leave deferred foreign key checks
    # pending, and a table with pending checks cannot be altered in the same transaction.
    dependencies = [
        ("tasks", "0014_revival_attempt_figures_on_the_case"),
    ]

    operations = [
        migrations.AlterField(
            model_name="revivalattempt",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attempts",
                to="tasks.revivalcampaign",
                verbose_name="campaign",
            ),
        ),
        migrations.AddIndex(
            model_name="revivalattempt",
            index=models.Index(fields=["campaign", "remedy", "case"], name="tasks_reviv_campaig_0d51f1_idx"),
        ),
    ]
