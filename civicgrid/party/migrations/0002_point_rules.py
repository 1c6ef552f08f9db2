"""The default points rules: what each activity earns and its daily and yearly caps."""

from django.db import migrations

RULES = [
    # kind, points each time, daily cap, yearly cap
    ("class_attendance", 2, 4, 200),
    ("organisational_life", 2, 4, 100),
    ("volunteering", 5, 10, 300),
    ("task", 5, 10, 300),
    ("teaching", 5, 10, 0),
    ("other", 5, 20, 200),
]


def add_rules(apps, schema_editor):
    PointRule = apps.get_model("party", "PointRule")
    for kind, points, daily, yearly in RULES:
        PointRule.objects.get_or_create(
            kind=kind, defaults={"points": points, "daily_cap": daily, "yearly_cap": yearly}
        )


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
