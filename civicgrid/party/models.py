"""Party members and their points (党员与积分).

Branches hang on org units; party members belong to a branch and, where basic data has them,
link to their person record. A member's phone is kept like a resident's (ciphertext, keyed hash,
masked form), so an enrolment made with the same phone finds the member without decrypting.

Points are an append-only ledger (`PointEntry`): entries are never changed or deleted, a
correction is a new entry. `PartyMember.balance` repeats the ledger's sum and is changed only in
the transaction that appends an entry, under the member's row lock.

A redemption moves through a small state machine (`workflow.py`, run by `core.workflow`):
requested, then handed over or cancelled; every step appends a `RedemptionStep`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import SealedPhone
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import ScopedModel


class BranchKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")


class Branch(ScopedModel):
    """A party organisation (党支部, 党总支, 党委) attached to a unit."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BranchKind.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["unit_code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="branch_once")]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    SELF_MANAGED = "self_managed", _("Self-managed member")
    DUAL_REGISTERED = "dual_registered", _("Dual-registered member")
    FLOWING = "flowing", _("Flowing member")


class Position(models.TextChoices):
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Branch secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


# Positions whose holders need the higher yearly study hours.
LEADING_POSITIONS = frozenset(
    {Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.COMMITTEE_MEMBER}
)
# Class hours (学时) a member must study a year; branch secretaries and committee members more.
STUDY_HOURS_REQUIRED = 32
STUDY_HOURS_REQUIRED_LEADING = 56


class PartyMember(SealedPhone, ScopedModel):
    """A party member (党员) of a branch: kind, responsibility area (党员责任区), model post
    (示范岗); their points balance repeats the ledger."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="members"
    )
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
    )
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    responsibility_area = models.CharField(_("responsibility area"), max_length=100, blank=True)
    model_post = models.CharField(_("model post"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    balance = models.IntegerField(_("points balance"), default=0, editable=False)
    earned = models.IntegerField(_("points earned"), default=0, editable=False)
    redeemed = models.IntegerField(_("points redeemed"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["branch", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"], condition=~Q(phone_hash=""), name="member_phone_once"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="member_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def study_hours_required(self) -> int:
        if self.position in LEADING_POSITIONS:
            return STUDY_HOURS_REQUIRED_LEADING
        return STUDY_HOURS_REQUIRED


class ShockTeam(ScopedModel):
    """A party members' shock team (党员突击队) for floods, epidemics, campaigns."""

    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    leader = models.ForeignKey(
        PartyMember,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        PartyMember, verbose_name=_("members"), related_name="shock_teams", blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shock team")
        verbose_name_plural = _("shock teams")
        ordering = ["unit_code", "name"]

    def __str__(self) -> str:
        return self.name


class LifeKind(models.TextChoices):
    """三会一课 and 主题党日."""

    GENERAL_MEETING = "general_meeting", _("Branch general meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme party day")


# How often a branch must hold each kind a year (支部党员大会 and 党课 quarterly, the others
# monthly), the yardstick of a branch's yearly completeness.
REQUIRED_PER_YEAR = {
    LifeKind.GENERAL_MEETING: 4,
    LifeKind.COMMITTEE_MEETING: 12,
    LifeKind.GROUP_MEETING: 12,
    LifeKind.PARTY_LECTURE: 4,
    LifeKind.THEME_DAY: 12,
}


class OrganisationalLife(ScopedModel):
    """One meeting of organisational life: kind, date, topic, attendees, minutes."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LifeKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    class_hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1, default=0)
    attendees = models.ManyToManyField(
        PartyMember, verbose_name=_("attendees"), related_name="meetings", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisational life")
        verbose_name_plural = _("organisational life")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["branch", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"


class StudyCredit(models.Model):
    """Class hours (学时) credited to a member: from a class session, a party lecture, or by
    hand. One credit per member and source."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="study_credits",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    earned_on = models.DateField(_("date"))
    hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)
    source = models.CharField(_("source"), max_length=40)
    label = models.CharField(_("what"), max_length=200)

    class Meta:
        verbose_name = _("study credit")
        verbose_name_plural = _("study credits")
        ordering = ["-earned_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "source"], name="study_credit_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="study_credit_positive"),
        ]
        indexes = [models.Index(fields=["member", "year"])]

    def __str__(self) -> str:
        return f"{self.member} {self.hours} {self.label}"


class PointKind(models.TextChoices):
    """Why points move. The earning kinds have a rule each; the others are the shop's and the
    ledger's own."""

    CLASS_ATTENDANCE = "class_attendance", _("Attending a class")
    ORGANISATIONAL_LIFE = "organisational_life", _("Organisational life")
    VOLUNTEERING = "volunteering", _("Volunteering")
    TASK = "task", _("Claimed task done")
    TEACHING = "teaching", _("Teaching a class")
    OTHER = "other", _("Other merit")
    REDEMPTION = "redemption", _("Redemption")
    REFUND = "refund", _("Redemption refunded")
    CORRECTION = "correction", _("Correction")


EARNING_KINDS = frozenset(
    {
        PointKind.CLASS_ATTENDANCE,
        PointKind.ORGANISATIONAL_LIFE,
        PointKind.VOLUNTEERING,
        PointKind.TASK,
        PointKind.TEACHING,
        PointKind.OTHER,
    }
)


class PointRule(models.Model):
    """How many points one activity of a kind earns, and the most a member may earn from that
    kind a day and a year (0: no cap), as 学习强国 caps each activity per day."""

    kind = models.CharField(_("kind"), max_length=30, choices=PointKind.choices, unique=True)
    points = models.PositiveIntegerField(_("points each time"))
    daily_cap = models.PositiveIntegerField(_("daily cap"), default=0)
    yearly_cap = models.PositiveIntegerField(_("yearly cap"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class PointEntry(ScopedModel):
    """One line of the append-only points ledger. Positive: earned or refunded; negative: spent
    or taken back. `source` makes an award idempotent (one per member, kind and source)."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="point_entries",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=PointKind.choices)
    points = models.IntegerField(_("points"))
    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "source"],
                condition=~Q(source=""),
                name="point_entry_once_per_source",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="point_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["member", "kind", "day"])]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("The points ledger is append-only: add a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The points ledger is append-only: add a correction instead.")


class RewardItem(ScopedModel):
    """Something a unit's points shop (积分超市) offers, at a price in points, while stock lasts."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    points = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("stock"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward item")
        verbose_name_plural = _("reward items")
        ordering = ["unit_code", "points", "name"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="item_has_price")]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting pick-up")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class Redemption(ScopedModel):
    """A member exchanging points for an item: points and stock are taken at once; staff hand
    the item over, or cancel and refund (a new ledger entry). Hangs on the item's unit."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    item = models.ForeignKey(
        RewardItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="redemptions"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REQUESTED,
    )
    entry = models.OneToOneField(
        PointEntry, on_delete=models.PROTECT, related_name="redemption", editable=False
    )
    refund = models.OneToOneField(
        PointEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.item} × {self.quantity}"


class RedemptionAction(models.TextChoices):
    REDEEM = "redeem", _("Redeem")
    HAND_OVER = "hand_over", _("Hand over")
    CANCEL = "cancel", _("Cancel")


class RedemptionStep(StepLog):
    """One immutable row per step of a redemption: who, when, from, to, note."""

    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=RedemptionAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=RedemptionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=RedemptionStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("redemption step")
        verbose_name_plural = _("redemption steps")

    def __str__(self) -> str:
        return f"{self.redemption_id} {self.action} {self.from_status}→{self.to_status}"


class PointsRollup(ScopedModel):
    """Points earned and redeemed per unit (the member's) and month, kept by the services in
    the entry's transaction; a figure sums the rows under a code prefix."""

    month = models.DateField(_("month"))
    earned = models.IntegerField(default=0, db_default=0)
    redeemed = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="points_rollup_once")]
        indexes = [models.Index(fields=["unit_code", "month"])]
