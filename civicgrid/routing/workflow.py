"""A routing model's versions: trained as a candidate, then activated (it beat the active one,
or there was none), or not (it did not); the active one is retired when another replaces it, and
district staff may roll back to a retired or unactivated version. Run by `core.workflow`."""

from collections.abc import Mapping
from typing import Any

from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.routing.models import (
    Classifier,
    ClassifierAction,
    ClassifierStatus,
    ClassifierStep,
)
from civicgrid.routing.roles import may_manage

S = ClassifierStatus
A = ClassifierAction


def is_system_or_manager(actor: Any, row: Classifier, extra: Mapping[str, Any]) -> bool:
    return actor is None or may_manage(actor)


def is_manager(actor: Any, row: Classifier, extra: Mapping[str, Any]) -> bool:
    return may_manage(actor)


TRANSITIONS = {
    A.ACTIVATE: step([S.CANDIDATE], S.ACTIVE, is_system_or_manager),
    A.REJECT: step([S.CANDIDATE], S.REJECTED, system),
    A.RETIRE: step([S.ACTIVE], S.RETIRED, system),
    A.ROLL_BACK: step([S.RETIRED, S.REJECTED], S.ACTIVE, is_manager),
}

CLASSIFIERS: Machine[Classifier] = register(
    Machine(
        model=Classifier,
        log=ClassifierStep,
        subject="classifier",
        transitions=TRANSITIONS,
        statuses=ClassifierStatus,
        actions=ClassifierAction,
        creations=(A.TRAIN,),
    )
)
