"""Needs, tasks and projects run on the workflow engine (`core.workflow`).

NeedStep becomes a `StepLog`: it gains the action (named for its old rows from the statuses it
joins) and details; the rest are the model's state only (labels, choices, the time now given by
the engine instead of auto_now_add), so its table is not rebuilt. Tasks and projects get their
logs, and each existing one a first row for the status it has, so the log matches the status
for old rows too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NEED_STATUSES = [
    ("open", "Not yet met"),
    ("matched", "Matched"),
    ("in_progress", "In progress"),
    ("met", "Met"),
    ("not_feasible", "Not feasible"),
]
NEED_ACTIONS = [
    ("record", "Record"),
    ("match", "Match a resource"),
    ("start", "Take into a project"),
    ("meet", "Mark as met"),
    ("not_feasible", "Mark as not feasible"),
]
# The step that led to each status (every need's first row, from no status, recorded it).
ACTION_TO = {
    "matched": "match",
    "in_progress": "start",
    "met": "meet",
    "not_feasible": "not_feasible",
}
NEED_DETAILS = migrations.AddField(
    model_name="needstep",
    name="details",
    field=models.JSONField(blank=True, default=dict),
)
NEED_ACTION = migrations.AddField(
    model_name="needstep",
    name="action",
    field=models.CharField(
        choices=NEED_ACTIONS, default="record", max_length=20, verbose_name="action"
    ),
    preserve_default=False,
)


def name_need_steps(apps, schema_editor):
    NeedStep = apps.get_model("community", "NeedStep")
    for status, action in ACTION_TO.items():
        NeedStep.objects.exclude(from_status="").filter(to_status=status).update(action=action)


def log_existing(apps, schema_editor):
    for name, subject, action in (("Task", "task", "create"), ("Project", "project", "plan")):
        model = apps.get_model("community", name)
        log = apps.get_model("community", f"{name}Step")
        rows = model.objects.order_by("pk").values_list("pk", "status", "created_at")
        batch = []
        for pk, status, created_at in rows.iterator(chunk_size=2000):
            batch.append(
                log(
                    **{f"{subject}_id": pk},
                    action=action,
                    from_status="",
                    to_status=status,
                    at=created_at,
                    note="existing before the log",
                )
            )
            if len(batch) == 2000:
                log.objects.bulk_create(batch)
                batch = []
        log.objects.bulk_create(batch)


def log_fields(subject, target, actions, statuses):
    return [
        (
            "id",
            models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        ("note", models.TextField(blank=True, verbose_name="note")),
        ("details", models.JSONField(blank=True, default=dict)),
        ("at", models.DateTimeField(verbose_name="at")),
        ("action", models.CharField(choices=actions, max_length=20, verbose_name="action")),
        (
            "from_status",
            models.CharField(blank=True, choices=statuses, max_length=20, verbose_name="from"),
        ),
        ("to_status", models.CharField(choices=statuses, max_length=20, verbose_name="to")),
        (
            "actor",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        (
            subject,
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="steps", to=target
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_need_status_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[NEED_ACTION, NEED_DETAILS],
            state_operations=[
                NEED_ACTION,
                NEED_DETAILS,
                migrations.AlterModelOptions(
                    name="needstep",
                    options={
                        "ordering": ["id"],
                        "verbose_name": "need step",
                        "verbose_name_plural": "need steps",
                    },
                ),
                migrations.AlterField(
                    model_name="needstep",
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
                    model_name="needstep",
                    name="at",
                    field=models.DateTimeField(verbose_name="at"),
                ),
                migrations.AlterField(
                    model_name="needstep",
                    name="from_status",
                    field=models.CharField(
                        blank=True, choices=NEED_STATUSES, max_length=20, verbose_name="from"
                    ),
                ),
                migrations.AlterField(
                    model_name="needstep",
                    name="to_status",
                    field=models.CharField(choices=NEED_STATUSES, max_length=20, verbose_name="to"),
                ),
            ],
        ),
        migrations.RunPython(name_need_steps, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ProjectStep",
            fields=log_fields(
                "project",
                "community.project",
                [("plan", "Plan"), ("finish", "Finish the project")],
                [
                    ("planned", "Planned"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("dropped", "Dropped"),
                ],
            ),
            options={
                "verbose_name": "project step",
                "verbose_name_plural": "project steps",
                "ordering": ["id"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="TaskStep",
            fields=log_fields(
                "task",
                "community.task",
                [
                    ("create", "Create the task"),
                    ("claim", "Claim"),
                    ("report", "Report done"),
                    ("close", "Close the task"),
                ],
                [
                    ("open", "Open to claim"),
                    ("claimed", "Claimed"),
                    ("done", "Done"),
                    ("closed", "Closed"),
                ],
            ),
            options={
                "verbose_name": "task step",
                "verbose_name_plural": "task steps",
                "ordering": ["id"],
                "abstract": False,
            },
        ),
        migrations.RunPython(log_existing, migrations.RunPython.noop),
    ]
