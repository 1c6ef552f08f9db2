"""Joint committees (大工委, 大党委): their member units (共建单位), joint meetings (月议事,
季联席) with attendees and minutes, and resolutions that become tasks to claim."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.org.models import ScopedModel


class CommitteeKind(models.TextChoices):
    WORK_COMMITTEE = "work_committee", _("Joint work committee")
    PARTY_COMMITTEE = "party_committee", _("Joint party committee")


class JointCommittee(ScopedModel):
    """An alliance of party organisations of different systems around a street or community."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CommitteeKind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("joint committee")
        verbose_name_plural = _("joint committees")
        ordering = ["unit_code", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="committee_once")]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    SOCIAL = "social", _("Social organisation")
    PROPERTY = "property", _("Property company")
    OTHER = "other", _("Other")


class MemberUnit(ScopedModel):
    """A member unit (共建单位/成员单位) of a joint committee."""

    committee = models.ForeignKey(
        JointCommittee,
        verbose_name=_("joint committee"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    contact = models.CharField(_("contact person"), max_length=40, blank=True)
    # The member unit's own login (its contact person's): it claims the committee's tasks
    # and reports them done itself, on its phone page (community: my tasks).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_unit",
    )
    offer = models.CharField(_("what they bring"), max_length=300, blank=True)
    joined_on = models.DateField(_("joined on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        ordering = ["committee", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="member_unit_once")
        ]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly council")
    QUARTERLY = "quarterly", _("Quarterly joint meeting")
    SPECIAL = "special", _("Special meeting")


class JointMeeting(ScopedModel):
    """A joint meeting: attendees, topic, minutes; its resolutions become tasks."""

    committee = models.ForeignKey(
        JointCommittee,
        verbose_name=_("joint committee"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(
        MemberUnit, verbose_name=_("attendees"), related_name="meetings", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"


class Resolution(models.Model):
    """One decision of a joint meeting."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="resolutions")
    text = models.CharField(_("resolution"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text
