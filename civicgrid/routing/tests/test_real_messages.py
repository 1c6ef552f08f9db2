"""The classifier on a sample of the real citizens' messages (../shared/data, never copied into
the repository; skipped where the file is absent). The full measurement is `make bench`
(bench/routing.py); this checks that the pipeline reads such messages as the bench does."""

import csv
import random

import pytest
from django.conf import settings

from civicgrid.routing import engine

PER_LABEL = 80


@pytest.fixture(scope="module")
def sample():
    path = settings.ROUTING_MESSAGES
    if not path.exists():
        pytest.skip(f"{path} is absent: the real messages are not in the repository")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(0).shuffle(rows)
    taken: dict[str, list[str]] = {}
    for row in rows:
        bucket = taken.setdefault(row["label"], [])
        if len(bucket) < PER_LABEL:
            bucket.append(row["text"])
    return taken


def test_a_sample_of_real_messages_is_learned(sample):
    texts = [t for texts in sample.values() for t in texts]
    labels = [label for label, texts in sample.items() for _t in texts]
    trained = engine.train(texts, labels)
    assert len(trained.model.labels) == 7
    # 80 messages a label is a small sample: the full set scores far higher (make bench).
    assert trained.evaluation.macro_f1 > 0.75
    # A raw message, as a resident writes it (not segmented), is read the same way.
    label, confidence = trained.model.predict(
        ["我孩子所在的学校违规收取补课费，老师强制学生参加课外辅导班，请教育局管一管。"]
    )[0]
    assert label == "教育文体" and 0 < confidence <= 1
