"""The text classifier behind routing (智能分拨): any label set, on CPU, offline.

A report's text is cut into words (jieba's own dictionary, shipped in its wheel) and cleaned
the way the 12345 message sets are: punctuation, stop words, digits and stray letters go. Four
views of it are weighed by TF-IDF (sublinear term frequency): the characters of the cleaned
text, 1 to 3 long; its words, alone and in pairs; the characters of the subject line (a
message's first sentence, where people say what it is about); and the characters of the text
as written (its digits, letters and punctuation, which the cleaning drops). A one-vs-rest
linear support-vector machine (classes weighed by their size, so rare ones count) and an NB-SVM
beside it (the same on features scaled by how much likelier they are in a label than outside
it) score the labels together, summed into one linear model. The scores become confidences
through a softmax whose temperature is fitted on the cross-validated scores, so "80 %" is
right about four times in five.

A trained model is plain arrays (the four vocabularies, their IDF weights, the coefficients,
the temperature) saved as an `.npz` without pickles: loading one runs no code, and a model
outlives the scikit-learn version that trained it. Prediction needs no scikit-learn estimator,
only its vectorizers rebuilt from those arrays.

Figures (`Evaluation`): macro-F1, accuracy, per-label precision/recall/F1 and the confusion
matrix, by stratified k-fold cross-validation (`cross_validate`) or on held-out rows
(`evaluate`). The benchmark (`bench/routing.py`) measures the same functions.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

# Bump when the features or the file layout change: a stored model of another format version
# is refused (retrain it) rather than read wrongly.
FORMAT = 2
VIEWS = 4
# A text longer than this is cut before anything else: the subject and the first paragraphs
# say what a report is about, and prediction time stays bounded. Measured on the 12345
# messages (make bench): at 500, macro-F1 0.9281 and p95 4.4 ms; at 1,000, 0.9291 and 7.6 ms;
# at 3,000, 0.9288 and 8.4 ms.
MAX_CHARS = 500
SUBJECT_CHARS = 40
# Words the message sets had removed (的, 有 …) and other words that say nothing about the
# topic: removing them from every text makes raw reports look like the segmented training rows.
_STOP_WORDS = """
的 了 有 是 在 和 与 及 对 就 也 都 而 等 被 把 这 那 我 你 他 她 它 们 我们 你们 他们 之
其 或 但 并 又 很 还 再 已 已经 将 会 能 要 让 给 从 向 到 于 为 以 因 因为 所以 如果 可以
一个 一些 没有 什么 怎么 这个 那个 这些 那些 这样 那样 请 您好 你好 谢谢 尊敬 领导 个 着
过 吗 呢 吧 啊
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_PUNCTUATION = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s\s+")
# The subject line ends at the first space (12345 exports join subject and details with one)
# or at the first full stop, question or exclamation mark.
_SUBJECT_END = re.compile(r"[\s。！？!?]")
C = 1.0
NB_C = 0.3
# liblinear's passes: many small, weighted classes (a deployment's sub-categories) need more
# than its default 1,000 to converge.
MAX_ITER = 5000
MIN_DF = 2


class TrainingError(ValueError):
    """The rows cannot train a model (too few, one label only); the message says why."""


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """The text's words, cleaned: no punctuation, no stop words, no digits or letters alone."""
    out = []
    for word in _jieba().lcut(text[:MAX_CHARS]):
        word = _PUNCTUATION.sub("", word)
        if not word or word in STOP_WORDS or (word.isascii() and len(word) == 1):
            continue
        out.append(word)
    return out


def subject(text: str) -> str:
    text = text.strip()
    end = _SUBJECT_END.search(text, 0, SUBJECT_CHARS + 1)
    return text[: end.start()] if end and end.start() > 0 else text[:25]


@dataclass(frozen=True)
class Views:
    """The four texts the features are read from."""

    chars: list[str]
    words: list[str]
    subjects: list[str]
    raw: list[str]

    @classmethod
    def of(cls, texts: Sequence[str]) -> Views:
        cut = [words(t) for t in texts]
        return cls(
            chars=["".join(w) for w in cut],
            words=[" ".join(w) for w in cut],
            subjects=["".join(words(subject(t))) for t in texts],
            raw=[t[:MAX_CHARS] for t in texts],
        )

    def take(self, index: Sequence[int]) -> Views:
        return Views(*([column[i] for i in index] for column in self.columns()))

    def columns(self) -> tuple[list[str], list[str], list[str], list[str]]:
        return self.chars, self.words, self.subjects, self.raw


def _split(text: str) -> list[str]:
    return text.split()


def _char_grams(text: str) -> list[str]:
    """The character 1–3-grams of a cleaned text, as the vectorizers cut them."""
    return [text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]


def _word_grams(cut: list[str]) -> list[str]:
    """The words and word pairs, as the vectorizers cut them."""
    return cut + [f"{a} {b}" for a, b in pairwise(cut)]


def _vectorizers(vocabularies: Sequence[dict[str, int]] | None = None) -> list[TfidfVectorizer]:
    """Characters 1–3, words 1–2, subject characters 1–3, characters 1–3 of the text as
    written; with `vocabularies`, fixed ones."""
    vocab: list[dict[str, int] | None] = (
        list(vocabularies) if vocabularies is not None else [None] * VIEWS
    )
    common: dict[str, Any] = {"sublinear_tf": True, "dtype": np.float32}
    fit: dict[str, Any] = {} if vocabularies is not None else {"min_df": MIN_DF}
    return [
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), vocabulary=vocab[0], **common, **fit),
        TfidfVectorizer(
            tokenizer=_split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            vocabulary=vocab[1],
            **common,
            **fit,
        ),
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), vocabulary=vocab[2], **common, **fit),
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), vocabulary=vocab[3], **common, **fit),
    ]


def _features(vectorizers: Sequence[TfidfVectorizer], views: Views, fit: bool) -> sparse.csr_matrix:
    parts = [
        (v.fit_transform(column) if fit else v.transform(column))
        for v, column in zip(vectorizers, views.columns(), strict=True)
    ]
    return sparse.hstack(parts, format="csr")


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that makes the scores' confidences honest: the one with the
    least negative log-likelihood of the true labels (a golden-section search in log space)."""
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        p = _softmax(scores, math.exp(log_t))[rows, truth]
        return float(-np.log(np.clip(p, 1e-12, None)).mean())

    lo, hi = math.log(0.01), math.log(10.0)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    return math.exp((lo + hi) / 2)


@dataclass
class TextModel:
    """A trained classifier: labels, the three vocabularies with their IDF weights, the
    coefficients and intercepts of the labels, and the confidences' temperature."""

    labels: list[str]
    vocabularies: list[list[str]]
    idfs: list[np.ndarray]
    coef: np.ndarray  # labels × features, float32
    intercept: np.ndarray
    temperature: float = 1.0
    _vectorizers: list[TfidfVectorizer] | None = field(default=None, repr=False, compare=False)
    _columns: list[tuple[int, dict[str, int]]] | None = field(
        default=None, repr=False, compare=False
    )

    def vectorizers(self) -> list[TfidfVectorizer]:
        if self._vectorizers is None:
            built = _vectorizers([{t: i for i, t in enumerate(v)} for v in self.vocabularies])
            for vectorizer, idf in zip(built, self.idfs, strict=True):
                vectorizer.idf_ = idf
            self._vectorizers = built
        return self._vectorizers

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        x = _features(self.vectorizers(), Views.of(texts), fit=False)
        return np.asarray(x @ self.coef.T) + self.intercept

    def columns(self) -> list[tuple[int, dict[str, int]]]:
        """Each view's first column among all the features, and its term → column."""
        if self._columns is None:
            offset, built = 0, []
            for vocabulary in self.vocabularies:
                built.append((offset, {term: offset + i for i, term in enumerate(vocabulary)}))
                offset += len(vocabulary)
            self._columns = built
        return self._columns

    def score_one(self, text: str) -> np.ndarray:
        """`scores` of one text without building sparse matrices: the same features (the
        vectorizers' n-grams, sublinear TF-IDF, each view normalised), looked up directly —
        what a report page asks for, several times faster."""
        cut = words(text)
        views = (
            _char_grams("".join(cut).lower()),
            _word_grams(cut),
            _char_grams("".join(words(subject(text))).lower()),
            # As the vectorizer reads a text: lower case, runs of white space made one space.
            _char_grams(_SPACES.sub(" ", text[:MAX_CHARS].lower())),
        )
        found: list[int] = []
        values: list[np.ndarray] = []
        for grams, (start, columns), idf in zip(views, self.columns(), self.idfs, strict=True):
            counts: dict[int, int] = {}
            for gram in grams:
                column = columns.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weight = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[
                index - start
            ]
            found.extend(index.tolist())
            values.append(weight / np.linalg.norm(weight))
        if not found:
            return self.intercept.copy()
        return self.coef[:, found] @ np.concatenate(values) + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.scores(texts), self.temperature)

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The `k` likeliest labels of one text with their confidences, best first."""
        p = _softmax(self.score_one(text)[None, :], self.temperature)[0]
        best = np.argsort(-p)[:k]
        return [(self.labels[i], float(p[i])) for i in best]

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The likeliest label of each text with its confidence, in the texts' order."""
        p = self.probabilities(texts)
        best = p.argmax(axis=1)
        return [(self.labels[i], float(p[n, i])) for n, i in enumerate(best)]

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        arrays: dict[str, np.ndarray] = {
            "format": np.array([FORMAT]),
            "labels": np.array(self.labels, dtype=str),
            "coef": self.coef.astype(np.float32),
            "intercept": self.intercept.astype(np.float64),
            "temperature": np.array([self.temperature]),
        }
        for i, (vocabulary, idf) in enumerate(zip(self.vocabularies, self.idfs, strict=True)):
            arrays[f"vocabulary{i}"] = np.array(vocabulary, dtype=str)
            arrays[f"idf{i}"] = idf
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> TextModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if int(z["format"][0]) != FORMAT:
                raise TrainingError("This model was saved by another version; train it again.")
            return cls(
                labels=[str(label) for label in z["labels"]],
                vocabularies=[[str(t) for t in z[f"vocabulary{i}"]] for i in range(VIEWS)],
                idfs=[z[f"idf{i}"] for i in range(VIEWS)],
                coef=z["coef"],
                intercept=z["intercept"],
                temperature=float(z["temperature"][0]),
            )


def _check(labels: Sequence[str], texts: Sequence[str]) -> None:
    if len(labels) != len(texts):
        raise TrainingError("There must be one label per text.")
    if len(set(labels)) < 2:
        raise TrainingError("Training needs at least two labels.")


def _nb_svm(x: sparse.csr_matrix, y: np.ndarray, k: int, weights: np.ndarray | None):
    """One label against the rest on features scaled by their log-count ratio (Wang and
    Manning's NB-SVM): returns the coefficients folded back onto the unscaled features and the
    intercept, so the pair adds to an ordinary linear model."""
    present = (x > 0).astype(np.float32)
    mine = y == k
    pos = np.asarray(present[mine].sum(axis=0)).ravel() + 1
    neg = np.asarray(present[~mine].sum(axis=0)).ravel() + 1
    ratio = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
    svm = LinearSVC(C=NB_C, class_weight="balanced", max_iter=MAX_ITER)
    svm.fit(x @ sparse.diags(ratio), mine.astype(int), sample_weight=weights)
    return svm.coef_[0] * ratio, float(svm.intercept_[0])


def _fit(views: Views, y: np.ndarray, n_labels: int, weights: np.ndarray | None):
    """The vectorizers fitted on the rows, and one linear model: the sum of a one-vs-rest
    SVM's scores and an NB-SVM's (summing the two measured 0.9273 macro-F1 against 0.9259
    for the SVM alone on the 12345 messages, at no cost when predicting)."""
    vectorizers = _vectorizers()
    x = _features(vectorizers, views, fit=True)
    svm = LinearSVC(C=C, class_weight="balanced", max_iter=MAX_ITER)
    svm.fit(x, y, sample_weight=weights)
    coef = np.zeros((n_labels, x.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -1e3)  # a label absent from these rows is never chosen
    present = svm.classes_
    if len(present) == 2:
        # scikit-learn keeps one row for two classes: score the second, mirror the first.
        coef[present[1]], intercept[present[1]] = svm.coef_[0], svm.intercept_[0]
        coef[present[0]], intercept[present[0]] = -svm.coef_[0], -svm.intercept_[0]
    else:
        coef[present] = svm.coef_
        intercept[present] = svm.intercept_
    for k in present:
        nb_coef, nb_intercept = _nb_svm(x, y, k, weights)
        coef[k] += nb_coef
        intercept[k] += nb_intercept
    return vectorizers, coef, intercept


def _scores(vectorizers, coef, intercept, views: Views) -> np.ndarray:
    return np.asarray(_features(vectorizers, views, fit=False) @ coef.T) + intercept


@dataclass
class Evaluation:
    """How well a model labels rows it did not learn from."""

    method: str  # "cross-validation" or "held-out"
    folds: int
    rows: int
    labels: list[str]
    macro_f1: float
    accuracy: float
    per_label: dict[str, dict[str, float]]  # label → precision, recall, f1, support
    confusion: list[list[int]]  # rows: true label, columns: predicted, in `labels` order

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "folds": self.folds,
            "rows": self.rows,
            "labels": self.labels,
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "per_label": self.per_label,
            "confusion": self.confusion,
        }


def figures(
    labels: list[str], truth: np.ndarray, predicted: np.ndarray, method: str, folds: int
) -> Evaluation:
    index = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=index, zero_division=0
    )
    present = support > 0  # macro-F1 over the labels the rows have
    return Evaluation(
        method=method,
        folds=folds,
        rows=len(truth),
        labels=labels,
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        accuracy=float((truth == predicted).mean()) if len(truth) else 0.0,
        per_label={
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        confusion=confusion_matrix(truth, predicted, labels=index).tolist(),
    )


@dataclass
class Trained:
    model: TextModel
    evaluation: Evaluation


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
) -> Trained:
    """Cross-validate on the rows (the figures, and the scores the temperature is fitted on),
    then fit on all of them. Labels are kept in sorted order. A label with fewer rows than
    folds lowers the folds (to two at the least)."""
    _check(labels, texts)
    names = sorted(set(labels))
    index = {label: i for i, label in enumerate(names)}
    y = np.array([index[label] for label in labels])
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    views = Views.of(texts)
    smallest = int(np.bincount(y).min())
    k = max(2, min(folds, smallest))
    if smallest < 2:
        raise TrainingError("Every label needs at least two rows to be learned and measured.")
    scores = np.zeros((len(y), len(names)))
    splitter = StratifiedKFold(k, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        vectorizers, coef, intercept = _fit(
            views.take(train_rows), y[train_rows], len(names), None if w is None else w[train_rows]
        )
        scores[test_rows] = _scores(vectorizers, coef, intercept, views.take(test_rows))
    evaluation = figures(names, y, scores.argmax(axis=1), "cross-validation", k)
    temperature = fit_temperature(scores, y)
    vectorizers, coef, intercept = _fit(views, y, len(names), w)
    model = TextModel(
        labels=names,
        vocabularies=[list(v.get_feature_names_out()) for v in vectorizers],
        idfs=[v.idf_.astype(np.float32) for v in vectorizers],
        coef=coef,
        intercept=intercept,
        temperature=temperature,
    )
    return Trained(model, evaluation)


def evaluate(model: TextModel, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """The model's figures on rows it did not learn from; a label it does not know counts as
    wrong."""
    names = list(model.labels)
    extra = sorted(set(labels) - set(names))
    names += extra
    index = {label: i for i, label in enumerate(names)}
    truth = np.array([index[label] for label in labels])
    predicted = model.scores(texts).argmax(axis=1) if len(texts) else np.array([], dtype=int)
    return figures(names, truth, predicted, "held-out", 1)
