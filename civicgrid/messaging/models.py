"""What civicgrid sends to people and what they agreed to receive. No table holds a phone
number, an e-mail address or a code in clear: a recipient is a keyed hash (the same
`privacy.blind_index` the sealed phones use, so erasure finds them) and a masked form; a
message's address and text stay encrypted only until it is delivered or given up.

The in-app inbox is a channel too: a `Notification` tells one user, on the site, what happened
and where to look; any app writes them through `services.notify`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("text message")
    EMAIL = "email", _("e-mail")


class Purpose(models.TextChoices):
    """Why a message is sent; it decides whether consent is needed (`services.allowed`)."""

    # A verification code the resident asked for: transactional, always allowed.
    VERIFICATION = "verification", _("verification code")
    # News of something the resident asked for (their report, order, enrolment): sent unless
    # they opted out.
    SERVICE = "service", _("updates on my requests")
    # Announcements: only to those who consented.
    NOTICE = "notice", _("announcements")


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped (opted out)")


class Message(models.Model):
    """The send log: one row per message, with its delivery attempts."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    recipient_masked = models.CharField(_("recipient"), max_length=60)
    recipient_hash = models.CharField(max_length=64, db_index=True, editable=False)
    # Address, subject and text, encrypted; wiped once the message is sent or given up.
    sealed = models.TextField(blank=True, editable=False)
    sender = models.CharField(_("sender"), max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="message_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient_masked} · {self.get_status_display()}"


class Consent(models.Model):
    """A recipient's choice for one purpose: given (True) or withdrawn — opted out (False)."""

    recipient_hash = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20)
    at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_hash", "purpose"], name="consent_one_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_hash[:8]}… {self.purpose} {self.granted}"


class CodePurpose(models.TextChoices):
    """What a verification code unlocks; a code for one cannot be used for another."""

    ENROL = "enrol", _("enrol in a class")
    TOPIC = "topic", _("propose or support a topic")
    ORDER = "order", _("order a volunteer service")
    VOTE = "vote", _("vote in a selection")
    NOMINATE = "nominate", _("nominate someone in a selection")


class VerificationCode(models.Model):
    """A short-lived, single-use code sent to a phone; only its keyed hash is kept."""

    phone_hash = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(_("purpose"), max_length=10, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["phone_hash", "purpose"], name="code_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message in one user's in-app inbox (the bell in the navigation): dispatched to you,
    escalated, a task to claim… `link` is a path on this site, where the user acts on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        # The table it had in events, where it began with a link to one event only: the move
        # to messaging changed the state, not the table or its rows.
        db_table = "events_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="events_noti_user_id_daf5c7_idx")]

    def __str__(self) -> str:
        return self.text
