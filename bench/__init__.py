"""Benchmarks: each module has `run() -> dict` and prints figures measured in one run."""

import datetime
import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def record(name: str, figures: dict, *, baseline: str, ratio: float) -> dict:
    """Merge one benchmark's figures into bench/results.json and return its entry."""
    entry = {
        **figures,
        "baseline": baseline,
        "ratio": round(ratio, 2 if ratio < 10 else 1),
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = entry
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return entry
