"""The default category table, loaded by a data migration and editable by staff afterwards.

Event and component classes follow GB/T 30428.2 (digital city management); the grid-governance
classes (safety hazards, disputes, people's livelihood, houses) come from the seeds.
"""

from typing import Any

from django.db import transaction

from civicgrid.org.kinds import DepartmentKind as D

# code, name, default department, response hours, closure days, after-photo, public
TOP = [
    ("01", "市容环境", D.CITY_MANAGEMENT, 4, 3, True, True),
    ("02", "宣传广告", D.CITY_MANAGEMENT, 4, 3, True, True),
    ("03", "施工管理", D.HOUSING, 4, 5, True, True),
    ("04", "街面秩序", D.CITY_MANAGEMENT, 2, 2, True, True),
    ("05", "突发事件", D.OTHER, 1, 1, True, True),
    ("06", "其他事件", "", 4, 5, False, True),
    ("11", "公用设施", D.OTHER, 4, 5, True, True),
    ("12", "道路交通", D.CITY_MANAGEMENT, 4, 5, True, True),
    ("13", "市容环境设施", D.CITY_MANAGEMENT, 4, 5, True, True),
    ("14", "园林绿化", D.CITY_MANAGEMENT, 4, 5, True, True),
    ("15", "其他部件", "", 4, 5, False, True),
    ("21", "安全隐患", D.FIRE, 2, 2, True, True),
    ("22", "矛盾纠纷", "", 4, 10, False, False),
    ("23", "民生服务", D.CIVIL_AFFAIRS, 4, 5, False, False),
    ("24", "房屋", D.HOUSING, 4, 7, True, True),
]

_PLATE = {
    "variable": True,
    "code": "plate",
    "datatype": "string",
    "required": False,
    "datatype_description": "例如 豫A12345",
    "order": 1,
    "description": "堵塞车辆车牌号",
}
_MANHOLE = {
    "variable": True,
    "code": "hazard",
    "datatype": "singlevaluelist",
    "required": True,
    "datatype_description": "",
    "order": 1,
    "description": "井盖情况",
    "values": [
        {"key": "missing", "name": "井盖缺失"},
        {"key": "broken", "name": "井盖破损"},
        {"key": "sunken", "name": "井盖下沉或异响"},
    ],
}
_BIKE = {
    "variable": True,
    "code": "count",
    "datatype": "number",
    "required": False,
    "datatype_description": "大约几辆",
    "order": 1,
    "description": "乱停车辆数",
}

# code, name; optional overrides: department, response hours, closure days, public, questions
SUB: list[tuple[str, str, dict[str, Any]]] = [
    ("0101", "暴露垃圾", {}),
    ("0102", "占道堆物", {}),
    ("0103", "楼道堆物", {"department_kind": D.FIRE}),
    ("0104", "积存垃圾渣土", {}),
    ("0105", "道路不洁", {}),
    ("0201", "非法小广告", {}),
    ("0202", "违规户外广告", {}),
    ("0301", "施工扰民", {"department_kind": D.ENVIRONMENT}),
    ("0302", "施工占道", {}),
    ("0303", "道路遗撒", {"department_kind": D.CITY_MANAGEMENT}),
    ("0401", "无照经营游商", {}),
    ("0402", "店外经营", {"department_kind": D.MARKET_REGULATION}),
    ("0403", "共享单车乱停放", {"attributes": [_BIKE]}),
    ("0404", "机动车乱停放", {"department_kind": D.POLICE}),
    ("0501", "路面塌陷", {}),
    ("0502", "自来水管破裂", {}),
    ("0503", "燃气泄漏", {"department_kind": D.FIRE}),
    ("0601", "其他事件", {}),
    ("1101", "井盖破损", {"attributes": [_MANHOLE]}),
    ("1102", "路灯损坏", {}),
    ("1103", "消防栓损坏", {"department_kind": D.FIRE}),
    ("1104", "高压电缆", {"response_hours": 1, "closure_days": 2}),
    ("1201", "破损路面", {}),
    ("1202", "交通标志损坏", {"department_kind": D.POLICE}),
    ("1203", "护栏损坏", {}),
    ("1301", "垃圾箱损坏", {}),
    ("1302", "公厕设施损坏", {}),
    ("1401", "树木倒伏", {"response_hours": 2, "closure_days": 1}),
    ("1402", "绿地破坏", {}),
    ("1501", "其他部件", {}),
    ("2101", "消防通道堵塞", {"attributes": [_PLATE]}),
    ("2102", "消防安全", {}),
    ("2103", "电动车违规充电", {}),
    ("2104", "其他安全隐患", {"department_kind": D.OTHER}),
    ("2201", "邻里纠纷", {}),
    ("2202", "物业纠纷", {"department_kind": D.HOUSING}),
    ("2203", "劳资纠纷", {"department_kind": D.OTHER}),
    ("2204", "家庭纠纷", {}),
    ("2301", "一老一小", {}),
    ("2302", "困难帮扶", {}),
    ("2303", "其他民生诉求", {"department_kind": ""}),
    ("2401", "墙皮脱落", {"response_hours": 2}),
    ("2402", "房屋漏水", {}),
    ("2403", "危房隐患", {"response_hours": 2, "closure_days": 3}),
]

# status, text (category-independent ready answers)
TEMPLATES = [
    ("accepted", "您反映的问题已受理，我们将尽快安排处置。"),
    ("rejected", "经核实，该问题不属于网格事件受理范围，已告知反映人其他办理渠道。"),
    ("rejected", "该问题已有人上报，将合并到原事件一并处置。"),
    ("dispatched", "请在时限内到现场处置，并上传处置前后照片。"),
    ("resolved", "已到现场处置完毕，详见处置后照片。"),
    ("verified", "经现场核查，问题已处置到位。"),
    ("closed", "经核查问题已解决，予以结案。"),
]


@transaction.atomic
def load_default_categories(category_model=None, template_model=None) -> int:
    """Create the default categories that are missing (never overwrite staff edits)."""
    if category_model is None:
        from civicgrid.events.models import Category as category_model
        from civicgrid.events.models import ResponseTemplate as template_model
    created = 0
    tops = {}
    for code, name, department, hours, days, photo, public in TOP:
        tops[code], made = category_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department_kind": department,
                "response_hours": hours,
                "closure_days": days,
                "after_photo_required": photo,
                "public": public,
            },
        )
        created += made
    for code, name, overrides in SUB:
        parent = tops[code[:2]]
        defaults = {
            "name": name,
            "parent": parent,
            "department_kind": parent.department_kind,
            "response_hours": parent.response_hours,
            "closure_days": parent.closure_days,
            "after_photo_required": parent.after_photo_required,
            "public": parent.public,
        } | overrides
        created += category_model.objects.get_or_create(code=code, defaults=defaults)[1]
    if not template_model.objects.exists():
        template_model.objects.bulk_create(
            template_model(status=status, text=text) for status, text in TEMPLATES
        )
    return created
