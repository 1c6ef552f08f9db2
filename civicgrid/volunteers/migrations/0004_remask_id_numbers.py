"""ID-card numbers masked to their region only, and phones with at least four digits hidden
(core/privacy.py's masking rule): recompute the stored masked forms from the ciphertexts."""

from django.db import migrations


def remask(apps, schema_editor):
    from civicgrid.core import privacy

    Volunteer = apps.get_model("volunteers", "Volunteer")
    ServiceOrder = apps.get_model("volunteers", "ServiceOrder")
    privacy.remask_rows(
        Volunteer.objects.only("id", "id_number", "id_masked", "phone", "phone_masked"),
        [
            ("id_number", "id_masked", privacy.mask_id),
            ("phone", "phone_masked", privacy.mask_phone),
        ],
    )
    privacy.remask_rows(
        ServiceOrder.objects.exclude(phone="").only("id", "phone", "phone_masked"),
        [("phone", "phone_masked", privacy.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0003_sealed_phone_index"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
