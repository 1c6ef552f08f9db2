"""Phones with at least four digits hidden (core/privacy.py's masking rule): recompute the
stored masked forms of party members from the ciphertexts."""

from django.db import migrations


def remask(apps, schema_editor):
    from civicgrid.core import privacy

    PartyMember = apps.get_model("party", "PartyMember")
    privacy.remask_rows(
        PartyMember.objects.exclude(phone="").only("id", "phone", "phone_masked"),
        [("phone", "phone_masked", privacy.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0002_point_rules"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
