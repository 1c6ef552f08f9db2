"""What the shared workflow property test needs from an app: a walk per machine.

Each app that registers a machine in its `workflow.py` has `tests/walks.py` with
`WALKS = {"app.Model": factory}`; `factory(request)` (the pytest request, for the root fixtures
`tree`, `people`, `make_user`) builds what the machine needs and returns a `Walk`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps


@dataclass
class Walk:
    # A new row in its first status.
    start: Callable[[], Any]
    # action name → take it as `actor` on the row (through the app's real service).
    steps: dict[str, Callable[[Any, Any], Any]]
    # name → user: the people who try the steps (some of whom may not take them).
    people: dict[str, Any]
    # Differences between the kept counters and a recount (empty when they agree).
    recount: Callable[[], list[str]] = field(default=lambda: [])


def factories() -> dict[str, Callable[[Any], Walk]]:
    """Every app's walks, by machine name."""
    found: dict[str, Callable[[Any], Walk]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("civicgrid."):
            continue
        if (Path(config.path) / "tests" / "walks.py").exists():
            found.update(import_module(f"{config.name}.tests.walks").WALKS)
    return found
