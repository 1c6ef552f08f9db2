from django.db import migrations


def load(apps, schema_editor):
    from civicgrid.events.categories import load_default_categories

    load_default_categories(apps.get_model("events", "Category"), apps.get_model("events", "ResponseTemplate"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
