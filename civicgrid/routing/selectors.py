"""Reads of the routing models for their pages: who may read them is `roles.may_read` (404
for everyone else, like a missing page); a model's arrays are never loaded to list it."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from civicgrid.events.models import Category
from civicgrid.org.kinds import DepartmentKind
from civicgrid.routing import roles
from civicgrid.routing.models import Classifier, ClassifierStatus, ClassifierStep, Target

LISTED = (
    "pk",
    "name",
    "target",
    "number",
    "status",
    "rows",
    "corrections",
    "source",
    "trained_at",
    "train_seconds",
    "learned_through",
    "figures",
    "comparison",
    "data_bytes",
    "labels",
)


def _readable(user: Any) -> None:
    if not roles.may_read(user):
        raise Http404


def models_for(user: Any) -> list[dict[str, Any]]:
    """Each model name with its active version (or its newest) and how many versions it has."""
    _readable(user)
    rows = list(Classifier.objects.only(*LISTED).order_by("name", "-number"))
    by_name: dict[str, list[Classifier]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row)
    return [
        {
            "name": name,
            "versions": len(versions),
            "shown": next((v for v in versions if v.status == ClassifierStatus.ACTIVE), None)
            or versions[0],
        }
        for name, versions in by_name.items()
    ]


def versions_of(user: Any, name: str) -> list[Classifier]:
    _readable(user)
    rows = list(Classifier.objects.filter(name=name).only(*LISTED).order_by("-number"))
    if not rows:
        raise Http404
    return rows


def steps_of(name: str) -> list[ClassifierStep]:
    return list(
        ClassifierStep.objects.filter(classifier__name=name)
        .select_related("classifier", "actor")
        .order_by("-at", "-id")[:50]
    )


def label_names(classifier: Classifier) -> dict[str, str]:
    """What a person reads for each label: a category's code and name, a department kind's
    name, or the label itself."""
    if classifier.target == Target.CATEGORY:
        names = dict(
            Category.objects.filter(code__in=classifier.labels).values_list("code", "name")
        )
        return {code: f"{code} {names.get(code, '')}".strip() for code in classifier.labels}
    if classifier.target == Target.DEPARTMENT:
        kinds = dict(DepartmentKind.choices)
        return {kind: str(kinds.get(kind, kind)) for kind in classifier.labels}
    return {label: label for label in classifier.labels}


@dataclass
class LabelRow:
    label: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int
    # The label it is most often taken for, and how often.
    confused_with: str
    confused: int


def label_rows(classifier: Classifier) -> list[LabelRow]:
    """Per label: its figures and what it is most often mistaken for, worst F1 first."""
    figures = classifier.figures
    labels: list[str] = figures.get("labels", [])
    names = label_names(classifier)
    matrix = figures.get("confusion", [])
    out = []
    for i, label in enumerate(labels):
        scores = figures.get("per_label", {}).get(label)
        if not scores or not scores.get("support"):
            continue
        row = matrix[i] if i < len(matrix) else []
        wrong = [(n, j) for j, n in enumerate(row) if j != i and n]
        n, j = max(wrong) if wrong else (0, -1)
        out.append(
            LabelRow(
                label=label,
                name=names.get(label, label),
                precision=scores["precision"],
                recall=scores["recall"],
                f1=scores["f1"],
                support=scores["support"],
                confused_with=names.get(labels[j], labels[j]) if j >= 0 else "",
                confused=n,
            )
        )
    return sorted(out, key=lambda r: (r.f1, r.label))


# A confusion matrix is drawn in full up to this many labels; above, only the labels with
# the most mistakes.
MATRIX_LABELS = 15


def matrix(classifier: Classifier) -> dict[str, Any]:
    """The confusion matrix to draw: its labels (the most confused ones when there are many)
    and its rows of counts, the diagonal marked."""
    figures = classifier.figures
    labels: list[str] = figures.get("labels", [])
    full: list[list[int]] = figures.get("confusion", [])
    if not labels or not full:
        return {"labels": [], "rows": [], "cut": False}
    keep = list(range(len(labels)))
    if len(labels) > MATRIX_LABELS:
        mistakes = [sum(full[i]) - full[i][i] + sum(r[i] for r in full) - full[i][i] for i in keep]
        keep = sorted(sorted(keep, key=lambda i: -mistakes[i])[:MATRIX_LABELS])
    names = label_names(classifier)
    return {
        "labels": [names.get(labels[i], labels[i]) for i in keep],
        "rows": [
            (names.get(labels[i], labels[i]), [(full[i][j], i == j) for j in keep]) for i in keep
        ],
        "cut": len(keep) < len(labels),
    }
