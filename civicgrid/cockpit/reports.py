"""How a report states its figures, in the words of the source reports (issue 19): "已开展25期",
"200余人次", "办结率100%", "随手记1.2万余条", "300余次".

`approx` rounds a count as newspapers do: below 100 the count itself; from 100 on, cut (never
rounded up) to two significant figures with "余" when something was cut, in 万 from 10,000 and
in 亿 from 100,000,000. A report never claims more than was done.

`phrase` is one figure's sentence: its words (PHRASES by figure key, else label + number +
measure) and the change against the previous period ("较上月增加3件", "上升2.5个百分点").
Pure functions: the numbers come from figures.overview(), nothing is read here.
"""

from dataclasses import dataclass

from civicgrid.cockpit.figures import Figure, Number

# Words for the figures the source reports quote, by figure key: "{n}" is the number (approx),
# "{m}" its measure. Keys not here read "<label>{n}{m}".
PHRASES: dict[str, str] = {
    "events.reported": "上报事件{n}{m}",
    "events.on_the_spot": "即报即办{n}{m}",
    "events.closed": "办结事件{n}{m}",
    "events.overdue": "超期事件{n}{m}",
    "events.cross_boundary": "三跨事件{n}{m}",
    "events.whistled": "网格吹哨{n}{m}",
    "events.quick_notes": "随手记{n}{m}",
    "events.response": "响应率{n}%",
    "events.closure": "办结率{n}%",
    "events.solution": "解决率{n}%",
    "events.satisfaction": "满意率{n}%",
    "whistles.received": "部门接哨{n}{m}",
    "whistles.reported_in": "部门报到{n}{m}",
    "whistles.on_time_rate": "按时报到率{n}%",
    "whistles.resolved": "吹哨事件解决{n}{m}",
    "mediation.received": "受理矛盾纠纷{n}{m}",
    "mediation.mediated": "调解矛盾纠纷{n}{m}",
    "mediation.agreed": "达成调解协议{n}{m}",
    "mediation.success_rate": "调解成功率{n}%",
    "classes.scheduled": "计划开课{n}期",
    "classes.held": "已开展{n}期",
    "classes.attendances": "参加学习{n}人次",
    "party.study_hours": "党员学习{n}{m}",
    "party.meetings": "开展组织生活{n}{m}",
    "party.life_compliance": "组织生活落实率{n}%",
    "volunteers.ordered": "开展志愿服务{n}{m}",
    "volunteers.served": "服务群众{n}人次",
    "volunteers.hours": "志愿服务时长{n}{m}",
    "points.earned": "发放积分{n}分",
    "points.redeemed": "兑换积分{n}分",
    "community.needs": "收集群众需求{n}{m}",
    "community.needs_met": "解决群众需求{n}{m}",
    "community.projects_done": "完成项目{n}{m}",
    "community.activities": "共建单位开展活动{n}{m}",
    "community.people_served": "服务居民{n}人次",
    "people.completeness": "基础数据完整率{n}%",
}

# The measure a phrase counts in, where the report's words differ from the figure's.
MEASURES: dict[str, str] = {"volunteers.ordered": "次", "events.quick_notes": "条"}

# The previous period, as a report names it.
PREVIOUS = {"month": "上月", "quarter": "上季度", "year": "上年"}


def _cut(value: int, digits: int = 2) -> int:
    """`value` with all but its first `digits` figures set to 0 (cut, not rounded)."""
    size = len(str(value))
    if size <= digits:
        return value
    unit = 10 ** (size - digits)
    return value // unit * unit


def approx(value: Number) -> str:
    """A count as a newspaper states it: 25 → "25", 213 → "210余", 200 → "200", 1234 → "1200余",
    12345 → "1.2万余", 30000 → "3万", 123456789 → "1.2亿余". A float is a rate: one decimal at
    most, "100" for 100.0. None → "—"."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    if value < 0:
        return "-" + approx(-value)
    if value < 100:
        return str(value)
    cut = _cut(value)
    more = "余" if cut != value else ""
    for size, word in ((10**8, "亿"), (10**4, "万")):
        if cut >= size:
            whole, rest = divmod(cut, size)
            text = str(whole) if not rest else f"{cut / size:.4f}".rstrip("0").rstrip(".")
            return f"{text}{word}{more}"
    return f"{cut}{more}"


def change_words(figure: Figure, kind: str, measure: str | None = None) -> str:
    """The change against the previous period: "较上月增加3件", "较上月下降2.5个百分点",
    "与上月持平"; "" when either period has no value."""
    change = figure.change
    if change is None:
        return ""
    before = PREVIOUS.get(kind, "上期")
    if not change:
        return f"与{before}持平"
    if figure.measure == "%":
        word = "上升" if change > 0 else "下降"
        return f"较{before}{word}{approx(abs(float(change)))}个百分点"
    word = "增加" if change > 0 else "减少"
    amount = abs(change)
    text = approx(round(amount, 1)) if isinstance(amount, float) else str(amount)
    return f"较{before}{word}{text}{figure.measure if measure is None else measure}"


@dataclass(frozen=True)
class Phrase:
    key: str
    text: str  # "已开展25期"
    change: str  # "较上月增加3期" or ""

    @property
    def sentence(self) -> str:
        return f"{self.text}，{self.change}" if self.change else self.text


def _stated(figure: Figure) -> str:
    """A rate with its decimal; any other amount (hours too) as a count, cut."""
    value = figure.value
    if isinstance(value, float) and figure.measure != "%":
        value = int(value)
    return approx(value)


def phrase(figure: Figure, kind: str) -> Phrase:
    words = PHRASES.get(figure.key, figure.label + "{n}{m}")
    measure = MEASURES.get(figure.key, figure.measure)
    text = words.format(n=_stated(figure), m="" if "%" in words else measure)
    return Phrase(figure.key, text, change_words(figure, kind, measure))
