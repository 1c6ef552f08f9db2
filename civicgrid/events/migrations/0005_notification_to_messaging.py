from django.db import migrations


class Migration(migrations.Migration):
    """Notification moves to messaging (messaging/0002): only the state leaves events; the
    table events_notification and its rows stay where they are."""

    dependencies = [("events", "0004_reporter_phone_hash")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        )
    ]
