"""The routing model's versions for the shared workflow property test
(civicgrid/tests/test_workflows.py): activation, rejection, retirement by another version's
activation and roll-back, tried by district staff, street staff, a login with no posting and
the system; a name never has two active versions."""

from functools import cache

from civicgrid.org.roles import Role
from civicgrid.routing import engine, services
from civicgrid.routing.models import Classifier, ClassifierStatus, Target
from civicgrid.routing.tests.conftest import SAID
from civicgrid.tests.walking import Walk


@cache
def _trained() -> engine.Trained:
    texts = [t for texts in SAID.values() for t in texts]
    labels = [label for label, texts in SAID.items() for _t in texts]
    return engine.train(texts, labels)


def walk_classifiers(request) -> Walk:
    tree, make_user = request.getfixturevalue("tree"), request.getfixturevalue("make_user")
    people = {
        "dina": make_user("dina", unit=tree.district, role=Role.DISTRICT_STAFF),
        "sam": make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF),
        "mallory": make_user("mallory"),
        "system": None,
    }

    def start() -> Classifier:
        return services._store(
            name="walk", target=Target.LABEL, trained=_trained(), source="walk", seconds=0.1
        )

    def replace(actor, row) -> None:
        """Another version is activated: the active one (perhaps this one) retires."""
        services.activate(start(), actor=actor)

    def one_active() -> list[str]:
        n = Classifier.objects.filter(name="walk", status=ClassifierStatus.ACTIVE).count()
        return [] if n <= 1 else [f"{n} active versions of one name"]

    return Walk(
        start=start,
        steps={
            "activate": lambda actor, row: services.activate(row, actor=actor),
            "reject": lambda actor, row: services.reject(row, reason="walk"),
            "replace": replace,
            "roll_back": lambda actor, row: services.roll_back(actor=actor, classifier=row),
        },
        people=people,
        recount=one_active,
    )


WALKS = {"routing.Classifier": walk_classifiers}
