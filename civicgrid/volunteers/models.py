"""Menu-ordered volunteer services (点单式服务): volunteer teams and volunteers, each unit's
service menu, residents' orders and their workflow, volunteer records and certificates.

An order moves through the table in `workflow.py` (ordered → taken → done, or cancelled) on the
workflow engine; each step appends an `OrderStep`. Taking an order locks its row, so two
volunteers cannot both take it.
A volunteer's record follows the Ministry of Civil Affairs' rules for volunteer records
(志愿服务记录与证明出具办法): personal information, services with their hours and content,
training, awards and evaluations; certificates are numbered and printable.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import SealedPhone
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import ScopedModel


def new_token() -> str:
    return secrets.token_urlsafe(12)


class VolunteerTeam(ScopedModel):
    """A volunteer team (志愿服务队); a party members' shock team may serve as one."""

    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    shock_team = models.ForeignKey(
        "party.ShockTeam",
        verbose_name=_("shock team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_teams",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["unit_code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_once")]

    def __str__(self) -> str:
        return self.name


class Volunteer(SealedPhone, ScopedModel):
    """A registered volunteer; their phone and ID number are kept like a resident's."""

    number = models.CharField(_("volunteer number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    id_number = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=20, blank=True, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteering",
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteering",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    teams = models.ManyToManyField(
        VolunteerTeam, verbose_name=_("teams"), related_name="volunteers", blank=True
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"))
    active = models.BooleanField(_("active"), default=True)
    hours = models.DecimalField(
        _("service hours"), max_digits=8, decimal_places=1, default=0, editable=False
    )
    services = models.PositiveIntegerField(_("services"), default=0, editable=False)
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    ratings = models.PositiveIntegerField(_("ratings"), default=0, editable=False)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["unit_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"], condition=~Q(phone_hash=""), name="volunteer_phone_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rating(self) -> float | None:
        return round(self.rating_total / self.ratings, 1) if self.ratings else None


class ServiceCategory(models.TextChoices):
    REPAIR = "repair", _("Appliance repair")
    HAIRCUT = "haircut", _("Haircut")
    CLINIC = "clinic", _("Free clinic")
    CLEANING = "cleaning", _("Cleaning")
    COMPANIONSHIP = "companionship", _("Companionship")
    ERRANDS = "errands", _("Errands")
    LEGAL = "legal", _("Legal advice")
    TUTORING = "tutoring", _("Tutoring")
    OTHER = "other", _("Other")


class Terms(models.TextChoices):
    FREE = "free", _("Free (public good)")
    LOW_FEE = "low_fee", _("Low fee")


class ServiceItem(ScopedModel):
    """One service on a unit's menu (服务菜单), served by a team."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="menu",
    )
    terms = models.CharField(_("terms"), max_length=10, choices=Terms.choices, default=Terms.FREE)
    price = models.DecimalField(
        _("price (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service menu")
        ordering = ["unit_code", "category", "name"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Waiting for a volunteer")
    TAKEN = "taken", _("Taken")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceOrder(SealedPhone, ScopedModel):
    """A resident's order from the menu (点单), hung on the item's unit."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service"), on_delete=models.PROTECT, related_name="orders"
    )
    name = models.CharField(_("name"), max_length=40)
    address = models.CharField(_("address"), max_length=200)
    wanted_on = models.DateField(_("wanted on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    report = models.CharField(_("what was done"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    token = models.CharField(max_length=20, unique=True, default=new_token, editable=False)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit_code", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="order_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.name}"


class OrderStep(StepLog):
    """One immutable row per step of an order (`workflow.py`)."""

    class Action(models.TextChoices):
        ORDER = "order", _("Ordered")
        TAKE = "take", _("Taken")
        ASSIGN = "assign", _("Assigned")
        COMPLETE = "complete", _("Done")
        CANCEL = "cancel", _("Cancelled")
        RATE = "rate", _("Rated")

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="steps")
    # The columns as they were before the engine: narrower than its defaults.
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(
        _("from"), max_length=10, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=OrderStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(StepLog.Meta):
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class OrderPhoto(models.Model):
    """A photo of the finished service, re-encoded without EXIF."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="volunteers/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name


class RecordKind(models.TextChoices):
    SERVICE = "service", _("Service")
    TRAINING = "training", _("Training")
    AWARD = "award", _("Award")
    EVALUATION = "evaluation", _("Evaluation")


class VolunteerRecord(models.Model):
    """One line of a volunteer's record: a service (with hours and content), a training, an
    award or an evaluation. Services done through an order are written by the order's step."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=RecordKind.choices)
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    content = models.CharField(_("content"), max_length=300)
    order = models.OneToOneField(
        ServiceOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="record"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer record")
        verbose_name_plural = _("volunteer records")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.day} {self.content}"


class Certificate(models.Model):
    """A numbered certificate of volunteer service (志愿服务证明)."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    hours = models.DecimalField(_("service hours"), max_digits=8, decimal_places=1)
    services = models.PositiveIntegerField(_("services"))
    content = models.CharField(_("content"), max_length=300)
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number


class VolunteerRollup(ScopedModel):
    """Orders placed and done and service minutes per unit (the order's) and month; summed
    over a code prefix for a figure."""

    month = models.DateField()
    ordered = models.IntegerField(default=0, db_default=0)
    done = models.IntegerField(default=0, db_default=0)
    minutes = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="volunteer_rollup_once")
        ]
        indexes = [models.Index(fields=["unit_code", "month"])]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.month:%Y-%m}"
