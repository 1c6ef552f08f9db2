"""The active models, loaded once per process.

Which version is active is asked of the database at most every `FRESH_SECONDS` (one indexed
query), so a version activated or rolled back in another process is used within seconds, and
at once in this one; the model's arrays are read and unpacked only when that version
changes. A board of twenty reports asks once."""

import threading
import time

from civicgrid.routing import engine
from civicgrid.routing.models import Classifier, ClassifierStatus

FRESH_SECONDS = 10.0

_models: dict[str, tuple[int, engine.TextModel]] = {}
# name → (when asked, the active row or None)
_active: dict[str, tuple[float, Classifier | None]] = {}
_lock = threading.Lock()


def _active_row(name: str) -> Classifier | None:
    asked = _active.get(name)
    if asked is not None and time.monotonic() - asked[0] < FRESH_SECONDS:
        return asked[1]
    row = (
        Classifier.objects.filter(name=name, status=ClassifierStatus.ACTIVE)
        .only("pk", "name", "number", "target", "labels")
        .first()
    )
    _active[name] = (time.monotonic(), row)
    return row


def model_of(classifier: Classifier) -> engine.TextModel | None:
    """The unpacked model of a version (None for one saved by another format version)."""
    cached = _models.get(classifier.name)
    if cached is not None and cached[0] == classifier.pk:
        return cached[1]
    data = Classifier.objects.values_list("data", flat=True).get(pk=classifier.pk)
    try:
        return engine.TextModel.loads(bytes(data))
    except engine.TrainingError:
        return None


def active(name: str) -> tuple[Classifier, engine.TextModel] | None:
    """The active version of `name` (without its data) and its model, or None."""
    row = _active_row(name)
    if row is None:
        return None
    cached = _models.get(name)
    if cached is not None and cached[0] == row.pk:
        return row, cached[1]
    with _lock:
        cached = _models.get(name)
        if cached is None or cached[0] != row.pk:
            model = model_of(row)
            if model is None:
                return None
            cached = _models[name] = (row.pk, model)
    return row, cached[1]


def forget(name: str) -> None:
    """After an activation here: ask again at the next use."""
    _active.pop(name, None)


def forget_all() -> None:
    _active.clear()
    _models.clear()
