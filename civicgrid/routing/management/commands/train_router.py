"""`manage.py train_router --name NAME --file FILE.csv`: train the next version of a model from
a labelled CSV (columns label,text), print its cross-validated figures, and activate it unless
the active version scores better (`--force` activates it anyway). `--deployment` trains the
deployment's own category and department models from the closed events instead."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import CivicgridError
from civicgrid.routing import services
from civicgrid.routing.models import Classifier


class Command(BaseCommand):
    help = "Train a routing model from a labelled CSV file (label,text) or the closed events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", help="the model's name (letters, digits, - _ .)")
        parser.add_argument("--file", help="a UTF-8 CSV file with the columns label and text")
        parser.add_argument(
            "--force", action="store_true", help="activate the new version whatever its figures"
        )
        parser.add_argument(
            "--deployment",
            action="store_true",
            help="train the deployment's category and department models from closed events",
        )

    def handle(self, *args, name=None, file=None, force=False, deployment=False, **options):
        if deployment:
            done = services.train_due(force=True)
            if not done:
                raise CommandError("Too few closed events to train from.")
            for outcome in done:
                self._report(outcome.classifier, outcome.activated, outcome.why)
            return
        if not name or not file:
            raise CommandError("Give --name and --file (or --deployment).")
        try:
            outcome = services.train_from_file(name=name, path=file, force=force)
        except CivicgridError as exc:
            rows = (exc.details or {}).get("rows", []) if isinstance(exc.details, dict) else []
            lines = [exc.message] + [f"  row {r['row']}: {r['message']}" for r in rows]
            raise CommandError("\n".join(lines)) from exc
        self._report(outcome.classifier, outcome.activated, outcome.why)

    def _report(self, row: Classifier, activated: bool, why: str) -> None:
        f = row.figures
        self.stdout.write(
            f"{row} ({row.get_target_display()}): {row.rows} rows, {len(row.labels)} labels, "
            f"trained in {row.train_seconds:.1f} s"
        )
        self.stdout.write(
            f"  {f.get('folds')}-fold {f.get('method')}: macro-F1 {f.get('macro_f1'):.4f}, "
            f"accuracy {f.get('accuracy'):.4f}"
        )
        for label, scores in f.get("per_label", {}).items():
            self.stdout.write(
                f"  {label}: F1 {scores['f1']:.3f} (precision {scores['precision']:.3f}, "
                f"recall {scores['recall']:.3f}, {scores['support']} rows)"
            )
        if row.comparison.get("events"):
            c = row.comparison
            self.stdout.write(
                f"  on the {c['events']} most recent events: macro-F1 {c['this']:.4f}"
                + (f" (active v{c['active_number']}: {c['active']:.4f})" if "active" in c else "")
            )
        self.stdout.write(
            self.style.SUCCESS(f"  v{row.number} is active.") if activated else f"  {why}"
        )
