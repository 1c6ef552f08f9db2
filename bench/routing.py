"""Routing (issue 20): the classifier on 6,025 real citizens' messages (../shared/data/
messages-train.csv, read where it lies and never copied), by 5-fold stratified
cross-validation, beside the baseline (TF-IDF character 1–3-grams + LinearSVC) on the same
folds, in one run.

- macro_f1, accuracy: cross-validated, as `manage.py train_router` measures and stores them;
- train_s: the whole of what train_router does (five folds, the temperature, the final fit);
- p95_ms: one message at a time through the trained model (words, features, scores,
  confidences), on one core (BLAS threads limited to one), over 1,000 messages;
- the baseline's figures under baseline_*; ratio: our macro-F1 over the baseline's.

Writes bench/results.json "routing": {macro_f1, accuracy, p95_ms, train_s, rows, …}. Skips
with a message when the file is absent.
"""

import csv
import os
import random
import statistics
import time

FOLDS = 5
SAMPLES = 1000


def _baseline(texts: list[str], labels: list[str]) -> tuple[float, float, float]:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    started = time.perf_counter()
    x, y = np.array(texts, dtype=object), np.array(labels)
    predicted = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(x, y):
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        model = LinearSVC().fit(vectorizer.fit_transform(x[train]), y[train])
        predicted[test] = model.predict(vectorizer.transform(x[test]))
    return (
        float(f1_score(y, predicted, average="macro")),
        float(accuracy_score(y, predicted)),
        time.perf_counter() - started,
    )


def run() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.conf import settings
    from threadpoolctl import threadpool_limits

    from bench import record
    from civicgrid.routing import engine

    path = settings.ROUTING_MESSAGES
    if not path.exists():
        print(f"skipped: {path} is absent (the real messages are not in the repository)")
        return {"skipped": str(path)}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    print(f"{len(rows)} messages, {len(set(labels))} labels", flush=True)

    with threadpool_limits(1):
        base_f1, base_accuracy, base_s = _baseline(texts, labels)
        print(f"baseline: macro-F1 {base_f1:.4f}, accuracy {base_accuracy:.4f}", flush=True)
        started = time.perf_counter()
        trained = engine.train(texts, labels, folds=FOLDS)
        train_s = time.perf_counter() - started
        figures = trained.evaluation
        print(f"ours: macro-F1 {figures.macro_f1:.4f}, accuracy {figures.accuracy:.4f}")
        model = engine.TextModel.loads(trained.model.dumps())
        sample = random.Random(0).sample(texts, min(SAMPLES, len(texts)))
        model.top(sample[0])  # the first call loads jieba's dictionary
        times = []
        for text in sample:
            t = time.perf_counter()
            model.top(text, k=3)
            times.append((time.perf_counter() - t) * 1000)
    return record(
        "routing",
        {
            "rows": len(rows),
            "labels": len(set(labels)),
            "folds": FOLDS,
            "macro_f1": round(figures.macro_f1, 4),
            "accuracy": round(figures.accuracy, 4),
            "per_label_f1": {k: v["f1"] for k, v in figures.per_label.items()},
            "p95_ms": round(statistics.quantiles(times, n=20)[18], 2),
            "median_ms": round(statistics.median(times), 2),
            "train_s": round(train_s, 1),
            "model_bytes": len(trained.model.dumps()),
            "temperature": round(trained.model.temperature, 3),
            "baseline_macro_f1": round(base_f1, 4),
            "baseline_accuracy": round(base_accuracy, 4),
            "baseline_s": round(base_s, 1),
        },
        baseline="TF-IDF char 1-3-grams + LinearSVC, same folds",
        ratio=figures.macro_f1 / base_f1,
    )
