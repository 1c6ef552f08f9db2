"""Routing (智能分拨): the trained text classifiers, their versions and their figures.

A `Classifier` row is one trained version of a named model. The deployment's own models are
named by settings (`ROUTING_CATEGORY_MODEL`, `ROUTING_DEPARTMENT_MODEL`) and learn from its
closed events; other names are trained from a labelled file (`manage.py train_router`). At most
one version of a name is active: the one suggestions come from. Versions move through the
workflow engine (routing/workflow.py) and keep their log: trained, activated, rejected (it did
not beat the active one), retired (replaced), rolled back to.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from civicgrid.core.workflow import StepLog


class Target(models.TextChoices):
    CATEGORY = "category", _("Event category")
    DEPARTMENT = "department", _("Handling department")
    LABEL = "label", _("Labels of a file")


class ClassifierStatus(models.TextChoices):
    CANDIDATE = "candidate", pgettext_lazy("routing model", "Candidate")
    ACTIVE = "active", pgettext_lazy("routing model", "In use")
    REJECTED = "rejected", pgettext_lazy("routing model", "Not activated")
    RETIRED = "retired", pgettext_lazy("routing model", "Retired")


# `source` of the deployment's own models: they learn from the closed events.
FROM_EVENTS = "events"


class ClassifierAction(models.TextChoices):
    TRAIN = "train", _("Train")
    ACTIVATE = "activate", _("Activate")
    REJECT = "reject", _("Keep the active one")
    RETIRE = "retire", _("Retire")
    ROLL_BACK = "roll_back", _("Roll back to this version")


class Classifier(models.Model):
    """One trained version of a named model, with the figures it was judged by."""

    name = models.CharField(_("name"), max_length=50)
    target = models.CharField(_("predicts"), max_length=20, choices=Target.choices)
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ClassifierStatus.choices,
        default=ClassifierStatus.CANDIDATE,
    )
    labels = models.JSONField(_("labels"), default=list)
    rows = models.PositiveIntegerField(_("training rows"))
    # Rows that were a person's correction (a dispatcher changed the category, the event was
    # transferred or sent to another department) and so weighed more.
    corrections = models.PositiveIntegerField(_("corrections among them"), default=0)
    source = models.CharField(_("trained from"), max_length=200)
    trained_at = models.DateTimeField(_("trained at"))
    train_seconds = models.FloatField(_("training time (s)"))
    # The deployment's models: the last closing time of the events learned from (the next
    # training counts the events closed after it).
    learned_through = models.DateTimeField(_("events closed up to"), null=True, blank=True)
    # engine.Evaluation.as_dict(): cross-validated figures of the training rows.
    figures = models.JSONField(_("figures"), default=dict)
    # The deployment's models: this version and the active one on the same held-out recent
    # events ({"events", "since", "this", "active", "active_number"}).
    comparison = models.JSONField(_("held-out comparison"), default=dict, blank=True)
    # engine.TextModel.dumps(): arrays only, no pickles.
    data = models.BinaryField(_("model"))
    data_bytes = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["name", "number"], name="routing_version_once"),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(status=ClassifierStatus.ACTIVE),
                name="routing_one_active_per_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def macro_f1(self) -> float | None:
        return self.figures.get("macro_f1")

    @property
    def source_label(self) -> str:
        """What it learned from, in the reader's language: a file's name, or the events."""
        if self.source == FROM_EVENTS:
            return gettext("%(n)s closed events") % {"n": self.rows}
        return self.source


class ClassifierStep(StepLog):
    classifier = models.ForeignKey(Classifier, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=ClassifierAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=ClassifierStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ClassifierStatus.choices)

    class Meta(StepLog.Meta):
        verbose_name = _("routing model step")
        verbose_name_plural = _("routing model steps")
