"""train_router and suggest_categories on a small labelled file."""

import csv

import pytest
from django.core.management import CommandError, call_command

from civicgrid.routing.models import Classifier, ClassifierStatus, ClassifierStep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are matched in English here (their Chinese is checked elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _train(path, *extra):
    from io import StringIO

    out = StringIO()
    call_command("train_router", "--name", "board", "--file", str(path), *extra, stdout=out)
    return out.getvalue()


def _suggest(given, out):
    call_command("suggest_categories", "--name", "board", "--input", str(given), "--output", out)


def test_train_router_stores_a_version_with_its_figures(labelled):
    said = _train(labelled)
    row = Classifier.objects.get(name="board")
    assert row.number == 1 and row.status == ClassifierStatus.ACTIVE
    assert row.rows == 36 and row.source == "labelled.csv" and row.target == "label"
    assert row.figures["method"] == "cross-validation" and row.figures["folds"] == 5
    assert 0 < row.figures["macro_f1"] <= 1 and row.train_seconds > 0
    assert row.data_bytes == len(bytes(row.data)) > 0
    assert "macro-F1" in said and "v1 is active" in said
    assert list(ClassifierStep.objects.filter(classifier=row).values_list("action", flat=True)) == [
        "train",
        "activate",
    ]


def test_a_second_training_is_the_next_version(labelled):
    _train(labelled)
    _train(labelled)
    assert list(Classifier.objects.filter(name="board").values_list("number", "status")) == [
        (2, ClassifierStatus.ACTIVE),
        (1, ClassifierStatus.RETIRED),
    ]


def test_a_worse_file_does_not_replace_the_active_version(labelled, tmp_path):
    _train(labelled)
    noisy = tmp_path / "noisy.csv"
    rows = list(csv.DictReader(labelled.open(encoding="utf-8")))
    labels = [r["label"] for r in rows]
    with noisy.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["label", "text"])
        writer.writeheader()
        for i, r in enumerate(rows):  # every label moved on by one: nothing to learn
            writer.writerow({"label": labels[(i * 7) % len(labels)], "text": r["text"]})
    said = _train(noisy)
    assert "v1" in said.splitlines()[-1]  # it names the version that stays active
    assert Classifier.objects.get(name="board", number=2).status == ClassifierStatus.REJECTED
    _train(noisy, "--force")
    assert Classifier.objects.get(name="board", number=3).status == ClassifierStatus.ACTIVE


def test_suggest_categories_labels_rows_in_order(labelled, tmp_path):
    _train(labelled)
    given = tmp_path / "in.csv"
    given.write_text(
        "id,text,label\n7,楼下路灯坏了,old\n3,,old\n9,井盖丢了很危险,\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    _suggest(given, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "text", "label", "confidence"]
    assert [r["id"] for r in rows] == ["7", "3", "9"]
    assert [r["label"] for r in rows] == ["路灯", "", "井盖"]
    assert 0 < float(rows[0]["confidence"]) <= 1 and rows[1]["confidence"] == "0.0000"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("label,words\n路灯,路灯坏了\n", "columns label and text"),
        ("label,text\n路灯,路灯坏了\n,井盖丢了\n井盖,\n", "row 3: The label is empty"),
        ("label,text\n", "no rows"),
        ("label,text\n路灯,路灯坏了\n路灯,路灯不亮\n", "two labels"),
    ],
)
def test_train_router_refuses_bad_files_clearly(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _train(path)
    assert not Classifier.objects.exists()


def test_train_router_refuses_a_missing_file_and_bad_names(tmp_path, labelled):
    with pytest.raises(CommandError, match="Cannot read"):
        _train(tmp_path / "nowhere.csv")
    with pytest.raises(CommandError, match="name"):
        call_command("train_router", "--name", "a b/c", "--file", str(labelled))
    with pytest.raises(CommandError, match="closed events"):
        call_command("train_router", "--name", "categories", "--file", str(labelled))


def test_suggest_categories_needs_a_known_model_and_a_text_column(tmp_path, labelled):
    given = tmp_path / "in.csv"
    given.write_text("id,body\n1,路灯坏了\n", encoding="utf-8")
    out = str(tmp_path / "out.csv")
    with pytest.raises(CommandError, match="No active model named 'board'"):
        _suggest(given, out)
    _train(labelled)
    with pytest.raises(CommandError, match="column named text"):
        _suggest(given, out)
