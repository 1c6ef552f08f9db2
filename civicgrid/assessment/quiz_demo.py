"""The demo's knowledge test (测): a real bank of questions on the five topics of the source's
test, a quiz in December of the plan's year, a paper for every worker, most handed in with
answers as varied as real people's, and one whose time ran out.

`load(plan, assessor, now)` is called by the assessment's demo between opening the plan and
scoring it; everything goes through the services (`quiz.py`) with explicit times."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from civicgrid.assessment import quiz
from civicgrid.assessment.models import Paper, Plan, Question, QuestionKind, Quiz, Topic

S, M, TF = QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE
RIGHT, WRONG = "正确", "错误"

# (topic, kind, text, options, right answer as letters or 正确/错误, explanation)
BANK: list[tuple[str, str, str, list[str], str, str]] = [
    # 基础信息采集
    (
        Topic.BASIC_DATA,
        S,
        "网格员入户采集人口信息时，应当首先做什么？",
        ["出示工作证件、说明来意", "直接拍照登记", "要求居民签字担保", "先询问家庭收入"],
        "A",
        "亮明身份、说明来意，是取得居民信任、依法采集信息的前提。",
    ),
    (
        Topic.BASIC_DATA,
        S,
        "网格基础数据的“六要素”指的是？",
        [
            "人、地、事、物、情、组织",
            "人、财、物、产、供、销",
            "吃、住、行、游、购、娱",
            "党、政、军、民、学、商",
        ],
        "A",
        "",
    ),
    (
        Topic.BASIC_DATA,
        M,
        "实有人口信息采集的基本项目包括哪些？",
        ["姓名", "公民身份号码", "现居住地址", "个人存款余额"],
        "ABC",
        "存款余额不属于人口基础信息，不应采集。",
    ),
    (
        Topic.BASIC_DATA,
        TF,
        "采集到的居民身份证号码、手机号码属于个人信息，不得随意对外提供。",
        [],
        RIGHT,
        "个人信息保护法要求处理个人信息遵循合法、正当、必要原则。",
    ),
    (
        Topic.BASIC_DATA,
        S,
        "户籍不在本地、实际居住在本社区的居民，应当登记为？",
        ["流动人口", "不予登记", "户籍人口", "境外人员"],
        "A",
        "",
    ),
    (
        Topic.BASIC_DATA,
        TF,
        "网格基础信息一次采集完成后，就不需要再更新。",
        [],
        WRONG,
        "人员出生、死亡、迁入迁出和房屋用途变化都要动态更新。",
    ),
    (
        Topic.BASIC_DATA,
        M,
        "网格员发现辖区内一套房屋由自住改为出租，应当怎么做？",
        [
            "及时更新房屋用途信息",
            "登记承租人员信息",
            "等到年底再统一更新",
            "提醒房东依法办理租赁登记",
        ],
        "ABD",
        "",
    ),
    (
        Topic.BASIC_DATA,
        S,
        "“提户知人”要求网格员做到什么？",
        ["熟悉网格内每户家庭的基本情况", "只掌握党员信息", "只掌握商户信息", "只登记老年人信息"],
        "A",
        "",
    ),
    (
        Topic.BASIC_DATA,
        TF,
        "在楼道张贴含有居民完整身份证号码的名单，是合适的公示方式。",
        [],
        WRONG,
        "公示个人信息应当去标识化，身份证号码须遮挡。",
    ),
    # 矛盾纠纷排查化解
    (
        Topic.DISPUTES,
        S,
        "下列哪一项不是人民调解应当遵循的原则？",
        [
            "在当事人自愿、平等的基础上进行调解",
            "不违背法律、法规和国家政策",
            "尊重当事人的权利，不得因调解阻止当事人依法维权",
            "调解不成的，当事人不得再起诉",
        ],
        "D",
        "见《人民调解法》第三条：调解不能阻止当事人通过仲裁、行政、司法等途径维权。",
    ),
    (
        Topic.DISPUTES,
        TF,
        "经人民调解委员会调解达成的调解协议具有法律约束力，当事人应当按照约定履行。",
        [],
        RIGHT,
        "见《人民调解法》第三十一条。",
    ),
    (
        Topic.DISPUTES,
        M,
        "网格员日常排查矛盾纠纷的重点包括？",
        ["邻里纠纷", "婚姻家庭纠纷", "物业纠纷", "居民的兴趣爱好"],
        "ABC",
        "",
    ),
    (
        Topic.DISPUTES,
        S,
        "发现可能激化、引发群体性事件的矛盾纠纷，网格员应当？",
        ["立即上报并配合做好稳控化解", "等当事人主动求助", "自行处理、不上报", "只记录、不处理"],
        "A",
        "",
    ),
    (
        Topic.DISPUTES,
        TF,
        "人民调解委员会调解民间纠纷，不收取任何费用。",
        [],
        RIGHT,
        "见《人民调解法》第四条。",
    ),
    (
        Topic.DISPUTES,
        M,
        "调解邻里纠纷时，调解员应当怎么做？",
        ["分别听取双方陈述", "查明事实、分清责任", "偏向一方以尽快结案", "引导双方互谅互让"],
        "ABD",
        "",
    ),
    (
        Topic.DISPUTES,
        S,
        "“小事不出网格、大事不出社区”体现的是？",
        ["矛盾纠纷就地化解", "事件一律上交", "只管大事、不管小事", "全部交由法院处理"],
        "A",
        "",
    ),
    (
        Topic.DISPUTES,
        TF,
        "调解不成的，人民调解员应当终止调解，并告知当事人可以依法通过仲裁、行政、司法等途径维护自己的权利。",
        [],
        RIGHT,
        "见《人民调解法》第二十六条。",
    ),
    (
        Topic.DISPUTES,
        S,
        "双方当事人可以自调解协议生效之日起多少日内共同向人民法院申请司法确认？",
        ["30日", "15日", "60日", "90日"],
        "A",
        "见《人民调解法》第三十三条。",
    ),
    # 重点人群帮教
    (
        Topic.KEY_GROUPS,
        S,
        "对刑满释放人员开展帮教，首要目的是什么？",
        [
            "帮助其顺利回归社会、预防重新违法犯罪",
            "限制其人身自由",
            "公开其身份信息",
            "让其搬离社区",
        ],
        "A",
        "",
    ),
    (
        Topic.KEY_GROUPS,
        TF,
        "重点人群的信息属于敏感信息，只能由有权限的人员查看，不得随意透露。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.KEY_GROUPS,
        M,
        "对社区矫正对象，网格员可以配合做哪些工作？",
        ["日常走访了解情况", "发现异常及时报告司法所", "协助开展帮扶", "自行对其采取强制措施"],
        "ABC",
        "强制措施只能由有权机关依法采取。",
    ),
    (
        Topic.KEY_GROUPS,
        TF,
        "为提醒居民防范，可以在居民微信群里公开帮教对象的过往经历。",
        [],
        WRONG,
        "这会侵犯帮教对象的隐私，也不利于其回归社会。",
    ),
    (
        Topic.KEY_GROUPS,
        S,
        "在街道一级具体承担社区矫正日常工作的通常是？",
        ["司法所", "物业公司", "业主委员会", "居民小组"],
        "A",
        "",
    ),
    (
        Topic.KEY_GROUPS,
        M,
        "走访严重精神障碍患者家庭时，网格员应当注意什么？",
        ["了解服药和监护情况", "发现病情异常及时报告", "保护患者隐私", "故意刺激患者以观察反应"],
        "ABC",
        "",
    ),
    (
        Topic.KEY_GROUPS,
        S,
        "帮教工作中的“一人一档”是指？",
        [
            "为每名帮教对象建立档案，记录情况和帮教措施",
            "每人只能帮教一次",
            "每个网格只建一个档案",
            "一个人负责全部档案",
        ],
        "A",
        "",
    ),
    (
        Topic.KEY_GROUPS,
        TF,
        "帮教对象就业困难的，可以协调有关部门和社会力量提供就业帮扶。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.KEY_GROUPS,
        S,
        "发现帮教对象失联，网格员应当？",
        ["立即报告社区和有关部门", "等其自行返回", "不作记录", "在朋友圈寻人并公开其身份"],
        "A",
        "",
    ),
    # 政策发布宣传
    (
        Topic.POLICY,
        S,
        "网格员向居民宣传政策，最应当坚持的是？",
        ["准确传达、通俗易懂", "夸大效果以吸引关注", "只告诉熟悉的居民", "按个人理解随意解读"],
        "A",
        "",
    ),
    (
        Topic.POLICY,
        M,
        "网格员可以采用的政策宣传方式有？",
        ["入户讲解", "在网格微信群发布", "在社区宣传栏张贴", "传播未经核实的“小道消息”"],
        "ABC",
        "",
    ),
    (Topic.POLICY, TF, "在微信群转发政策信息前，应当核实其是否来自官方权威渠道。", [], RIGHT, ""),
    (
        Topic.POLICY,
        S,
        "发现网上流传涉及本社区的不实信息，网格员应当？",
        ["及时报告，并协助用权威信息澄清", "跟着转发", "置之不理", "自行编写回应并散布"],
        "A",
        "",
    ),
    (
        Topic.POLICY,
        TF,
        "向老年人宣传防范电信网络诈骗时，应提醒其不要向陌生人透露银行卡密码和验证码。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.POLICY,
        M,
        "面向老年人宣传政策时，比较合适的做法是？",
        ["用通俗的语言讲解", "面对面入户讲解", "印发大字版材料", "只在网上发布链接"],
        "ABC",
        "",
    ),
    (
        Topic.POLICY,
        S,
        "居民对政策有疑问，网格员一时答不上来时，应当？",
        ["记录问题，向有关部门核实后及时答复", "凭印象回答", "让居民自己上网查", "拒绝回答"],
        "A",
        "",
    ),
    (
        Topic.POLICY,
        TF,
        "宣传政策后收集居民的意见建议并反馈给社区，也是网格员的工作内容。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.POLICY,
        S,
        "在网格微信群发布通知，下列做法正确的是？",
        [
            "写清事项、时间、地点和咨询方式",
            "只发一张没有说明的图片",
            "在深夜连续刷屏",
            "附上居民的个人电话号码",
        ],
        "A",
        "",
    ),
    # 三跨事件上报
    (
        Topic.CROSS_BOUNDARY,
        S,
        "“三跨”事件是指？",
        [
            "跨区域、跨部门、跨层级的事件",
            "跨年度、跨季度、跨月份的事件",
            "跨楼栋、跨单元、跨楼层的事件",
            "跨小区、跨街道、跨城市的旅游活动",
        ],
        "A",
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        TF,
        "发现本网格无法解决、需要多个部门共同处置的问题，应当按程序上报，而不是搁置。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        M,
        "上报事件时应当写清楚哪些内容？",
        ["事发地点", "事件经过和现状", "现场照片", "上报人的个人喜好"],
        "ABC",
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        S,
        "网格员发现燃气泄漏等紧急情况，应当？",
        [
            "立即报警并上报，同时组织周边人员疏散",
            "先拍照发朋友圈",
            "等第二天再报",
            "自行拆修燃气管道",
        ],
        "A",
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        TF,
        "事件上报以后，网格员就不需要再关注处置结果。",
        [],
        WRONG,
        "上报后要跟踪处置进展，并参与核查。",
    ),
    (
        Topic.CROSS_BOUNDARY,
        M,
        "下列哪些事件通常需要跨部门协同处置？",
        [
            "占道经营同时涉及食品安全",
            "河道污染涉及多个街道",
            "居民家中灯泡坏了",
            "工地夜间施工扰民涉及多个管理部门",
        ],
        "ABD",
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        S,
        "“网格吹哨、部门报到”中的“吹哨”是指？",
        [
            "网格发现问题后向有关部门发出协同处置请求",
            "网格员上班打卡",
            "体育比赛裁判鸣哨",
            "居民投诉网格员",
        ],
        "A",
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        TF,
        "对上报的事件，应当做到事事有回应、件件有着落，处置完成后核查结果。",
        [],
        RIGHT,
        "",
    ),
    (
        Topic.CROSS_BOUNDARY,
        S,
        "事件跨两个街道辖区时，网格员应当？",
        [
            "如实上报并写明涉及的区域，由上级协调处置",
            "认为不归本网格管而不报",
            "只报本街道一侧的情况",
            "等另一个街道先报",
        ],
        "A",
        "",
    ),
]

QUOTAS = {topic: 4 for topic in Topic.values}
MINUTES = 30


def _data(row: tuple[str, str, str, list[str], str, str]) -> quiz.QuestionData:
    topic, kind, text, options, right, explanation = row
    if kind == TF:
        answer = [0 if right == RIGHT else 1]
    else:
        answer = [quiz.LETTERS.index(letter) for letter in right]
    return quiz.QuestionData(
        topic=topic, kind=kind, text=text, options=options, answer=answer, explanation=explanation
    )


def _answer(rng: random.Random, question: Question, skill: float) -> list[int] | None:
    """What a worker of this skill chooses: the right answer, a plausible wrong one, or (now
    and then) nothing."""
    if rng.random() < 0.03:
        return None
    right = list(question.answer)
    if rng.random() < skill:
        return right
    others = [i for i in range(len(question.options)) if i not in right]
    if question.kind == QuestionKind.MULTIPLE:
        if len(right) > 1 and rng.random() < 0.6:
            return sorted(rng.sample(right, len(right) - 1))  # one right option missed
        return sorted({*right, rng.choice(others)}) if others else right[:1]
    return [rng.choice(others)]


def load(plan: Plan, assessor: Any, now: dt.datetime) -> Quiz:
    """The bank, the quiz and the papers of `plan` (a running plan with its workers); returns
    the quiz. The quiz is held on 10–12 December of the plan's year (earlier if `now` comes
    first)."""
    unit = plan.unit
    known = set(Question.objects.filter(unit=unit).values_list("text", flat=True))
    for row in BANK:
        if row[2] not in known:
            quiz.add_question(actor=assessor, unit=unit, data=_data(row), now=now)
    local = timezone.get_current_timezone()
    closes = dt.datetime(plan.year, 12, 12, 18, 0, tzinfo=local)
    if closes > now - dt.timedelta(hours=1):
        closes = now - dt.timedelta(hours=1)
    opens = closes - dt.timedelta(hours=57)  # 10 December 09:00
    test: Quiz = quiz.create_quiz(
        actor=assessor,
        plan=plan,
        data=quiz.QuizData(
            title=f"{plan.year}年度网格员应知应会测试",
            quotas=QUOTAS,
            minutes=MINUTES,
            opens_at=opens,
            closes_at=closes,
        ),
    )
    quiz.issue_papers(actor=assessor, quiz=test, now=opens - dt.timedelta(days=1))
    rng = random.Random(f"quiz-demo-{plan.year}-{plan.unit_code}")
    papers = list(
        Paper.objects.filter(quiz=test).select_related("plan_worker__worker").order_by("pk")
    )
    for index, paper in enumerate(papers):
        worker = paper.plan_worker.worker
        skill = rng.uniform(0.55, 0.95)
        # Most sit the test on the morning of the 10th or the 11th, on their phones.
        day = rng.choice([0, 0, 1, 1, 2]) if index else 0
        started = opens + dt.timedelta(days=day, minutes=rng.randint(0, 150))
        if started > closes - dt.timedelta(minutes=MINUTES):
            started = opens + dt.timedelta(minutes=rng.randint(0, 150))
        paper = quiz.start_paper(actor=worker, paper=paper, now=started)
        asked = Question.objects.in_bulk(paper.questions)
        expires = index == len(papers) - 1 and len(papers) > 1
        answered = paper.questions[: len(paper.questions) * 3 // 5] if expires else paper.questions
        at = started
        for pk in answered:
            chosen = _answer(rng, asked[pk], skill)
            at += dt.timedelta(seconds=rng.randint(25, 75))
            if chosen is not None:
                quiz.save_answer(actor=worker, paper=paper, question_id=pk, chosen=chosen, now=at)
        if expires:
            # Called away mid-test: the clock closes the paper on the answers saved.
            assert paper.due_at is not None
            quiz.expire_paper(paper=Paper.objects.get(pk=paper.pk), now=paper.due_at)
        else:
            quiz.submit_paper(
                actor=worker, paper=Paper.objects.get(pk=paper.pk), now=at + dt.timedelta(minutes=1)
            )
    return test
