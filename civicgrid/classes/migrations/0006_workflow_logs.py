"""Sessions, enrolments and topic requests run on the workflow engine: the enrolment's log
becomes a `StepLog` (its table and rows kept; only `details` is new, the other changes are
state), sessions and topics get logs, and every row gets a first step so the machines'
invariants hold for old data too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


EXISTING = "existing before the log"
BATCH = 5000


def _first_steps(rows, make, Step):
    batch = []
    for row in rows:
        batch.append(make(row))
        if len(batch) == BATCH:
            Step.objects.bulk_create(batch)
            batch = []
    Step.objects.bulk_create(batch)


def first_steps(apps, schema_editor):
    Session = apps.get_model("classes", "Session")
    SessionStep = apps.get_model("classes", "SessionStep")
    TopicRequest = apps.get_model("classes", "TopicRequest")
    TopicStep = apps.get_model("classes", "TopicStep")
    Enrolment = apps.get_model("classes", "Enrolment")
    EnrolmentStep = apps.get_model("classes", "EnrolmentStep")
    _first_steps(
        Session.objects.only("pk", "status", "created_at").iterator(chunk_size=BATCH),
        lambda s: SessionStep(
            session_id=s.pk, action="schedule", to_status=s.status, at=s.created_at, note=EXISTING
        ),
        SessionStep,
    )
    _first_steps(
        TopicRequest.objects.only("pk", "status", "created_at").iterator(chunk_size=BATCH),
        lambda t: TopicStep(
            request_id=t.pk, action="propose", to_status=t.status, at=t.created_at, note=EXISTING
        ),
        TopicStep,
    )
    # Enrolments have had a log from the start, except those loaded in bulk (the demo's): read
    # them all before writing to the table the query looks at.
    _first_steps(
        list(Enrolment.objects.filter(steps__isnull=True).only("pk", "status", "created_at")),
        lambda e: EnrolmentStep(
            enrolment_id=e.pk,
            action="waitlist" if e.status == "waitlisted" else "enrol",
            to_status=e.status,
            at=e.created_at,
            note=EXISTING,
        ),
        EnrolmentStep,
    )


def forget_first_steps(apps, schema_editor):
    apps.get_model("classes", "EnrolmentStep").objects.filter(note=EXISTING).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0005_stream_url_http_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='enrolmentstep',
            name='details',
            field=models.JSONField(blank=True, default=dict),
        ),
        # The same columns: a verbose name, and the time given by the step, not by the save.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='enrolmentstep',
                    name='actor',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
                ),
                migrations.AlterField(
                    model_name='enrolmentstep',
                    name='at',
                    field=models.DateTimeField(verbose_name='at'),
                ),
            ],
        ),
        migrations.CreateModel(
            name='SessionStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('details', models.JSONField(blank=True, default=dict)),
                ('at', models.DateTimeField(verbose_name='at')),
                ('action', models.CharField(choices=[('schedule', 'Schedule'), ('change', 'Change the session'), ('cancel', 'Cancel'), ('close', 'Mark as held')], max_length=20, verbose_name='action')),
                ('from_status', models.CharField(blank=True, choices=[('scheduled', 'Scheduled'), ('held', 'Held'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='from')),
                ('to_status', models.CharField(choices=[('scheduled', 'Scheduled'), ('held', 'Held'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='to')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='classes.session')),
            ],
            options={
                'verbose_name': 'session step',
                'verbose_name_plural': 'session steps',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='TopicStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('details', models.JSONField(blank=True, default=dict)),
                ('at', models.DateTimeField(verbose_name='at')),
                ('action', models.CharField(choices=[('propose', 'Propose a topic'), ('plan', 'Plan the topic'), ('decline', 'Decline the topic'), ('reopen', 'Collect support again')], max_length=20, verbose_name='action')),
                ('from_status', models.CharField(blank=True, choices=[('open', 'Collecting support'), ('planned', 'Planned'), ('declined', 'Not planned')], max_length=20, verbose_name='from')),
                ('to_status', models.CharField(choices=[('open', 'Collecting support'), ('planned', 'Planned'), ('declined', 'Not planned')], max_length=20, verbose_name='to')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='classes.topicrequest')),
            ],
            options={
                'verbose_name': 'topic request step',
                'verbose_name_plural': 'topic request steps',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(first_steps, forget_first_steps),
    ]
