"""Phones with at least four digits hidden (core/privacy.py's masking rule): recompute the
stored masked forms of teachers and enrolments from the ciphertexts."""

from django.db import migrations


def remask(apps, schema_editor):
    from civicgrid.core import privacy

    for name in ("Teacher", "Enrolment"):
        model = apps.get_model("classes", name)
        privacy.remask_rows(
            model.objects.exclude(phone="").only("id", "phone", "phone_masked"),
            [("phone", "phone_masked", privacy.mask_phone)],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0003_enrolment_checkin_claim"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
