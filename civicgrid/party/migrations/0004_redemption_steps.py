"""Redemptions run on the workflow engine: their log, and a first step for every existing
redemption so the machine's invariants hold for old data too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


EXISTING = "existing before the log"
BATCH = 5000


def first_steps(apps, schema_editor):
    Redemption = apps.get_model("party", "Redemption")
    RedemptionStep = apps.get_model("party", "RedemptionStep")
    batch = []
    for pk, status, at in Redemption.objects.values_list("pk", "status", "requested_at").iterator(
        chunk_size=BATCH
    ):
        batch.append(
            RedemptionStep(redemption_id=pk, action="redeem", to_status=status, at=at, note=EXISTING)
        )
        if len(batch) == BATCH:
            RedemptionStep.objects.bulk_create(batch)
            batch = []
    RedemptionStep.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('party', '0003_remask_phones'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RedemptionStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('details', models.JSONField(blank=True, default=dict)),
                ('at', models.DateTimeField(verbose_name='at')),
                ('action', models.CharField(choices=[('redeem', 'Redeem'), ('hand_over', 'Hand over'), ('cancel', 'Cancel')], max_length=20, verbose_name='action')),
                ('from_status', models.CharField(blank=True, choices=[('requested', 'Awaiting pick-up'), ('handed_over', 'Handed over'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='from')),
                ('to_status', models.CharField(choices=[('requested', 'Awaiting pick-up'), ('handed_over', 'Handed over'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='to')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('redemption', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='party.redemption')),
            ],
            options={
                'verbose_name': 'redemption step',
                'verbose_name_plural': 'redemption steps',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(first_steps, migrations.RunPython.noop),
    ]
