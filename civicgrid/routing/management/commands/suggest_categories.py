"""`manage.py suggest_categories --name NAME --input IN.csv --output OUT.csv`: label every row of
a CSV with a `text` column by the active version of model NAME. The output has the input's
columns (a `label` or `confidence` column of the input is replaced), then `label` and
`confidence`, in the input's order; a row with an empty text gets an empty label."""

import csv

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.routing import loaded

BATCH = 2000


class Command(BaseCommand):
    help = "Label each row of a CSV (a text column) with a trained routing model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the model's name")
        parser.add_argument("--input", required=True, help="a UTF-8 CSV with a text column")
        parser.add_argument("--output", required=True, help="where to write the labelled CSV")

    def handle(self, *args, name, input, output, **options):
        found = loaded.active(name)
        if found is None:
            raise CommandError(f"No active model named {name!r}; train one with train_router.")
        row, model = found
        try:
            with open(input, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                columns = list(reader.fieldnames or [])
                if "text" not in columns:
                    raise CommandError("The input needs a column named text.")
                rows = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {input}: {exc}") from exc
        columns = [c for c in columns if c not in ("label", "confidence")]
        with open(output, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*columns, "label", "confidence"])
            writer.writeheader()
            for start in range(0, len(rows), BATCH):
                part = rows[start : start + BATCH]
                texts = [(r.get("text") or "").strip() for r in part]
                said = [t for t in texts if t]
                found = iter(model.predict(said) if said else [])
                for values, text in zip(part, texts, strict=True):
                    # A row without text gets no label rather than a guess.
                    label, confidence = next(found) if text else ("", 0.0)
                    out = {c: values.get(c, "") for c in columns}
                    writer.writerow(out | {"label": label, "confidence": f"{confidence:.4f}"})
        self.stdout.write(f"{len(rows)} rows labelled by {row} into {output}.")
