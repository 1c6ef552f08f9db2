"""Events and their step log partitioned by month on PostgreSQL (issue 15); nothing on SQLite
but the photo's step losing its own foreign key (see events/partitions.py for the design)."""

import django.db.models.deletion
from django.db import migrations, models


def partition(apps, schema_editor):
    from civicgrid.events import partitions

    partitions.partition_tables(schema_editor.connection)


def unpartition(apps, schema_editor):
    from civicgrid.events import partitions

    partitions.unpartition_tables(schema_editor.connection)


class Migration(migrations.Migration):
    # After every migration that drops a foreign key to the events: once the events are
    # partitioned, PostgreSQL keeps one clone of each such key per partition, which Django's
    # introspection lists as keys of their own and then fails to drop (see docs/partitions.md).
    dependencies = [
        ("events", "0008_day_counter"),
        ("messaging", "0005_notification_without_event"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventphoto",
            name="step",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="photos",
                to="events.eventstep",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
