"""Write docs/workflows.md: every registered state machine as a table and a diagram."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from civicgrid.core import workflow

HEAD = """# Workflows

Every state machine of civicgrid runs on the one engine in `civicgrid/core/workflow.py`: each
step locks the row, checks the version, the table and the actor's role, applies the change,
appends a row to the machine's step log and updates its counters in one transaction. This page
is written from the registry by `python manage.py workflow_diagrams`; a test fails when it is
out of date.
"""


def render() -> str:
    parts = [HEAD]
    with translation.override("en"):
        for machine in workflow.machines():
            meta = machine.model._meta
            parts.append(f"\n## {str(meta.verbose_name).capitalize()} (`{machine.name}`)\n")
            parts.append(
                f"\nDefined in `{machine.model.__module__.rsplit('.', 1)[0]}.workflow`; "
                f"steps logged in `{machine.log._meta.label}`.\n"
            )
            parts.append("\n| step | from | to | who |\n|---|---|---|---|\n")
            for action, transition in machine.transitions.items():
                sources = ", ".join(sorted(transition.sources))
                if transition.restores:
                    target = "one of " + ", ".join(sorted(transition.restores))
                else:
                    target = transition.target or "(unchanged)"
                who = transition.who.__name__
                parts.append(f"| {action} | {sources} | {target} | `{who}` |\n")
            parts.append(f"\n```mermaid\n{machine.diagram()}\n```\n")
    return "".join(parts)


class Command(BaseCommand):
    help = "Write docs/workflows.md from the workflow registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "workflows.md"))

    def handle(self, *args: Any, **options: Any) -> None:
        Path(options["out"]).write_text(render(), encoding="utf-8")
        self.stdout.write(f"wrote {options['out']}")
