"""Assessment of grid workers (考核: 听·查·测·彰), as a street runs it once a year.

A **plan** (`Plan`) belongs to a street or a district and a year. It lists weighted
**indicators** (`Indicator`), each in one of the four parts (听 hear, 查 check, 测 test, 彰 honour
and deductions) and each with a source: computed from records (inspections, the sampled grids'
data, the quiz) or entered by an assessor. The **workers in scope** (`PlanWorker`) are the
full-time grid workers of the plan's communities, fixed when the plan opens.

- 查 (check): communities, and grids within them, are **drawn** at random with a recorded seed
  (`Draw`), so anyone can re-draw and get the same sample; every draw is logged and a second
  draw needs a reason. In the sampled grids assessors mark **spot checks** of ledger rows drawn
  at random (`SpotCheck`, `SpotCheckItem`) and the quality of each cross-boundary (三跨) report
  (`CrossReview`); completeness and the four rates are read from the grids' own figures.
- 听 (hear): **inspections** on a phone (`Inspection`, `InspectionItem`, `InspectionPhoto`), a
  checklist of the four aspects with a score and remarks.
- 测 (test): a **question bank** by topic (`Question`), a **quiz** (`Quiz`) with topic quotas and
  a time limit, one **paper** per worker drawn from the bank (`Paper`, `PaperAnswer`): one
  attempt, answers saved as they go, marked automatically.
- Scores: each worker's weighted score (`PlanWorker.score`, with the parts in `details`), the
  ranking per community and street, **appeals** (`Appeal`) answered by an assessor, and a
  locked, published result.
- 彰 (honour): the published best workers' **stories** (`Honour`, `HonourPhoto`).

Plans, papers and appeals move only through the workflow engine (`workflow.py`); every step is
logged (`PlanStep`, `PaperStep`, `AppealStep`).
"""

from django.conf import settings
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core.storage import private_storage
from civicgrid.core.units import UnitCodeField
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import OrgUnit, ScopedModel


def private_files() -> Storage:
    """Inspection photos: served only through a view that checks the viewer sees the plan."""
    return private_storage


# ---- the plan ----------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("assessment", "Draft")  # indicators and weights being set
    RUNNING = "running", _("Under way")  # draws, inspections, spot checks, quiz
    SCORING = "scoring", pgettext_lazy("assessment", "Scores announced")  # appeals open
    PUBLISHED = "published", pgettext_lazy("assessment", "Published")  # locked


class PlanAction(models.TextChoices):
    CREATE = "create", _("Create the plan")
    OPEN = "open", _("Start the assessment")
    SCORE = "score", _("Compute and announce the scores")
    RESCORE = "rescore", _("Compute the scores again")
    PUBLISH = "publish", _("Publish and lock the result")


class Plan(ScopedModel):
    """One street's (or district's) assessment of its grid workers for one year."""

    title = models.CharField(_("title"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    # Working days after the scores are announced during which a worker may appeal.
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal"), default=5)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    opened_at = models.DateTimeField(_("started at"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scores announced at"), null=True, blank=True)
    appeals_until = models.DateTimeField(_("appeals until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment plan")
        verbose_name_plural = _("assessment plans")
        ordering = ["-year", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_plan_per_unit_and_year")
        ]

    def __str__(self) -> str:
        return self.title


class Part(models.TextChoices):
    HEAR = "hear", _("听 · on-site inspection")
    CHECK = "check", _("查 · platform data")
    TEST = "test", _("测 · knowledge test")
    HONOUR = "honour", _("彰 · honours and deductions")


class Source(models.TextChoices):
    """Where an indicator's value (0–100 per worker) comes from."""

    INSPECTION = "inspection", _("On-site inspections (average score)")
    COMPLETENESS = "completeness", _("Completeness of the worker's sampled grids")
    RATES = "rates", _("Four rates of the worker's sampled grids")
    SPOT_CHECK = "spot_check", _("Ledger spot checks (share found right)")
    CROSS_BOUNDARY = "cross_boundary", _("Quality of cross-boundary reports")
    QUIZ = "quiz", _("Knowledge test score")
    ENTERED = "entered", _("Entered by an assessor")


class Indicator(models.Model):
    """One weighted line of a plan. The weights of a plan's indicators add up to 100."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    part = models.CharField(_("part"), max_length=20, choices=Part.choices)
    name = models.CharField(_("name"), max_length=60)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class PlanWorker(models.Model):
    """A worker in a plan's scope, fixed when the plan opens: where they were posted then, and
    (once scored) their weighted score, its parts and their ranks."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="workers")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    # The worker's community and grid(s) when the plan opened.
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    community_code = UnitCodeField(db_index=True, editable=False)
    grid_codes = models.JSONField(default=list, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    # indicator id (str) → the indicator's value 0–100 for this worker, as scored.
    details = models.JSONField(default=dict, blank=True)
    rank_in_community = models.PositiveIntegerField(null=True, blank=True)
    rank_in_plan = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker assessed")
        verbose_name_plural = _("workers assessed")
        ordering = ["plan", "rank_in_plan", "community_code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "worker"], name="one_line_per_worker_and_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.worker}"

    def save(self, *args, **kwargs) -> None:
        self.community_code = self.community.code
        super().save(*args, **kwargs)


class Entry(models.Model):
    """An assessor's value for an entered indicator (honours, deductions…), 0–100, with why."""

    plan_worker = models.ForeignKey(PlanWorker, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="entries")
    value = models.DecimalField(
        _("value"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("entered value")
        verbose_name_plural = _("entered values")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_worker", "indicator"], name="one_entry_per_worker_and_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class PlanStep(StepLog):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=PlanAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PlanStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")


# ---- 查: draws, spot checks, cross-boundary reviews ---------------------------------------------


class DrawKind(models.TextChoices):
    COMMUNITIES = "communities", _("Communities")
    GRIDS = "grids", _("Grids within the sampled communities")
    LEDGER = "ledger", _("Ledger rows of a sampled grid")


class Draw(models.Model):
    """One random draw, reproducible from what it records: the population in the order drawn
    from, the seed and the count give the same result to anyone (`sampling.draw`). Draws are
    never changed or deleted; a later draw of the same kind in a plan needs a reason, and the
    newest one is the sample in force."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="draws")
    kind = models.CharField(_("kind"), max_length=20, choices=DrawKind.choices)
    # The grid whose ledger rows were drawn (LEDGER), else null.
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(_("population"), default=list)
    count = models.PositiveIntegerField(_("how many"))
    result = models.JSONField(_("result"), default=list)
    reason = models.CharField(_("reason for drawing again"), max_length=300, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"))

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["plan", "drawn_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.result}"


class SpotCheck(ScopedModel):
    """An assessor's check on site of ledger rows drawn at random from one sampled grid
    (`unit`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="spot_checks")
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["plan", "unit_code", "pk"]


class LedgerKind(models.TextChoices):
    PERSON = "person", _("Resident")
    HOUSEHOLD = "household", _("Household")
    PLACE = "place", _("Place")


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    object_id = models.PositiveIntegerField()
    # What the assessor reads on site (a masked name and address), kept as it was checked.
    label = models.CharField(_("row"), max_length=200)
    correct = models.BooleanField(_("right"), null=True, blank=True)
    remark = models.CharField(_("remark"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("spot-check row")
        verbose_name_plural = _("spot-check rows")
        ordering = ["spot_check", "pk"]

    def __str__(self) -> str:
        return self.label


class Quality(models.TextChoices):
    HIGH = "high", _("High quality")
    ORDINARY = "ordinary", _("Ordinary")
    LOW = "low", _("Poor")


class CrossReview(models.Model):
    """A reviewer's mark of the quality of one cross-boundary (三跨) event a worker reported in a
    sampled grid during the plan's year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cross_reviews")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quality = models.CharField(_("quality"), max_length=20, choices=Quality.choices)
    remark = models.CharField(_("remark"), max_length=300, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("cross-boundary review")
        verbose_name_plural = _("cross-boundary reviews")
        constraints = [
            models.UniqueConstraint(fields=["plan", "event"], name="one_review_per_plan_and_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_quality_display()}"


# ---- 听: inspections -------------------------------------------------------------------------


class Aspect(models.TextChoices):
    ON_DUTY = "on_duty", _("在岗履职 · on duty")
    KEY_WORK = "key_work", _("重点工作 · key work")
    DISCIPLINE = "discipline", _("工作纪律 · discipline")
    SERVICE = "service", _("服务民生 · serving residents")


class Inspection(ScopedModel):
    """One on-site inspection of a worker (`unit` is the grid or community where it was done)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="inspections")
    plan_worker = models.ForeignKey(
        PlanWorker, on_delete=models.CASCADE, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    # The sum of the items' scores (each aspect 0–25, so 0–100).
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_at", "pk"]


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices)
    score = models.DecimalField(
        _("score"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(25)],
    )
    remark = models.CharField(_("remark"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "aspect"], name="one_item_per_inspection_and_aspect"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}: {self.score}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="assessment/inspections/%Y/%m/", storage=private_files)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name


# ---- 测: question bank, quizzes, papers --------------------------------------------------------


class Topic(models.TextChoices):
    """应知应会: the topics of the source's knowledge test."""

    BASIC_DATA = "basic_data", _("基础信息采集 · basic data")
    DISPUTES = "disputes", _("矛盾纠纷排查化解 · disputes")
    KEY_GROUPS = "key_groups", _("重点人群帮教 · key groups")
    POLICY = "policy", _("政策发布宣传 · policy")
    CROSS_BOUNDARY = "cross_boundary", _("三跨事件上报 · cross-boundary reports")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class Question(ScopedModel):
    """A question of a unit's bank (a street's or a district's, shared below it)."""

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    # The options as shown (true/false: ["正确", "错误"]), and the indices of the right ones.
    options = models.JSONField(_("options"), default=list)
    answer = models.JSONField(_("answer"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["unit_code", "topic", "pk"]


class Quiz(models.Model):
    """A plan's knowledge test: how many questions of each topic, how long, when it is open."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(_("title"), max_length=100)
    # topic → number of questions drawn for each paper.
    quotas = models.JSONField(_("questions per topic"), default=dict)
    minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("knowledge test")
        verbose_name_plural = _("knowledge tests")
        ordering = ["plan", "opens_at", "pk"]

    def __str__(self) -> str:
        return self.title


class PaperStatus(models.TextChoices):
    ISSUED = "issued", _("Not started")
    STARTED = "started", _("In progress")
    SUBMITTED = "submitted", _("Handed in")
    EXPIRED = "expired", _("Time ran out")


class PaperAction(models.TextChoices):
    ISSUE = "issue", _("Issue the paper")
    START = "start", _("Start")
    SUBMIT = "submit", _("Hand in")
    EXPIRE = "expire", _("Time ran out")


class Paper(models.Model):
    """One worker's paper for a quiz, drawn from the bank by the quiz's quotas with a recorded
    seed. One attempt: started once, handed in once (or closed by the clock), marked at once."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="papers")
    plan_worker = models.ForeignKey(PlanWorker, on_delete=models.CASCADE, related_name="papers")
    seed = models.CharField(max_length=64)
    # The question ids in the order shown.
    questions = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=PaperStatus.choices, default=PaperStatus.ISSUED
    )
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    # 0–100, and per topic: {"topic": [right, asked]}.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    by_topic = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("test paper")
        verbose_name_plural = _("test papers")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "plan_worker"], name="one_paper_per_worker")
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.plan_worker.worker}"


class PaperAnswer(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    chosen = models.JSONField(default=list)
    saved_at = models.DateTimeField()
    correct = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.chosen}"


class PaperStep(StepLog):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=PaperAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=PaperStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=PaperStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("paper step")
        verbose_name_plural = _("paper steps")


# ---- appeals ---------------------------------------------------------------------------------


class AppealStatus(models.TextChoices):
    FILED = "filed", _("Waiting for an answer")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class AppealAction(models.TextChoices):
    FILE = "file", _("Appeal")
    UPHOLD = "uphold", _("Uphold")
    DISMISS = "dismiss", _("Dismiss")


class Appeal(models.Model):
    """A worker's appeal against their announced score, answered by an assessor who did not
    give the contested marks."""

    plan_worker = models.ForeignKey(PlanWorker, on_delete=models.CASCADE, related_name="appeals")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.FILED
    )
    version = models.PositiveIntegerField(default=1)
    answer = models.TextField(_("answer"), blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_worker} · {self.get_status_display()}"


class AppealStep(StepLog):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=AppealAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=AppealStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=AppealStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("appeal step")
        verbose_name_plural = _("appeal steps")


# ---- 彰: the honour list ----------------------------------------------------------------------


class Honour(ScopedModel):
    """A published best worker's story (事迹): on the unit's public page and the big screen.
    `unit` is the plan's unit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="honours")
    plan_worker = models.OneToOneField(PlanWorker, on_delete=models.CASCADE, related_name="honour")
    title = models.CharField(_("title"), max_length=60)  # e.g. 优秀网格员
    story = models.TextField(_("story"))
    video_url = models.URLField(_("video link"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["plan", "position", "pk"]


class HonourPhoto(models.Model):
    honour = models.ForeignKey(Honour, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="assessment/honours/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.image.name
