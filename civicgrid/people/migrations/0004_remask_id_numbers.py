"""ID-card numbers masked to their region only, and phones with at least four digits hidden
(core/privacy.py's masking rule): recompute the stored masked forms from the ciphertexts."""

from django.db import migrations


def remask(apps, schema_editor):
    from civicgrid.core import privacy

    Person = apps.get_model("people", "Person")
    Organisation = apps.get_model("people", "Organisation")
    privacy.remask_rows(
        Person.objects.exclude(id_number="", phone="").only(
            "id", "id_number", "id_masked", "phone", "phone_masked"
        ),
        [("id_number", "id_masked", privacy.mask_id), ("phone", "phone_masked", privacy.mask_phone)],
    )
    privacy.remask_rows(
        Organisation.objects.exclude(contact_phone="").only(
            "id", "contact_phone", "contact_phone_masked"
        ),
        [("contact_phone", "contact_phone_masked", privacy.mask_phone)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_personkey_unit_key"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
