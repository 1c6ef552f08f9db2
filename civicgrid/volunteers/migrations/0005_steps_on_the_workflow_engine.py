"""OrderStep becomes the order machine's log on the workflow engine (`core.workflow.StepLog`):
one new column (details); the other changes are the model's state only (labels, choices, the
time now given by the engine instead of auto_now_add), so the table is not rebuilt."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("ordered", "Waiting for a volunteer"),
    ("taken", "Taken"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
DETAILS = migrations.AddField(
    model_name="orderstep",
    name="details",
    field=models.JSONField(blank=True, default=dict),
)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0004_remask_id_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[DETAILS],
            state_operations=[
                DETAILS,
                migrations.AlterModelOptions(
                    name="orderstep",
                    options={
                        "ordering": ["id"],
                        "verbose_name": "order step",
                        "verbose_name_plural": "order steps",
                    },
                ),
                migrations.AlterField(
                    model_name="orderstep",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderstep",
                    name="at",
                    field=models.DateTimeField(verbose_name="at"),
                ),
                migrations.AlterField(
                    model_name="orderstep",
                    name="from_status",
                    field=models.CharField(
                        blank=True, choices=STATUSES, max_length=10, verbose_name="from"
                    ),
                ),
                migrations.AlterField(
                    model_name="orderstep",
                    name="to_status",
                    field=models.CharField(choices=STATUSES, max_length=10, verbose_name="to"),
                ),
            ],
        )
    ]
