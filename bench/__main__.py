"""`python -m bench [name …]`: run the named benchmarks (all by default)."""

import importlib
import json
import sys

BENCHMARKS = [
    "grid_lookup",
    "four_rates",
    "intake",
    "person_lookup",
    "class_figures",
    "ledger_import",
    "history_import",
    "cluster",
    "cockpit",
    "routing",
    "duplicates",
]


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}"
        )
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        entry = importlib.import_module(f"bench.{name}").run()
        print(json.dumps(entry, indent=2, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
