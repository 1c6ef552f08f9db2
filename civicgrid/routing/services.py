"""Training, activating and rolling back routing models. Every change of a version's status is
a step of routing/workflow.py, in one transaction with whatever else it changes (the active
version it replaces is retired in the same transaction)."""

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput
from civicgrid.routing import engine, learning, loaded
from civicgrid.routing.models import (
    FROM_EVENTS,
    Classifier,
    ClassifierAction,
    ClassifierStatus,
    Target,
)
from civicgrid.routing.workflow import CLASSIFIERS

S = ClassifierStatus
A = ClassifierAction

# A labelled file: at most this many rows and this many characters of one text.
MAX_FILE_ROWS = 200_000
MAX_TEXT_CHARS = 20_000
NAME_CHARS = 50


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_CHARS or not all(c.isalnum() or c in "-_." for c in name):
        raise InvalidInput(
            _("A model's name is 1 to 50 letters, digits, dashes, dots or underscores."),
            field="name",
        )
    return name


# ---- storing and switching versions -------------------------------------------------------------


def _store(
    *,
    name: str,
    target: str,
    trained: engine.Trained,
    source: str,
    seconds: float,
    corrections: int = 0,
    learned_through=None,
    comparison: dict | None = None,
    actor=None,
) -> Classifier:
    """Save a trained model as the name's next version, a candidate, with its first step."""
    data = trained.model.dumps()
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = Classifier.objects.filter(name=name).aggregate(n=Max("number"))["n"]
                row = Classifier.objects.create(
                    name=name,
                    target=target,
                    number=(last or 0) + 1,
                    labels=trained.model.labels,
                    rows=trained.evaluation.rows,
                    corrections=corrections,
                    source=source[:200],
                    trained_at=now,
                    train_seconds=round(seconds, 2),
                    learned_through=learned_through,
                    figures=trained.evaluation.as_dict(),
                    comparison=comparison or {},
                    data=data,
                    data_bytes=len(data),
                )
                CLASSIFIERS.start(
                    row,
                    A.TRAIN,
                    actor=actor,
                    now=now,
                    details={"rows": row.rows, "macro_f1": row.macro_f1, "source": row.source},
                )
                return row
        except IntegrityError:
            continue  # another training took the number meanwhile: take the next one
    raise Conflict(_("Another training of this model is saving; try again."))


def activate(classifier: Classifier, *, actor=None, note: str = "") -> Classifier:
    """Make `classifier` its name's active version: the active one is retired in the same
    transaction. From a candidate it is ACTIVATE; from a retired or unactivated version it is
    ROLL_BACK (district staff)."""
    action = A.ACTIVATE if classifier.status == S.CANDIDATE else A.ROLL_BACK
    if not CLASSIFIERS.may(actor, classifier, action):
        # Let the engine say why (the status or the role), in its words.
        return CLASSIFIERS.run(classifier.pk, action, actor=actor, note=note)
    with transaction.atomic():
        current = (
            Classifier.objects.filter(name=classifier.name, status=S.ACTIVE)
            .exclude(pk=classifier.pk)
            .values_list("pk", "number")
            .first()
        )
        if current is not None:
            CLASSIFIERS.run(
                current[0],
                A.RETIRE,
                actor=None,
                note=note,
                details={"replaced_by": classifier.number},
            )
        details = {"replaces": current[1]} if current else {}
        row = CLASSIFIERS.run(classifier.pk, action, actor=actor, note=note, details=details)
    loaded.forget(classifier.name)
    return row


def reject(classifier: Classifier, *, reason: str, details: dict | None = None) -> Classifier:
    """The candidate is kept but not used: it did not beat the active version."""
    return CLASSIFIERS.run(classifier.pk, A.REJECT, actor=None, note=reason, details=details)


def roll_back(*, actor, classifier: Classifier, note: str = "") -> Classifier:
    """District staff make an earlier version active again (the current one is retired)."""
    if classifier.status not in (S.RETIRED, S.REJECTED):
        raise Conflict(_("Only a retired or unactivated version can be rolled back to."))
    return activate(classifier, actor=actor, note=note)


# ---- a labelled file ----------------------------------------------------------------------------


@dataclass
class Labelled:
    texts: list[str]
    labels: list[str]


def read_labelled(handle: IO[str]) -> Labelled:
    """Rows of a `label,text` CSV (UTF-8, a header row). Every bad row is named in one error
    (a missing column, an empty label or text, a text too long): nothing is trained from a
    file with errors."""
    reader = csv.DictReader(handle)
    columns = set(reader.fieldnames or [])
    if not {"label", "text"} <= columns:
        raise InvalidInput(_("The file needs the columns label and text."), field="file")
    texts: list[str] = []
    labels: list[str] = []
    errors: list[dict[str, Any]] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_FILE_ROWS:
            raise InvalidInput(
                _("The file has more than %(n)s rows.") % {"n": MAX_FILE_ROWS}, field="file"
            )
        label, text = (row.get("label") or "").strip(), (row.get("text") or "").strip()
        if not label:
            errors.append({"row": number, "message": _("The label is empty.")})
        elif not text:
            errors.append({"row": number, "message": _("The text is empty.")})
        elif len(text) > MAX_TEXT_CHARS:
            errors.append(
                {"row": number, "message": _("The text is longer than 20,000 characters.")}
            )
        else:
            labels.append(label[:100])
            texts.append(text)
    if errors:
        raise InvalidInput(
            _("%(n)s rows of the file are wrong; nothing was trained.") % {"n": len(errors)},
            field="file",
            details={"rows": errors[:100]},
        )
    if not texts:
        raise InvalidInput(_("The file has no rows."), field="file")
    return Labelled(texts, labels)


def _train(texts, labels, weights=None) -> tuple[engine.Trained, float]:
    started = time.perf_counter()
    try:
        trained = engine.train(texts, labels, weights)
    except engine.TrainingError as exc:
        raise InvalidInput(_("Cannot train: %(why)s") % {"why": exc}, field="file") from exc
    return trained, time.perf_counter() - started


@dataclass
class Outcome:
    classifier: Classifier
    activated: bool
    why: str


def train_from_file(*, name: str, path: Path | str, actor=None, force: bool = False) -> Outcome:
    """Train the next version of `name` from a labelled CSV file. It becomes active when the
    name has no active version, or its cross-validated macro-F1 is at least the active
    one's; `force` activates it whatever its figures."""
    name = check_name(name)
    path = Path(path)
    if name in (settings.ROUTING_CATEGORY_MODEL, settings.ROUTING_DEPARTMENT_MODEL):
        raise InvalidInput(
            _("That name is the deployment's own model, which learns from closed events."),
            field="name",
        )
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            data = read_labelled(handle)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(_("Cannot read the file: %(why)s") % {"why": exc}, field="file") from exc
    trained, seconds = _train(data.texts, data.labels)
    row = _store(
        name=name,
        target=Target.LABEL,
        trained=trained,
        source=path.name,
        seconds=seconds,
        actor=actor,
    )
    active = Classifier.objects.filter(name=name, status=S.ACTIVE).defer("data").first()
    if active is None or force or (row.macro_f1 or 0) >= (active.macro_f1 or 0):
        activate(row, actor=None, note=_("Trained from %(file)s.") % {"file": path.name})
        row.refresh_from_db()
        return Outcome(row, True, "")
    why = _(
        "Macro-F1 %(new).3f is below the active version's %(old).3f; v%(number)s stays active."
    ) % {"new": row.macro_f1 or 0, "old": active.macro_f1 or 0, "number": active.number}
    return Outcome(reject(row, reason=why), False, why)


# ---- the deployment's own models ----------------------------------------------------------------


def model_name(target: str) -> str:
    return (
        settings.ROUTING_CATEGORY_MODEL
        if target == Target.CATEGORY
        else settings.ROUTING_DEPARTMENT_MODEL
    )


def train_deployment(target: str, *, force: bool = False, actor=None) -> Outcome | None:
    """Train the next version of the deployment's category or department model from its
    closed events, when `settings.ROUTING_RETRAIN_MIN_NEW` events have closed since the active
    version learned (or `force`). The newest `settings.ROUTING_HOLDOUT_SHARE` of the events
    are held out: the candidate learns from the others and is activated only if its macro-F1
    on the held-out events beats the active version's on the same events. Answers None when
    there is nothing to do (too few new events, or too few events at all)."""
    name = model_name(target)
    active = Classifier.objects.filter(name=name, status=S.ACTIVE).defer("data").first()
    previous = loaded.model_of(active) if active is not None else None
    # An active version saved by an older format answers nothing: it is due at once.
    if not force and previous is not None and active is not None:
        new = learning.closed_since(target, active.learned_through)
        if new < settings.ROUTING_RETRAIN_MIN_NEW:
            return None
    found = learning.rows(target).learnable(least=2)
    if len(found) < settings.ROUTING_MIN_EVENTS or len(set(found.labels)) < 2:
        return None
    held = max(1, int(len(found) * settings.ROUTING_HOLDOUT_SHARE))
    learn, test = found.part(0, len(found) - held), found.part(len(found) - held)
    learn = learn.learnable(least=2)
    if len(set(learn.labels)) < 2:
        return None
    trained, seconds = _train(learn.texts, learn.labels, learn.weights)
    this = engine.evaluate(trained.model, test.texts, test.labels)
    comparison: dict[str, Any] = {
        "events": len(test),
        "since": test.closed_at[0].isoformat(),
        "this": round(this.macro_f1, 4),
        "this_accuracy": round(this.accuracy, 4),
    }
    if active is not None and previous is not None:
        before = engine.evaluate(previous, test.texts, test.labels)
        comparison |= {
            "active": round(before.macro_f1, 4),
            "active_accuracy": round(before.accuracy, 4),
            "active_number": active.number,
        }
    row = _store(
        name=name,
        target=target,
        trained=trained,
        source=FROM_EVENTS,
        seconds=seconds,
        corrections=learn.corrections,
        learned_through=found.closed_at[-1],
        comparison=comparison,
        actor=actor,
    )
    if "active" in comparison and comparison["this"] <= comparison["active"]:
        why = _(
            "On the %(n)s most recent events it scores macro-F1 %(new).3f, the active "
            "version %(old).3f: v%(number)s stays active."
        ) % {
            "n": len(test),
            "new": comparison["this"],
            "old": comparison["active"],
            "number": active.number if active else 0,
        }
        return Outcome(reject(row, reason=why, details=comparison), False, why)
    activate(row, actor=None, note=_("Learned from the deployment's closed events."))
    row.refresh_from_db()
    return Outcome(row, True, "")


def train_due(force: bool = False) -> list[Outcome]:
    """The periodic task's work: each of the deployment's models that is due."""
    done = []
    for target in (Target.CATEGORY, Target.DEPARTMENT):
        outcome = train_deployment(target, force=force)
        if outcome is not None:
            done.append(outcome)
    return done


def labels_csv(rows: list[dict[str, str]]) -> str:
    """Rows as CSV text (used by the batch command's output)."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()
