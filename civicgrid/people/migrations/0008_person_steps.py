"""Persons' records run on the workflow engine: their log, and a first step for every existing
record so the machine's invariants hold for old data too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


EXISTING = "existing before the log"
BATCH = 5000


def first_steps(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PersonStep = apps.get_model("people", "PersonStep")
    batch = []
    for pk, status, at in Person.objects.values_list("pk", "status", "created_at").iterator(
        chunk_size=BATCH
    ):
        batch.append(
            PersonStep(person_id=pk, action="record", to_status=status, at=at, note=EXISTING)
        )
        if len(batch) == BATCH:
            PersonStep.objects.bulk_create(batch)
            batch = []
    PersonStep.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0007_person_once_on_record'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('details', models.JSONField(blank=True, default=dict)),
                ('at', models.DateTimeField(verbose_name='at')),
                ('action', models.CharField(choices=[('record', 'Record the person'), ('move_out', 'Move out'), ('deregister', 'Deregister')], max_length=20, verbose_name='action')),
                ('from_status', models.CharField(blank=True, choices=[('present', 'On record'), ('moved_out', 'Moved out'), ('deregistered', 'Deregistered')], max_length=20, verbose_name='from')),
                ('to_status', models.CharField(choices=[('present', 'On record'), ('moved_out', 'Moved out'), ('deregistered', 'Deregistered')], max_length=20, verbose_name='to')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='people.person')),
            ],
            options={
                'verbose_name': 'person step',
                'verbose_name_plural': 'person steps',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(first_steps, migrations.RunPython.noop),
    ]
