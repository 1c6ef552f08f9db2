"""The classifier on a small labelled set written for these tests."""

import numpy as np
import pytest

from civicgrid.routing import engine
from civicgrid.routing.tests.conftest import SAID


def _rows():
    texts = [t for texts in SAID.values() for t in texts]
    labels = [label for label, texts in SAID.items() for _t in texts]
    return texts, labels


def test_words_are_cleaned_like_the_message_sets():
    said = engine.words("我家楼下的路灯，坏了3天！A市")
    assert "的" not in said and "我" not in said
    assert "路灯" in said
    assert not any(w in ("，", "！", "3") for w in said)


def test_subject_is_the_first_sentence():
    assert engine.subject("路灯不亮 晚上很黑，请修") == "路灯不亮"
    assert engine.subject("路灯不亮。晚上很黑") == "路灯不亮"


def test_trains_predicts_and_measures_itself():
    texts, labels = _rows()
    trained = engine.train(texts, labels)
    model, figures = trained.model, trained.evaluation
    assert model.labels == sorted(SAID)
    assert figures.method == "cross-validation" and figures.folds == 5
    assert figures.rows == len(texts)
    # Texts it never saw, one of each kind.
    found = model.predict(["垃圾堆在楼道口没人清理", "小区里路灯坏了", "井盖被撞碎了"])
    assert [label for label, _c in found] == ["垃圾", "路灯", "井盖"]
    assert figures.macro_f1 > 0.8
    assert sum(sum(row) for row in figures.confusion) == len(texts)
    assert set(figures.per_label) == set(SAID)


def test_confidences_are_probabilities_best_first():
    texts, labels = _rows()
    model = engine.train(texts, labels).model
    top = model.top("路灯不亮", k=3)
    assert top[0][0] == "路灯"
    confidences = [c for _l, c in top]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1) < 1e-6  # three labels: the whole distribution
    assert model.temperature > 0


def test_a_saved_model_answers_the_same_and_holds_no_pickle():
    texts, labels = _rows()
    model = engine.train(texts, labels).model
    data = model.dumps()
    again = engine.TextModel.loads(data)
    probe = ["井盖丢了", "垃圾没人管"]
    assert np.allclose(model.probabilities(probe), again.probabilities(probe), atol=1e-5)
    with np.load(__import__("io").BytesIO(data), allow_pickle=False) as z:
        assert all(z[key].dtype != object for key in z.files)


def test_a_model_of_another_format_is_refused(monkeypatch):
    texts, labels = _rows()
    data = engine.train(texts, labels).model.dumps()
    monkeypatch.setattr(engine, "FORMAT", engine.FORMAT + 1)
    with pytest.raises(engine.TrainingError):
        engine.TextModel.loads(data)


@pytest.mark.parametrize("heavier", ["路灯", "井盖"])
def test_weights_move_the_boundary(heavier):
    """The same ambiguous text, labelled both ways as often: the heavier rows decide."""
    texts, labels = _rows()
    tie = ["路灯", "井盖"] * 4
    weights = [1.0] * len(texts) + [3.0 if label == heavier else 1.0 for label in tie]
    model = engine.train(texts + ["路灯下的井盖"] * 8, labels + tie, weights).model
    assert model.predict(["路灯下的井盖"])[0][0] == heavier


def test_too_few_rows_say_why():
    with pytest.raises(engine.TrainingError, match="two labels"):
        engine.train(["路灯坏了", "路灯不亮"], ["路灯", "路灯"])
    with pytest.raises(engine.TrainingError, match="two rows"):
        engine.train(["路灯坏了", "路灯不亮", "井盖丢了"], ["路灯", "路灯", "井盖"])
    with pytest.raises(engine.TrainingError, match="one label per text"):
        engine.train(["路灯坏了"], ["路灯", "井盖"])


def test_held_out_figures_count_unknown_labels_as_wrong():
    texts, labels = _rows()
    model = engine.train(texts, labels).model
    figures = engine.evaluate(model, ["路灯坏了", "消防通道堵了"], ["路灯", "消防"])
    assert figures.method == "held-out"
    assert "消防" in figures.labels
    assert figures.per_label["消防"]["recall"] == 0
    assert figures.accuracy == 0.5


def test_temperature_makes_confidences_honest():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 400)
    scores = rng.normal(0, 1, (400, 3))
    scores[np.arange(400), truth] += 1.0
    t = engine.fit_temperature(scores, truth)
    p = engine._softmax(scores, t)
    # Mean confidence of the chosen label within a few points of the accuracy.
    chosen = p.argmax(1)
    assert abs(p.max(1).mean() - (chosen == truth).mean()) < 0.05


def test_one_text_scores_as_the_batch_does():
    """The report page's fast path gives the vectorizers' scores exactly."""
    texts, labels = _rows()
    model = engine.train(texts, labels).model
    probe = ["路灯不亮 A3区 ABC", "井盖丢了！！", "", "。。。", "完全无关的一句话"]
    batch = model.scores(probe)
    for i, text in enumerate(probe):
        assert np.allclose(model.score_one(text), batch[i], atol=1e-5)
