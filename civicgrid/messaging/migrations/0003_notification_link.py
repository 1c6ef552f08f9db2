from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_notification_from_events")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="link",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="link"),
            preserve_default=False,
        )
    ]
