"""The big screen's secret links (issue 19): a wall display opens /screen/s/<token>/ without a
log-in and sees the aggregate figures of one unit, nothing else."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.org.models import ScopedModel


class ScreenLink(ScopedModel):
    """One screen's link to the figures of `unit`. Only a hash of the token is kept (the link
    is shown once, when made); `prefix` names it in the list. Revoked or expired -> 404."""

    label = models.CharField(pgettext_lazy("big screen", "label"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=6, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        pgettext_lazy("big screen", "revoked at"), null=True, blank=True
    )
    last_seen_at = models.DateTimeField(
        pgettext_lazy("big screen", "last seen at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = pgettext_lazy("big screen", "screen link")
        verbose_name_plural = pgettext_lazy("big screen", "screen links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    def is_live(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
