"""Vanguard classroom and night school (先锋课堂, 夜校): venues, the teacher pool, yearly plans,
courses and their sessions, enrolment with a waitlist, check-in, topic requests.

Sessions, enrolments and topic requests each move through a state machine whose table is in
`workflow.py` (run by `core.workflow`): a session is scheduled, then held or cancelled; an
enrolment is enrolled or waitlisted, promoted, cancelled, and checked in while enrolled; a topic
is planned or declined. Every step appends a row to the machine's log (`SessionStep`,
`EnrolmentStep`, `TopicStep`). A session keeps its counts of enrolled, waitlisted and
checked-in people, changed only under the session's row lock, so capacity holds under
concurrent enrolments.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core.cleaning import validate_web_url
from civicgrid.core.models import SealedPhone
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import ScopedModel


def new_token() -> str:
    return secrets.token_urlsafe(12)


class VenueKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("Party-masses service centre")
    PRACTICE_BASE = "practice_base", _("Practice base")
    LIVE_ROOM = "live_room", _("Live-stream room")
    READING_ROOM = "reading_room", _("Reading room")
    AV_ROOM = "av_room", _("Audio-visual room")
    STATION = "station", _("Station")
    OUTDOOR = "outdoor", _("Outdoor site")
    MEDIATION_ROOM = "mediation_room", _("Mediation room")  # 调解室 (civicgrid.mediation)
    OTHER = "other", _("Other")


class Venue(ScopedModel):
    """A place where classes happen (阵地/站点)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    capacity = models.PositiveIntegerField(_("capacity"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["unit_code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="venue_once")]

    def __str__(self) -> str:
        return self.name


class TeacherKind(models.TextChoices):
    LEADER = "leader", _("Party or government leader")
    PARTY_SCHOOL = "party_school", _("Party-school lecturer")
    MODEL_FIGURE = "model_figure", _("Model figure")
    PROFESSIONAL = "professional", _("Professional")
    RESIDENT_TALENT = "resident_talent", _("Resident talent")
    PARTY_MEMBER = "party_member", _("Party member lecturer")


class Teacher(SealedPhone, ScopedModel):
    """A lecturer in the teacher pool (师资库), full- or part-time."""

    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=TeacherKind.choices)
    full_time = models.BooleanField(_("full-time"), default=False)
    title = models.CharField(_("title and organisation"), max_length=100, blank=True)
    topics = models.CharField(_("topics"), max_length=200, blank=True)
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teaching",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["unit_code", "name"]

    def __str__(self) -> str:
        return self.name


class CoursePlan(ScopedModel):
    """A unit's class plan for a year (课堂计划), broken down by month."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("course plan")
        verbose_name_plural = _("course plans")
        ordering = ["-year", "unit_code"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="plan_once")]

    def __str__(self) -> str:
        return self.title


class PlanMonth(ScopedModel):
    """A month of a plan (时间表): themes and targets."""

    plan = models.ForeignKey(CoursePlan, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField(_("month"))
    themes = models.CharField(_("themes"), max_length=200, blank=True)
    sessions = models.PositiveIntegerField(_("sessions planned"), default=0)
    attendances = models.PositiveIntegerField(_("attendances planned"), default=0)

    class Meta:
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="plan_month_once"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="plan_month_in_year"
            ),
        ]


class Programme(models.TextChoices):
    VANGUARD_CLASSROOM = "vanguard_classroom", _("Vanguard classroom")
    NIGHT_SCHOOL = "night_school", _("Night school")
    LECTURE_SERIES = "lecture_series", _("Lecture series")
    MICRO_CLASS = "micro_class", _("Micro class")


class Category(models.TextChoices):
    THEORY = "theory", _("Theory")
    SKILLS = "skills", _("Skills")
    HANDICRAFT = "handicraft", _("Handicraft")
    CULTURE = "culture", _("Culture and arts")
    EMPLOYMENT = "employment", _("Employment")
    HEALTH = "health", _("Health")
    LAW = "law", _("Law")
    ANTI_FRAUD = "anti_fraud", _("Anti-fraud")
    SAFETY = "safety", _("Safety")
    FAMILY = "family", _("Family education")
    OTHER = "other", _("Other")


class Mode(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    ONLINE = "online", _("Online")


class Setting(models.TextChoices):
    INDOOR = "indoor", _("Indoor")
    OUTDOOR = "outdoor", _("Outdoor")


class Audience(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("Party members")
    RESIDENTS = "residents", pgettext_lazy("audience", "Residents")
    CHILDREN = "children", _("Children")
    ELDERLY = "elderly", _("Elderly")
    NEW_ECONOMY_WORKERS = "new_economy_workers", _("New-economy workers")


class Course(ScopedModel):
    """A course or a lecture series; a series numbers its sessions (第25期)."""

    title = models.CharField(_("title"), max_length=100)
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    setting = models.CharField(
        _("setting"), max_length=10, choices=Setting.choices, default=Setting.INDOOR
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    series = models.BooleanField(_("numbered series"), default=False)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["unit_code", "title"]

    def __str__(self) -> str:
        return self.title


class Section(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Session(ScopedModel):
    """One class (课次) of a course: when, where, who teaches, how many may come."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    section = models.CharField(_("section"), max_length=10, choices=Section.choices)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    waitlist_limit = models.PositiveIntegerField(_("waitlist places"), default=20)
    stream_url = models.URLField(_("live-stream link"), blank=True, validators=[validate_web_url])
    materials = models.TextField(_("materials"), blank=True)
    class_hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
    )
    checkin_token = models.CharField(max_length=20, unique=True, default=new_token, editable=False)
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0, editable=False)
    waitlisted = models.PositiveIntegerField(_("waitlisted"), default=0, editable=False)
    attended = models.PositiveIntegerField(_("attended"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends"),
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("capacity")), name="session_within_capacity"
            ),
        ]
        indexes = [
            models.Index(fields=["unit_code", "starts_at"]),
            models.Index(fields=["venue", "starts_at"]),
            models.Index(fields=["teacher", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.label}"

    @property
    def label(self) -> str:
        """第25期 for a series, else the topic."""
        number = _("No. %(n)s") % {"n": self.number} if self.number else ""
        return " ".join(part for part in (str(number), self.topic) if part)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)


class SessionAction(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    CHANGE = "change", _("Change the session")
    CANCEL = "cancel", _("Cancel")
    CLOSE = "close", _("Mark as held")


class SessionStep(StepLog):
    """One immutable row per step of a session: who, when, from, to, note."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=SessionAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=SessionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=SessionStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("session step")
        verbose_name_plural = _("session steps")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    PUBLIC = "public", _("Public page")
    STAFF = "staff", _("By staff")
    API = "api", _("API")


class Enrolment(SealedPhone, ScopedModel):
    """A place in a session (报名) or on its waitlist (候补). The resident's own page is reached
    through `token`; the phone is kept like a resident's (ciphertext, keyed hash, masked)."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="enrolments"
    )
    name = models.CharField(_("name"), max_length=40)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    verified = models.BooleanField(_("phone verified"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # A resident's check-in without the venue's code: pending until staff confirm it.
    checkin_claimed_at = models.DateTimeField(_("check-in claimed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    token = models.CharField(max_length=20, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "phone_hash"],
                condition=~Q(phone_hash="") & ~Q(status="cancelled"),
                name="enrolment_once_per_phone",
            ),
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(person__isnull=False) & ~Q(status="cancelled"),
                name="enrolment_once_per_person",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="enrolment_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"]),
            models.Index(fields=["unit_code", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.session}"


class EnrolmentStep(StepLog):
    """Append-only log of an enrolment's steps (the table kept from before the engine)."""

    class Action(models.TextChoices):
        ENROL = "enrol", _("Enrolled")
        WAITLIST = "waitlist", _("Waitlisted")
        PROMOTE = "promote", _("Promoted from the waitlist")
        CANCEL = "cancel", _("Cancelled")
        VERIFY = "verify", _("Phone verified")
        CHECK_IN = "check_in", _("Checked in")
        CLAIM = "claim", _("Check-in claimed, awaiting staff")
        RATE = "rate", _("Rated")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(StepLog.Meta):
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Collecting support")
    PLANNED = "planned", _("Planned")
    DECLINED = "declined", _("Not planned")


class TopicRequest(ScopedModel):
    """A course topic a resident asks for (点单); others add their support."""

    title = models.CharField(_("topic"), max_length=100)
    description = models.CharField(_("why"), max_length=300, blank=True)
    proposer = models.CharField(_("proposed by"), max_length=40)
    support = models.PositiveIntegerField(_("support"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("topic request")
        verbose_name_plural = _("topic requests")
        ordering = ["-support", "-created_at"]

    def __str__(self) -> str:
        return self.title


class TopicAction(models.TextChoices):
    PROPOSE = "propose", _("Propose a topic")
    PLAN = "plan", _("Plan the topic")
    DECLINE = "decline", _("Decline the topic")
    REOPEN = "reopen", _("Collect support again")


class TopicStep(StepLog):
    """One immutable row per step of a topic request: who, when, from, to, note."""

    request = models.ForeignKey(TopicRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=TopicAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=TopicStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=TopicStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("topic request step")
        verbose_name_plural = _("topic request steps")


class TopicSupport(models.Model):
    """One supporter of a topic, by keyed hash of their phone (one support each)."""

    request = models.ForeignKey(TopicRequest, on_delete=models.CASCADE, related_name="supporters")
    voter_hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "voter_hash"], name="topic_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.request} +1"


class ClassRollup(ScopedModel):
    """Session counts per unit (the session's own), month and teacher (0: none), kept by the
    services in the session's transaction; a figure sums rows under a code prefix."""

    month = models.DateField()
    teacher_id_key = models.BigIntegerField(default=0)
    scheduled = models.IntegerField(default=0, db_default=0)
    held = models.IntegerField(default=0, db_default=0)
    cancelled = models.IntegerField(default=0, db_default=0)
    enrolled = models.IntegerField(default=0, db_default=0)
    attended = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "teacher_id_key"], name="class_rollup_once"
            )
        ]
        indexes = [models.Index(fields=["unit_code", "month"])]
