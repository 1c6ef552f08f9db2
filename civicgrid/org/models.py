import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.units import UnitCodeField
from civicgrid.org.kinds import DedicatedKind, DepartmentKind, Kind
from civicgrid.org.roles import RULES, Role, RoleRule


class OrgUnit(models.Model):
    """A node of the one org tree: district, street, community, grid, micro-grid, department…

    `code` is a prefix of every descendant's code, so a subtree is a code range.
    """

    code = UnitCodeField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Dedicated-grid kind (office building, school…) or department kind (police, fire…).
    subkind = models.CharField(_("sub-kind"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GeoJSON geometry (Polygon or MultiPolygon), WGS-84 longitude/latitude.
    polygon = models.JSONField(_("polygon"), null=True, blank=True)
    centre_lon = models.FloatField(_("centre longitude"), null=True, blank=True)
    centre_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def subkind_label(self) -> str:
        subkinds: dict[str, type[models.TextChoices]] = {
            Kind.DEDICATED_GRID: DedicatedKind,
            Kind.DEPARTMENT: DepartmentKind,
        }
        choices = subkinds.get(self.kind)
        return str(choices(self.subkind).label) if choices and self.subkind else ""


class ScopedModel(models.Model):
    """Base of every row that hangs on an org unit.

    `unit_code` repeats the unit's code so that "rows under these units" is a range scan on
    the row's own table; services.move_unit keeps it in step for every subclass.
    """

    unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT)
    unit_code = UnitCodeField(_("unit code"), db_index=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Denormalisation, not logic: the code always follows the unit.
        self.unit_code = self.unit.code
        super().save(*args, **kwargs)


class Posting(ScopedModel):
    """A user posted to a unit with a role (入网入格). What a user sees follows from these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="postings",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(active=True),
                name="one_active_posting_per_user_unit_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def rule(self) -> RoleRule:
        return RULES[self.role]


class UnitChange(models.Model):
    """Append-only log of changes to the tree: who changed which unit, when, from what to what."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MOVED = "moved", _("Moved")
        POSTED = "posted", _("User posted")
        UNPOSTED = "unposted", _("Posting ended")

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit change")
        verbose_name_plural = _("unit changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.unit_id} · {self.at:%Y-%m-%d %H:%M}"


class TreeRevision(models.Model):
    """One row whose token changes with every change to polygons and codes (in the same
    transaction), so every process knows when its point → unit index is stale. A random
    token, not a counter: a counter repeats after a rolled-back change."""

    revision = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return str(self.revision)
