from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import privacy
from civicgrid.core.units import UnitCodeField


class AccessLog(models.Model):
    """Audit log of personal data (PIPL): who revealed which number of which record, searched
    by a whole number, exported (a record, or a unit's ledger and how many rows) or deleted
    it, when and why. Append-only; it holds no personal data itself, only the record's label,
    so deleting a person leaves nothing of them here but the fact."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Revealed")
        SEARCH = "search", _("Searched by number")
        EXPORT = "export", _("Exported")
        DELETE = "delete", _("Deleted")

    class Field(models.TextChoices):
        """The numbers that may be revealed."""

        ID_NUMBER = "id_number", _("ID-card number")
        PHONE = "phone", _("phone")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    record = models.CharField(_("record"), max_length=60, db_index=True)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    unit_code = UnitCodeField(_("unit code"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # How many rows an export of a whole ledger held.
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} · {self.get_action_display()} · {self.record} {self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)


class SealedPhone(models.Model):
    """A phone number kept as a resident's is (`privacy.PHONE`): ciphertext, a keyed hash to find
    it whole, and the masked form shown."""

    phone = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    def set_phone(self, value: str, field: str = "phone") -> None:
        """Check and seal `value`; a blank one clears the number."""
        phone = privacy.clean_phone(value, field) if (value or "").strip() else ""
        privacy.PHONE.write(self, phone)

    def copy_phone(self, other: models.Model) -> None:
        """Take another record's sealed number (one kept in the same fields, a resident's too)
        as it is (never decrypted)."""
        privacy.PHONE.copy(self, other)


class Throttle(models.Model):
    """One key's attempts in one window of a named limit (`core.limits`). The key is a keyed
    hash, never an address or a phone."""

    name = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "key", "window"], name="throttle_one_window")
        ]
        indexes = [models.Index(fields=["window"], name="throttle_window")]

    def __str__(self) -> str:
        return f"{self.name} {self.window:%Y-%m-%d %H:%M} {self.hits}"


class KeyFingerprint(models.Model):
    """One row: proof of the keys this database's personal data is sealed with (core.keyring).

    `token` is a fixed text encrypted under the newest data key when the row was recorded: a
    host whose CIVICGRID_DATA_KEYS cannot decrypt it cannot read the numbers either. It is a
    Fernet token in a text column, so `manage.py rotate_data_keys` encrypts it again under the
    new key with everything else, and the documented rotation keeps it readable. `index_proof`
    is the keyed hash of a fixed text under CIVICGRID_INDEX_KEY: another index key would find
    no number."""

    token = models.TextField(editable=False)
    index_proof = models.CharField(max_length=64, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key fingerprint")
        verbose_name_plural = _("key fingerprints")

    def __str__(self) -> str:
        return f"key fingerprint of {self.recorded_at:%Y-%m-%d}"


class JobLock(models.Model):
    """The lease of one periodic job (core.jobs.periodic): taken with a conditional UPDATE, so
    two consumers started by mistake never run the job at once, nor twice for one scheduled
    minute (`slot`). A lease ends by itself at `until`, so a consumer killed mid-run does not
    keep its job from running again."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField()
    # The scheduled minute of the last run that took the lease.
    slot = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} until {self.until:%Y-%m-%d %H:%M:%S}"


def export_files() -> Any:
    """Where a finished background export waits for its download: the private storage (no URL;
    it may hold personal data, masked as on screen). Purged after EXPORT_KEEP_DAYS."""
    from civicgrid.core.storage import private_storage

    return private_storage


class ExportJob(models.Model):
    """A list exported in the background (core.exports, issue 19): the export's registered name,
    the list page's filters as the user sent them, the format, and the file once made. Only its
    actor sees it; the rows are read again in the worker by the same selector, as the actor."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("export"), max_length=60)
    label = models.CharField(_("list"), max_length=100)
    params = models.JSONField(default=dict, blank=True)
    fmt = models.CharField(_("format"), max_length=4)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    unit_code = UnitCodeField(_("unit code"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=export_files, blank=True)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.fmt})"
