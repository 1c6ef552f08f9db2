"""The default care and attention tags; the district edits the list in the admin."""

from django.db import migrations

# code, name, group, sensitive
TAGS = [
    ("elderly_alone", "独居老人", "一老一小", False),
    ("empty_nest", "空巢老人", "一老一小", False),
    ("elderly_80", "高龄老人", "一老一小", False),
    ("left_behind_child", "留守儿童", "一老一小", False),
    ("child_in_need", "困境儿童", "一老一小", True),
    ("disabled", "残疾人", "困难群体", True),
    ("subsistence", "低保对象", "困难群体", True),
    ("extreme_poverty", "特困人员", "困难群体", True),
    ("serious_illness", "大病患者", "困难群体", True),
    ("key_group", "重点人群", "重点人群", True),
    ("community_correction", "社区矫正对象", "重点人群", True),
    ("mental_disorder", "严重精神障碍患者", "重点人群", True),
    ("veteran", "退役军人", "优抚对象", False),
    ("pregnant", "孕产妇", "其他", False),
    ("volunteer", "志愿者", "其他", False),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for order, (code, name, group, sensitive) in enumerate(TAGS):
        Tag.objects.update_or_create(
            code=code, defaults={"name": name, "group": group, "sensitive": sensitive, "order": order}
        )


def remove_tags(apps, schema_editor):
    apps.get_model("people", "Tag").objects.filter(code__in=[t[0] for t in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
