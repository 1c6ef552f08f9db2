"""Community services: the three lists (需求清单, 资源清单, 项目清单) and their matching,
community partners (社区合伙人) and what they run, and tasks that members claim (认领).

A need moves open → matched → in progress → met (or not feasible); a task open → claimed → done
(or closed); a project planned → done. Each runs on the workflow engine through its table in
`workflow.py`, every step logged (`NeedStep`, `TaskStep`, `ProjectStep`). Counts behind the
figures are kept in `CommunityRollup` in the same transaction as each step.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.workflow import StepLog
from civicgrid.org.models import ScopedModel
from civicgrid.volunteers.models import Terms


class Category(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    CHILDREN = "children", _("Children")
    REPAIR = "repair", _("Repairs")
    HEALTH = "health", _("Health")
    EMPLOYMENT = "employment", _("Employment")
    ENVIRONMENT = "environment", _("Environment")
    SAFETY = "safety", _("Safety")
    CULTURE = "culture", _("Culture")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class Partner(ScopedModel):
    """A community partner (社区合伙人): a business or social organisation that runs services in
    community space, on public-good and low-fee terms, in return for benefits such as lower rent."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partnerships",
    )
    # The partner's own login (its contact person's): it reads its page, its activities and
    # the resources it offers; staff record the activities (nobody counts their own work).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_partner",
    )
    space = models.BooleanField(_("space partner"), default=False)
    operation = models.BooleanField(_("operation partner"), default=False)
    governance = models.BooleanField(_("governance partner"), default=False)
    space_used = models.CharField(_("space used"), max_length=200, blank=True)
    benefit = models.CharField(_("benefit given"), max_length=200, blank=True)
    benefit_yuan = models.DecimalField(
        _("benefit a year (yuan)"), max_digits=10, decimal_places=2, default=0
    )
    offer = models.CharField(_("what they offer"), max_length=300, blank=True)
    contact = models.CharField(_("contact person"), max_length=40, blank=True)
    joined_on = models.DateField(_("joined on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("community partner")
        verbose_name_plural = _("community partners")
        ordering = ["unit_code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="partner_once")]

    def __str__(self) -> str:
        return self.name


class PartnerActivity(ScopedModel):
    """A service or activity a partner ran, with the people it served."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    people_served = models.PositiveIntegerField(_("people served"))
    terms = models.CharField(_("terms"), max_length=10, choices=Terms.choices, default=Terms.FREE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner activity")
        verbose_name_plural = _("partner activities")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ProviderKind(models.TextChoices):
    PARTNER = "partner", _("Community partner")
    MEMBER_UNIT = "member_unit", _("Member unit")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    COMMUNITY = "community", _("The community itself")


class Resource(ScopedModel):
    """What someone offers (资源清单): kind, how much at once, when, on what terms."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    provider_kind = models.CharField(_("provider"), max_length=20, choices=ProviderKind.choices)
    provider = models.CharField(_("provider name"), max_length=100)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    capacity = models.PositiveIntegerField(_("needs served at once"), default=1)
    in_use = models.PositiveIntegerField(_("in use"), default=0, editable=False)
    schedule = models.CharField(_("when"), max_length=200, blank=True)
    terms = models.CharField(_("terms"), max_length=10, choices=Terms.choices, default=Terms.FREE)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    available = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["unit_code", "category", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_use__lte=models.F("capacity")), name="resource_within_capacity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.provider}）"

    @property
    def free_capacity(self) -> int:
        return max(self.capacity - self.in_use, 0)


class ProjectKind(models.TextChoices):
    MICRO = "micro", _("Micro project")
    PUBLIC_GOOD = "public_good", _("Public-good project")
    SERVICE = "service", _("Service project")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Project(ScopedModel):
    """A project (项目清单) that meets needs with resources: owner, dates, beneficiaries,
    outcome. A done public-good project counts as a 民生实事 of its unit."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    outcome = models.TextField(_("outcome"), blank=True)
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources"), blank=True, related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="project_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProjectAction(models.TextChoices):
    PLAN = "plan", _("Plan")
    FINISH = "finish", _("Finish the project")


class ProjectStep(StepLog):
    """One immutable row per step of a project (`workflow.py`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=ProjectAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ProjectStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("project step")
        verbose_name_plural = _("project steps")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Not yet met")
    MATCHED = "matched", _("Matched")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class Urgency(models.TextChoices):
    LOW = "low", _("Can wait")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Urgent")


class NeedSource(models.TextChoices):
    DOOR_SURVEY = "door_survey", _("Door-to-door survey")
    RESIDENT = "resident", _("Resident's request")
    GRID_WORKER = "grid_worker", _("Grid worker")
    MEETING = "meeting", _("Meeting")


class Need(ScopedModel):
    """Who needs what (需求清单): a person, a household, an organisation or a building."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    source = models.CharField(_("source"), max_length=20, choices=NeedSource.choices)
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    building = models.ForeignKey(
        "people.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    who = models.CharField(_("who"), max_length=100, blank=True)
    people = models.PositiveIntegerField(_("people concerned"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    answer = models.CharField(_("answer"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit_code", "status"])]

    def __str__(self) -> str:
        return self.title


class NeedAction(models.TextChoices):
    RECORD = "record", _("Record")
    MATCH = "match", _("Match a resource")
    START = "start", _("Take into a project")
    MEET = "meet", _("Mark as met")
    NOT_FEASIBLE = "not_feasible", _("Mark as not feasible")


class NeedStep(StepLog):
    """One immutable row per step of a need (`workflow.py`)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=NeedAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=NeedStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=NeedStatus.choices)
    # The column as it was before the engine: narrower than its default.
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(StepLog.Meta):
        verbose_name = _("need step")
        verbose_name_plural = _("need steps")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return str(NeedStatus(self.to_status).label)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open to claim")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class Task(ScopedModel):
    """A piece of work a community decomposes (from a project or a meeting's resolution) for a
    member unit or a party member to claim (认领) and report done."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    source = models.CharField(_("from"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("claimed by member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    member_unit = models.ForeignKey(
        "alliances.MemberUnit",
        verbose_name=_("claimed by member unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    resolution = models.ForeignKey(
        "alliances.Resolution",
        verbose_name=_("resolution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    report = models.CharField(_("completion report"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["unit_code", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(status="closed")
                | Q(member__isnull=False)
                | Q(member_unit__isnull=False),
                name="task_claimed_by_someone",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def claimant(self) -> str:
        return str(self.member or self.member_unit or "")


class TaskAction(models.TextChoices):
    CREATE = "create", _("Create the task")
    CLAIM = "claim", _("Claim")
    REPORT = "report", _("Report done")
    CLOSE = "close", _("Close the task")


class TaskStep(StepLog):
    """One immutable row per step of a task (`workflow.py`)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=TaskAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=TaskStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("task step")
        verbose_name_plural = _("task steps")


class CommunityRollup(ScopedModel):
    """Counts per unit and month, kept by the services in each step's transaction."""

    month = models.DateField()
    needs = models.IntegerField(default=0, db_default=0)
    needs_met = models.IntegerField(default=0, db_default=0)
    projects_done = models.IntegerField(default=0, db_default=0)
    activities = models.IntegerField(default=0, db_default=0)
    people_served = models.IntegerField(default=0, db_default=0)
    tasks = models.IntegerField(default=0, db_default=0)
    tasks_claimed = models.IntegerField(default=0, db_default=0)
    tasks_done = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="community_rollup_once")
        ]
        indexes = [models.Index(fields=["unit_code", "month"])]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.month:%Y-%m}"


ROLLUP_COUNTERS = (
    "needs",
    "needs_met",
    "projects_done",
    "activities",
    "people_served",
    "tasks",
    "tasks_claimed",
    "tasks_done",
)
