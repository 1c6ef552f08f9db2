"""Events (事件): reported problems, their workflow log, whistles, patrols, quick notes, and the
rollup rows the four rates are served from."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicgrid.core import privacy
from civicgrid.core.workflow import StepLog
from civicgrid.org.kinds import DepartmentKind
from civicgrid.org.models import OrgUnit, ScopedModel


class Category(models.Model):
    """A coded two-level event category (大类/小类) with its defaults; Open311's service."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department_kind = models.CharField(
        _("default department"), max_length=30, choices=DepartmentKind.choices, blank=True
    )
    response_hours = models.PositiveIntegerField(_("response deadline (working hours)"), default=4)
    closure_days = models.PositiveIntegerField(_("closure deadline (working days)"), default=5)
    after_photo_required = models.BooleanField(_("after-photo required"), default=False)
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate search radius (m)"), default=100)
    # Whether anyone may list events of this category through Open311 without an API key.
    # Disputes and hardship are not public.
    public = models.BooleanField(_("public"), default=True)
    # Extra questions asked on report (Open311 service definition attributes).
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # 智能分拨: an event of this category reported through the API or Open311 goes straight to
    # the suggested department when the suggestion is at least this confident.
    auto_route_confidence = models.FloatField(
        _("auto-route at confidence ≥"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "Between 0 and 1. Reports through the API or Open311 whose suggested department is "
            "at least this confident are dispatched to it at once. Empty: never."
        ),
    )
    # When the category last changed: the latest of these is the Open311 discovery changeset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResponseTemplate(models.Model):
    """A ready answer staff can pick when they act on an event (per category and status)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    status = models.CharField(_("status"), max_length=20, blank=True)
    text = models.CharField(_("text"), max_length=300)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["category_id", "status", "id"]

    def __str__(self) -> str:
        return self.text


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    RATED = "rated", _("Rated")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


OPEN_STATUSES = frozenset(
    {
        Status.REPORTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.RESOLVED,
        Status.VERIFIED,
        Status.SUSPENDED,
    }
)


class Source(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    QUICK_NOTE = "quick_note", _("Quick note")
    RESIDENT = "resident", _("Resident")
    HOTLINE = "hotline", _("Hotline 12345")
    DEPARTMENT = "department", _("Department")
    API = "api", _("API")
    # 郑好办 / 郑好拍 and other city apps: their work orders arrive through a connector (interop).
    CITY_APP = "city_app", _("City app")
    # An old platform's events, loaded with their real times (interop.history).
    HISTORY = "history", _("History import")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class CrossBoundary(models.TextChoices):
    NONE = "", _("No")
    AREA = "area", _("Across areas")
    DEPARTMENT = "department", _("Across departments")
    LEVEL = "level", _("Across levels")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RatingChannel(models.TextChoices):
    # The reporter themselves: the tracking page in the browser they reported from, or their
    # own resident login.
    RESIDENT = "resident", _("Reporter")
    # 回访: staff called the reporter and recorded the answers; the step names who called.
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")


FOLLOW_UP_CALL = RatingChannel.FOLLOW_UP_CALL


def new_token() -> str:
    return secrets.token_urlsafe(18)


# A reporter's phone is kept as typed (any 7 to 20 digits) and masked only when shown; its hash
# is a resident's phone hash when it is a mainland number, so erasure finds her reports.
REPORTER_PHONE = privacy.SealedNumber(
    "reporter_phone", hash="reporter_phone_hash", index=privacy.phone_hash
)


class Event(ScopedModel):
    """A reported problem. `unit` is where it happened (found from the point); `handler_unit`
    and `handler_user` are who must act now. Every change goes through services, which log a
    step and move the rollups in the same transaction."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    priority = models.CharField(
        _("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL
    )
    # Bumped by every step: a client holding an older version gets a conflict, not a lost write.
    version = models.PositiveIntegerField(_("version"), default=1)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    # Encrypted at rest (core.privacy); shown masked. The keyed hash finds a resident's reports
    # (erasure) without decrypting every event.
    reporter_phone = models.TextField(_("reporter phone"), blank=True)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    anonymous = models.BooleanField(_("hide name publicly"), default=False)
    # A resident follows (and, from the browser that reported, rates) the event through this
    # token. It is theirs alone: never in an Open311 answer or a photo link.
    token = models.CharField(_("tracking token"), max_length=32, unique=True, default=new_token)

    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)

    handler_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_events",
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_events",
    )
    cross_boundary = models.CharField(
        _("cross-boundary"), max_length=20, choices=CrossBoundary.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    suspended_from = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)

    response_due = models.DateTimeField(_("response deadline"), null=True, blank=True)
    closure_due = models.DateTimeField(_("closure deadline"), null=True, blank=True)
    # Escalation: how many levels above its own unit the event has been raised, and the
    # deadline it was last raised for (so the same deadline never raises it twice).
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_for = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)

    solved = models.BooleanField(_("solved (reporter says)"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)
    rating_channel = models.CharField(
        _("rated through"), max_length=20, choices=RatingChannel.choices, blank=True
    )
    # 即报即办: a grid worker fixed it on patrol and reported it done in one step.
    on_the_spot = models.BooleanField(_("handled on the spot"), default=False)
    # An on-the-spot event drawn for the community's spot check (verified like any other).
    spot_check = models.BooleanField(_("drawn for a spot check"), default=False)
    follow_up_asks = models.PositiveSmallIntegerField(_("follow-up requests sent"), default=0)

    reported_at = models.DateTimeField(_("reported at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    whistled_at = models.DateTimeField(_("whistled at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Not stored: the time of the step being taken, which services.take_step sets on the locked
    # row for the step's change functions.
    _now: dt.datetime

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["unit_code", "status"]),
            models.Index(fields=["status", "closure_due"]),
            models.Index(fields=["status", "response_due"]),
            models.Index(fields=["handler_unit", "status"]),
            models.Index(fields=["handler_user", "status"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"number": self.number})


class StepAction(models.TextChoices):
    REPORT = "report", _("Report")
    REPORT_HANDLED = "report_handled", _("Report handled on the spot")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    DISPATCH = "dispatch", _("Dispatch")
    WHISTLE = "whistle", _("Whistle")
    REPORT_IN = "report_in", _("Report in")
    SIGN = "sign", _("Sign for")
    RETURN = "return", _("Return to sender")
    TRANSFER = "transfer", _("Transfer")
    RESOLVE = "resolve", _("Resolve")
    VERIFY = "verify", _("Verify")
    FAIL_VERIFICATION = "fail_verification", _("Fail verification")
    CLOSE = "close", _("Close")
    RATE = "rate", _("Rate")
    REOPEN = "reopen", _("Reopen")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    SUPERVISE = "supervise", _("Supervise")
    ESCALATE = "escalate", _("Escalate")
    ASK_RATING = "ask_rating", _("Ask for rating")
    # A dispute handed to a mediation case (civicgrid.mediation): it resolves with the case.
    MEDIATE = "mediate", _("Hand to mediation")
    # A dispatcher changes the category (改类); routing learns from it as a correction.
    RECATEGORIZE = "recategorize", _("Change category")
    # 智能分拨: the system dispatched the report to the suggested department.
    ROUTE = "route", _("Routed automatically")


class EventStep(StepLog):
    """One immutable row per workflow step: who, when, from, to, note (and photos)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=StepAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("event step")
        verbose_name_plural = _("event steps")

    def __str__(self) -> str:
        return f"{self.event_id} {self.action} {self.from_status}→{self.to_status}"


class DayCounter(models.Model):
    """The last event number taken on a day (events.numbering): one row per day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class ReportKey(models.Model):
    """An API client's `Idempotency-Key` for one report: a retry with the same key answers the
    event it created instead of reporting the problem twice. Kept for a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    # A hash of the request's content: the same key with other content is a client's mistake.
    fingerprint = models.CharField(max_length=64)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="events_report_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class Open311Update(models.Model):
    """An Open311 client's `update_id` for one service request update: the same key's owner
    sending the same update_id again gets the first answer, and no step is taken twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    update_id = models.CharField(max_length=100)
    # A hash of the update's content: the same update_id with other content is refused.
    fingerprint = models.CharField(max_length=64)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    # The reply given the first time (the steps themselves are in the event's log).
    reply = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "update_id"], name="events_open311_update_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.update_id}"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    CHECK = "check", _("On-site check")


class EventPhoto(models.Model):
    """A photo, re-encoded without EXIF and shrunk for display. Served only through a view
    that checks the viewer may see the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    # No foreign key of its own in the database: on PostgreSQL the step log is partitioned by
    # month and its key is (id, event_id), so the database holds the composite key
    # (step_id, event_id) → steps (id, event_id) instead (events/partitions.py); SET_NULL is
    # done by Django as before.
    step = models.ForeignKey(
        EventStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        db_constraint=False,
    )
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices)
    image = models.ImageField(_("image"), upload_to="events/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.stage}"


class WhistleKind(models.TextChoices):
    ROUTINE = "routine", _("Routine whistle")
    TOUGH_CASE = "tough_case", _("Tough-case whistle")
    EMERGENCY = "emergency", _("Emergency whistle")


class Whistle(models.Model):
    """吹哨: a community or street calls departments to an event; each must report in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="whistles")
    kind = models.CharField(_("kind"), max_length=20, choices=WhistleKind.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    report_in_due = models.DateTimeField(_("report-in deadline"))
    created_at = models.DateTimeField(_("whistled at"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.event_id}"


class WhistleTarget(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="targets")
    department = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="one_target_per_dept")
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} → {self.department_id}"

    @property
    def on_time(self) -> bool | None:
        if self.reported_in_at is None:
            return None
        return self.reported_in_at <= self.whistle.report_in_due


class PatrolKind(models.TextChoices):
    DAY_CHECK = "day_check", _("Day check")
    NIGHT_PATROL = "night_patrol", _("Night patrol")


class Patrol(ScopedModel):
    """A grid worker's round (巡查): start, points along the way, end."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PatrolKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # [[lon, lat, ISO time], …]
    track = models.JSONField(_("track"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at=None), name="one_open_patrol_per_worker"
            )
        ]


class QuickNote(ScopedModel):
    """随手记: one line, a photo and a place; can become an event in one step."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quick_notes"
    )
    patrol = models.ForeignKey(
        Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    text = models.CharField(_("text"), max_length=200)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    photo = models.ImageField(_("photo"), upload_to="notes/%Y/%m/", blank=True)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="quick_note"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quick note")
        verbose_name_plural = _("quick notes")
        ordering = ["-created_at"]


class RateTarget(models.Model):
    """What counts as "met" for each rate at a unit and below (nearest configured ancestor wins)."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="rate_target")
    response = models.PositiveSmallIntegerField(_("response rate target (%)"), default=95)
    closure = models.PositiveSmallIntegerField(_("closure rate target (%)"), default=90)
    solution = models.PositiveSmallIntegerField(_("solution rate target (%)"), default=85)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction rate target (%)"), default=90)
    on_time_closure = models.PositiveSmallIntegerField(_("on-time closure target (%)"), default=90)

    class Meta:
        verbose_name = _("rate target")
        verbose_name_plural = _("rate targets")

    def __str__(self) -> str:
        return str(self.unit)


# Every counter an event contributes to; see rollups.contributions for the day each counts on.
COUNTERS = (
    "reported",
    "on_the_spot",
    "spot_checks",
    *(f"source_{value}" for value in Source.values),
    *(f"status_{value}" for value in Status.values),
    "cross_boundary",
    "dispatched",
    "responded_on_time",
    "whistled",
    "due",
    "due_closed",
    "overdue",
    "closed",
    "closed_on_time",
    "follow_ups",
    "solved",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
)


class Counters(ScopedModel):
    class Meta:
        abstract = True


for _counter in COUNTERS:
    Counters.add_to_class(_counter, models.PositiveIntegerField(default=0, db_default=0))


class EventRollup(Counters):
    """Counters per unit, day and category, updated by the services in the step's transaction."""

    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "category"], name="one_rollup_per_unit_day_category"
            )
        ]
        indexes = [models.Index(fields=["unit_code", "day"])]


class EventDayRollup(Counters):
    """The same counters per unit and day, all categories together (period edges, trends)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="one_rollup_per_unit_day")
        ]
        indexes = [models.Index(fields=["unit_code", "day"])]


class EventMonthRollup(Counters):
    """The same counters per unit and month, so a district year sums a few thousand rows."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_rollup_per_unit_month")
        ]
        indexes = [models.Index(fields=["unit_code", "month"])]


# ---- per-worker figures (assessment) ------------------------------------------------------------

# Each counter a worker's own work adds to; see worker_rollups.contributions for who gets it,
# at which unit and in which month. `patrol_seconds` and `patrol_metres` are sums (rounded per
# patrol), the rest counts.
WORKER_COUNTERS = (
    "reported",
    "on_the_spot",
    "cross_boundary",
    "handled",
    "closed",
    "closed_on_time",
    "overdue",
    "verified",
    "patrols",
    "patrol_seconds",
    "patrol_metres",
    "quick_notes",
)


class WorkerCounters(ScopedModel):
    class Meta:
        abstract = True


for _counter in WORKER_COUNTERS:
    WorkerCounters.add_to_class(_counter, models.PositiveIntegerField(default=0, db_default=0))


class WorkerMonthRollup(WorkerCounters):
    """A worker's counters per month at the unit the work counts at (the event's, patrol's or
    note's own unit, never the units above it: a community sums its rows over a code prefix).
    Kept by the services in the change's transaction; `worker_rollups.check_all` recounts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user", "month"], name="one_worker_rollup_per_unit_user_month"
            )
        ]
        indexes = [
            models.Index(fields=["unit_code", "month"]),
            models.Index(fields=["user", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.unit_code} {self.month:%Y-%m}"
