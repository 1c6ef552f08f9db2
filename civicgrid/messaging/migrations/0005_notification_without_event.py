from django.db import migrations


class Migration(migrations.Migration):
    """The link (0004) replaces the event: a notification can point at any app's page."""

    dependencies = [("messaging", "0004_notification_link_from_event")]

    operations = [migrations.RemoveField(model_name="notification", name="event")]
