"""The active models, loaded once per process.

Which version is active is asked of the database on every use (one indexed query), so a
version activated or rolled back by another process is used at once; the model's arrays are
read and unpacked only when that version changes."""

import threading

from civicgrid.routing import engine
from civicgrid.routing.models import Classifier, ClassifierStatus

_models: dict[str, tuple[int, engine.TextModel]] = {}
_lock = threading.Lock()


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
    row = (
        Classifier.objects.filter(name=name, status=ClassifierStatus.ACTIVE)
        .only("pk", "name", "number", "target", "labels")
        .first()
    )
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
    _models.pop(name, None)
