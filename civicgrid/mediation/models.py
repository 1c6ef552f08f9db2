"""Mediation (矛盾纠纷一站式受理、全链条解决): dispute cases received at one desk, mediated
by a pool of mediators, and followed through the whole chain.

A case moves received → accepted (or declined, or handed to the right body) → mediating
(sessions) → agreed / not agreed → referred (司法所, 派出所, 法院 诉调对接, 仲裁, 信访) →
followed up (was the agreement kept?) → closed, on the workflow engine through the table in
`workflow.py`, every step logged (`CaseStep`). The counts behind the figures are kept per unit
(`MediationRollup`) and per lead mediator (`MediatorRollup`) in the same transaction as each
step.

Cases and their parties are sensitive: `selectors.cases_for` is the one place that says who
sees them (the case's mediators and the desk staff of its unit), and the parties' phones are
sealed like every personal number.
"""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import privacy
from civicgrid.core.storage import private_storage
from civicgrid.core.units import UnitCodeField
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import OrgUnit, ScopedModel


def private_files() -> Storage:
    """Session photos and signed documents: settings.STORAGES["private"], served only through a
    view that checks the viewer may see the case."""
    return private_storage


class MediatorKind(models.TextChoices):
    PEOPLES_MEDIATOR = "peoples", _("People's mediator")  # 民调员
    MICRO_GRID = "micro_grid", _("Micro-grid leader or retired party member")
    ORGANISATION = "organisation", _("Mediation organisation")
    LAWYER = "lawyer", _("Lawyer")
    POLICE = "police", _("Police (joint mediation)")
    OTHER = "other", _("Other")


class Mediator(ScopedModel):
    """One of a unit's pool of mediators. A mediator with a login reads and records the cases
    they mediate (and only those) from their phone page."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=MediatorKind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediators",
    )
    party_member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediators",
    )
    # Where they work: a law firm, a police station, a social organisation's name.
    affiliation = models.CharField(_("affiliation"), max_length=100, blank=True)
    specialties = models.CharField(_("specialties"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["unit_code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name", "kind"], name="mediator_once")
        ]

    def __str__(self) -> str:
        return self.name


class CaseKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbour dispute")
    PROPERTY = "property", _("Property management dispute")
    FAMILY = "family", _("Family or marriage dispute")
    LABOUR = "labour", _("Labour dispute")
    CONSUMER = "consumer", _("Consumer dispute")
    LAND = "land", _("Land or housing dispute")
    OTHER = "other", _("Other dispute")


class Channel(models.TextChoices):
    """The door a case came in through."""

    EVENT = "event", _("From an event")
    SITUATION = "situation", _("From a situation")
    WALK_IN = "walk_in", _("Walk-in at the desk")
    HOTLINE = "hotline", _("Hotline call")
    REFERRAL = "referral", _("Referred by a department or court")
    MEDIATOR = "mediator", _("Found by a mediator")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskSign(models.TextChoices):
    """What makes a case high-risk (矛盾升级苗头): any one of them raises it to the street."""

    VIOLENCE = "violence", _("Threats of violence or of extreme acts")
    GROUP = "group", _("Many people involved (group dispute)")
    PETITION = "petition", _("Repeated or collective petitions")
    VULNERABLE = "vulnerable", _("A vulnerable party (elderly living alone, minor, disabled)")
    LARGE_AMOUNT = "large_amount", _("A large amount of money")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    MEDIATING = "mediating", _("Mediating")
    AGREED = "agreed", _("Agreement reached")
    NOT_AGREED = "not_agreed", _("No agreement")
    REFERRED = "referred", _("Referred")
    # 已回访: "Followed up" alone is an event's 已跟进.
    FOLLOWED_UP = "followed_up", pgettext_lazy("mediation", "Followed up")
    CLOSED = "closed", _("Closed")


# A case no longer being worked on: its event may move again, its figures are final.
ENDED = (CaseStatus.DECLINED, CaseStatus.CLOSED)


class Body(models.TextChoices):
    """Where a case is referred to (移交), or handed when it is declined."""

    JUSTICE = "justice", _("Judicial office")  # 司法所
    POLICE = "police", _("Police station")  # 派出所
    COURT = "court", _("Court (litigation–mediation link)")  # 法院 诉调对接
    ARBITRATION = "arbitration", _("Arbitration")  # 劳动/仲裁
    PETITION = "petition", _("Letters and visits office")  # 信访
    DEPARTMENT = "department", _("Another department")
    OTHER = "other", _("Other body")


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written agreement")
    ORAL = "oral", _("Oral agreement")


class Case(ScopedModel):
    """A dispute case (调解案件). `number` counts per unit and year (`numbering`)."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("came in"), max_length=20, choices=Channel.choices)
    facts = models.TextField(_("facts of the dispute"))
    request = models.TextField(_("what the applicant asks"), blank=True)
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    risk_signs = models.JSONField(_("risk signs"), default=list, blank=True)
    amount = models.DecimalField(
        _("amount involved (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    people_affected = models.PositiveIntegerField(_("people affected"), default=2)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_cases",
    )
    situation = models.ForeignKey(
        "people.Situation",
        verbose_name=_("situation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_cases",
    )
    referred_by = models.CharField(_("referred by"), max_length=100, blank=True)
    lead = models.ForeignKey(
        Mediator,
        verbose_name=_("lead mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_led",
    )
    helpers = models.ManyToManyField(
        Mediator, verbose_name=_("helping mediators"), blank=True, related_name="cases_helped"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    version = models.PositiveIntegerField(default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("mediation started"), null=True, blank=True)
    # When mediation came to an end (agreement reached or not).
    ended_at = models.DateTimeField(_("mediation ended"), null=True, blank=True)
    # True: agreement reached; False: none; None: mediation has not come to an end.
    agreed = models.BooleanField(_("agreement reached"), null=True, blank=True)
    agreement = models.TextField(_("terms agreed"), blank=True)
    agreement_form = models.CharField(
        _("form of agreement"), max_length=10, choices=AgreementForm.choices, blank=True
    )
    performance = models.CharField(_("how and when it is carried out"), max_length=300, blank=True)
    referred_to = models.CharField(
        _("referred to"), max_length=20, choices=Body.choices, blank=True
    )
    referred_body = models.CharField(_("receiving body"), max_length=100, blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_accepted_at = models.DateTimeField(_("referral accepted at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    kept = models.BooleanField(_("agreement kept"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 化解: the dispute is settled (an agreement kept, or the receiving body settled it).
    resolved = models.BooleanField(_("settled"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # The deadline of the current stage (working days: `deadlines.py`) and the one it was last
    # raised for, so each deadline raises the case once.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    escalated_for = models.DateTimeField(null=True, blank=True, editable=False)
    overdue = models.BooleanField(_("overdue"), default=False)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit_code", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="case_number_once"),
            # An event is mediated by one open case at a time.
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(event__isnull=False) & ~Q(status__in=["declined", "closed"]),
                name="one_open_case_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("mediation:case", args=[self.pk])


class CaseCounter(models.Model):
    """The last case number given per unit and year (numbered like 〔2026〕…调字第3号)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="case_counter_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last}"


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    THIRD = "third", _("Third party")


class PartyGender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


# A party's phone is sealed like a resident's, with the keyed hash erasure finds her rows by.
PARTY_PHONE = privacy.SealedNumber("phone", "phone_hash", "phone_masked")


class CaseParty(models.Model):
    """A party to a case: linked to a resident or an organisation of the basic data, or recorded
    here by name; the phone sealed and shown masked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_parties",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_parties",
    )
    name = models.CharField(_("name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=PartyGender.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "role", "id"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One mediation session (调解): when, where, who attended, what was said."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    venue = models.ForeignKey(
        "classes.Venue",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediation_sessions",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    mediators = models.ManyToManyField(Mediator, verbose_name=_("mediators"), blank=True)
    parties = models.ManyToManyField(CaseParty, verbose_name=_("parties present"), blank=True)
    others = models.CharField(_("others present"), max_length=200, blank=True)
    notes = models.TextField(_("record of the session"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"

    @property
    def where(self) -> str:
        return str(self.venue) if self.venue_id else self.place


class SessionPhoto(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="mediation/%Y/%m/", storage=private_files)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.image.name}"


class DocumentKind(models.TextChoices):
    APPLICATION = "application", _("Application and registration form")  # 调解申请书/登记表
    RECORD = "record", _("Session record")  # 调解笔录
    AGREEMENT = "agreement", _("Mediation agreement")  # 人民调解协议书
    OTHER = "other", _("Other document")


class SignedScan(models.Model):
    """A scan of a printed document with the parties' signatures."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="scans")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    image = models.ImageField(_("scan"), upload_to="mediation/signed/%Y/", storage=private_files)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed scan")
        verbose_name_plural = _("signed scans")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseAction(models.TextChoices):
    RECEIVE = "receive", _("Receive the case")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline or hand over")
    ASSIGN = "assign", _("Assign mediators")
    SESSION = "session", _("Record a session")
    AGREE = "agree", _("Agreement reached")
    FAIL = "fail", _("No agreement")
    REFER = "refer", _("Refer")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    FOLLOW_UP = "follow_up", _("Follow up")
    RESUME = "resume", _("Mediate again")
    CLOSE = "close", _("Close the case")
    RAISE_RISK = "raise_risk", _("Change the risk")
    ESCALATE = "escalate", _("Escalate (deadline passed)")


class CaseStep(StepLog):
    """One immutable row per step of a case (`workflow.py`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=CaseAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")


class Consultation(ScopedModel):
    """A legal consultation session (法律咨询): the monthly lawyer's afternoon at the community,
    with the residents served and what they asked about."""

    held_on = models.DateField(_("held on"))
    lawyer = models.ForeignKey(
        Mediator,
        verbose_name=_("lawyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    lawyer_name = models.CharField(_("lawyer"), max_length=60)
    place = models.CharField(_("place"), max_length=200, blank=True)
    residents_served = models.PositiveIntegerField(_("residents served"))
    topics = models.TextField(_("topics"))
    disputes_found = models.PositiveIntegerField(_("disputes taken on as cases"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("legal consultation")
        verbose_name_plural = _("legal consultations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.lawyer_name}"


# ---- figures -----------------------------------------------------------------------------------

# Each counter counts in the month of the moment it stands for: `received` when the case came
# in, `mediated` (agreed + not agreed) when mediation ended, `closed` and `days_to_close` when
# it closed… (`rollups.py`).
ROLLUP_COUNTERS = (
    "received",
    "accepted",
    "declined",
    "mediated",
    "agreed",
    "followed_up",
    "kept",
    "referred",
    "referred_justice",
    "referred_police",
    "referred_court",
    "referred_arbitration",
    "referred_petition",
    "referred_other",
    "closed",
    "resolved",
    "days_to_close",
    "high_risk",
    "sessions",
    "consultations",
    "consulted",
)


class _Counters(models.Model):
    month = models.DateField()
    received = models.IntegerField(default=0, db_default=0)
    accepted = models.IntegerField(default=0, db_default=0)
    declined = models.IntegerField(default=0, db_default=0)
    mediated = models.IntegerField(default=0, db_default=0)
    agreed = models.IntegerField(default=0, db_default=0)
    followed_up = models.IntegerField(default=0, db_default=0)
    kept = models.IntegerField(default=0, db_default=0)
    referred = models.IntegerField(default=0, db_default=0)
    referred_justice = models.IntegerField(default=0, db_default=0)
    referred_police = models.IntegerField(default=0, db_default=0)
    referred_court = models.IntegerField(default=0, db_default=0)
    referred_arbitration = models.IntegerField(default=0, db_default=0)
    referred_petition = models.IntegerField(default=0, db_default=0)
    referred_other = models.IntegerField(default=0, db_default=0)
    closed = models.IntegerField(default=0, db_default=0)
    resolved = models.IntegerField(default=0, db_default=0)
    days_to_close = models.IntegerField(default=0, db_default=0)
    high_risk = models.IntegerField(default=0, db_default=0)
    sessions = models.IntegerField(default=0, db_default=0)
    consultations = models.IntegerField(default=0, db_default=0)
    consulted = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class MediationRollup(ScopedModel, _Counters):
    """Counts per unit (the case's own) and month, kept in each step's transaction."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="mediation_rollup_once")
        ]
        indexes = [models.Index(fields=["unit_code", "month"])]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.month:%Y-%m}"


class MediatorRollup(_Counters):
    """Counts per lead mediator and month (a case counts for its lead; consultations for the
    lawyer who gave them)."""

    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="rollups")
    unit_code = UnitCodeField(editable=False)  # the mediator's unit

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mediator", "month"], name="mediator_rollup_once")
        ]

    def __str__(self) -> str:
        return f"{self.mediator_id} {self.month:%Y-%m}"
