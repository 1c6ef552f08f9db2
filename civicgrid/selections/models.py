"""Public selections (评选): 最美如意人, 优秀网格员, 最美志愿者… run by a street or a community.

A selection (`Selection`) has categories (`Category`), a nomination period, a review period and
a public voting period; it moves draft → nominating → reviewing → voting → counting → closed
(results published), or is cancelled, on the workflow engine (`workflow.py`), every step logged
(`SelectionStep`). A nomination (`Nomination`) is made by staff or by a resident who proved a
phone, and moves submitted → approved / rejected (with a reason), logged (`NominationStep`);
an approved nomination is a candidate on the public voting page.

One vote per person: a voter proves a phone with a verification code; a vote (`Vote`) keeps
only the keyed hash of that phone, of the address and of the browser's device cookie, and one
slot per phone and category (the day, or the whole selection) is unique in the database. Each
candidate's count is kept in `Tally`, written in the vote's transaction, so a page never counts
votes. Bursts are flagged (`Anomaly`) for staff, who may void the flagged votes (a logged step).
"""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import privacy
from civicgrid.core.storage import private_storage
from civicgrid.core.workflow import StepLog
from civicgrid.org.models import ScopedModel


def private_files() -> Storage:
    """Nomination photos: served only through a view that checks the viewer may see them (an
    approved candidate's on the public page, any of them to the selection's staff)."""
    return private_storage


class SelectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATING = "nominating", _("Nominations open")
    REVIEWING = "reviewing", _("Reviewing nominations")
    VOTING = "voting", _("Voting open")
    COUNTING = "counting", _("Voting closed, counting")
    CLOSED = "closed", _("Results published")
    CANCELLED = "cancelled", _("Cancelled")


class SelectionAction(models.TextChoices):
    CREATE = "create", _("Create")
    OPEN_NOMINATIONS = "open_nominations", _("Open nominations")
    CLOSE_NOMINATIONS = "close_nominations", _("Close nominations")
    OPEN_VOTING = "open_voting", _("Open voting")
    CLOSE_VOTING = "close_voting", _("Close voting")
    PUBLISH = "publish", _("Publish results")
    CANCEL = "cancel", _("Cancel the selection")
    VOID_VOTES = "void_votes", _("Void flagged votes")


# What the public pages show: a selection once it is announced, never a draft or a cancelled one.
PUBLIC_STATUSES = (
    SelectionStatus.NOMINATING,
    SelectionStatus.REVIEWING,
    SelectionStatus.VOTING,
    SelectionStatus.COUNTING,
    SelectionStatus.CLOSED,
)


class VoteRule(models.TextChoices):
    """How often one phone may vote in one category."""

    DAILY = "daily", _("Once per category per day")
    ONCE = "once", _("Once per category for the whole selection")


class Selection(ScopedModel):
    """A public selection of a street or a community."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SelectionStatus.choices, default=SelectionStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=0)
    nominations_open_at = models.DateTimeField(_("nominations open"))
    nominations_close_at = models.DateTimeField(_("nominations close"))
    voting_open_at = models.DateTimeField(_("voting opens"))
    voting_close_at = models.DateTimeField(_("voting closes"))
    vote_rule = models.CharField(
        _("votes allowed"), max_length=10, choices=VoteRule.choices, default=VoteRule.DAILY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("results published"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "voting_close_at"], name="selection_public")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("selections:selection", args=[self.pk])


class SelectionStep(StepLog):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepLog.Meta):
        verbose_name = _("selection step")
        verbose_name_plural = _("selection steps")


class Category(models.Model):
    """One award of a selection (最美志愿者, 优秀网格员…): votes are counted per category."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("selection", "position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "name"], name="selection_category_once")
        ]

    def __str__(self) -> str:
        return self.name


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("selection", "Rejected")


class NominationAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", pgettext_lazy("selection", "Reject")


class Nomination(ScopedModel):
    """A nominee (提名) in one category; once approved, a candidate on the voting page. The
    nominator's phone (a resident's) is sealed like every personal number."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="nominations")
    name = models.CharField(_("nominee"), max_length=40)
    story = models.TextField(_("story"))
    nominator = models.CharField(_("nominated by"), max_length=40, blank=True)
    phone = models.TextField(_("nominator's phone"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("nominator's phone"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.SUBMITTED,
    )
    version = models.PositiveIntegerField(default=0)
    reason = models.TextField(pgettext_lazy("selection", "reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["category__position", "id"]
        indexes = [models.Index(fields=["selection", "status"], name="nomination_review")]

    def __str__(self) -> str:
        return self.name


NOMINATOR_PHONE = privacy.PHONE  # phone, phone_hash, phone_masked


class NominationStep(StepLog):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepLog.Meta):
        verbose_name = _("nomination step")
        verbose_name_plural = _("nomination steps")


class NominationPhoto(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="selections/%Y/%m/", storage=private_files)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.image.name}"


class Tally(models.Model):
    """A candidate's count of valid votes, kept by the vote and the voiding in their own
    transaction (`services.cast_vote`, `services.void_votes`); `check` recounts."""

    nomination = models.OneToOneField(
        Nomination, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.votes}"


class Vote(models.Model):
    """One vote. No phone, address or device in clear: their keyed hashes only. `slot` is the
    voting day (VoteRule.DAILY) or "all" (VoteRule.ONCE): one vote per phone, category and slot,
    enforced by the database."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="votes")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="votes")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    phone_hash = models.CharField(max_length=64, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    slot = models.CharField(max_length=10, editable=False)
    at = models.DateTimeField(_("at"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "phone_hash", "slot"], name="one_vote_per_phone_and_slot"
            )
        ]
        indexes = [
            models.Index(fields=["selection", "ip_hash", "at"], name="vote_by_ip"),
            models.Index(fields=["selection", "device_hash"], name="vote_by_device"),
            models.Index(fields=["nomination", "at"], name="vote_by_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.at:%Y-%m-%d %H:%M}"


class AnomalyKind(models.TextChoices):
    IP_BURST = "ip_burst", _("Many votes from one address in a short time")
    DEVICE_PHONES = "device_phones", _("Many phones voting from one device")
    CANDIDATE_SURGE = "candidate_surge", _("Many votes for one candidate in a short time")


class Outcome(models.TextChoices):
    OPEN = "", _("To review")
    VOIDED = "voided", _("Votes voided")
    DISMISSED = "dismissed", _("Dismissed")


class Anomaly(models.Model):
    """A pattern of votes flagged for staff: the votes of `key` (an address's or a device's
    hash, or a candidate's id) from `since` to `until` in the selection. One open flag per
    selection, kind and key; it grows as more such votes come."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="anomalies")
    kind = models.CharField(_("kind"), max_length=20, choices=AnomalyKind.choices)
    key = models.CharField(max_length=64, editable=False)
    nomination = models.ForeignKey(
        Nomination, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("to"))
    outcome = models.CharField(
        pgettext_lazy("selection", "outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.OPEN,
        blank=True,
    )
    voided = models.PositiveIntegerField(_("votes voided"), default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("anomaly")
        verbose_name_plural = _("anomalies")
        ordering = ["-until", "-id"]
        indexes = [models.Index(fields=["selection", "kind", "key"], name="anomaly_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.since:%Y-%m-%d %H:%M}"
