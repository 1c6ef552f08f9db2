"""Duplicates by meaning: how alike two reports' texts are, and how likely a new report is a
duplicate of an open event given also how far apart and how far apart in time they are.

Pure Python, no model file: a report is a bag of its Chinese characters and character
bigrams (a resident writes 堵了 where a grid worker writes 堵塞, 楼道 where another writes 楼梯间;
characters and pairs of characters carry most of that overlap without a word segmenter),
compared by cosine. The thresholds below were chosen on the labelled pairs of
`bench/duplicates.py` (see docs/duplicates.md); their figures are quoted where they are set.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import add

# Chinese characters only: punctuation, digits, Latin letters and spaces say little about what
# the problem is (房号, 楼号, plate numbers differ between two reports of one problem).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Characters so common in any report that sharing them says nothing (particles, pronouns,
# politeness and the words every complaint uses). Bigrams made of them still count.
_STOP_CHARS = frozenset("的了是在有和与及或等把被给让对向从到也都就还又很太我你他她它们这那哪请您")

# A character weighs less than a pair of characters: sharing 堵 is weaker evidence than sharing
# 堵塞. Chosen on the benchmark's pairs (0.5 beat 0.3 and 1.0 on F1 of both sets).
UNIGRAM_WEIGHT = 0.5
# How much text is compared: the view cuts a report at 2,000 characters; a candidate's
# description beyond this adds cost and dilutes its title.
CANDIDATE_CHARS = 400

Vector = dict[str, float]


def normalise(text: str) -> str:
    """The text's Chinese characters, in order, without anything else."""
    return "".join(_HAN.findall(text or ""))


def vector(text: str) -> Vector:
    """Character unigrams (weighted UNIGRAM_WEIGHT) and bigrams of the normalised text, each
    run of Chinese characters on its own (a bigram never spans a removed digit or comma)."""
    joined = "|".join(_HAN.findall(text or ""))
    if not joined:
        return {}
    weights: Vector = {
        pair: float(n)
        for pair, n in Counter(map(add, joined, joined[1:])).items()
        if "|" not in pair
    }
    for char, n in Counter(joined).items():
        if char != "|" and char not in _STOP_CHARS:
            weights[char] = n * UNIGRAM_WEIGHT
    return weights


def norm(vec: Vector) -> float:
    return math.sqrt(sum(w * w for w in vec.values()))


def cosine(a: Vector, b: Vector, norm_a: float | None = None, norm_b: float | None = None) -> float:
    """Cosine similarity of two vectors, 0 when either is empty."""
    if not a or not b:
        return 0.0
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[key] * b[key] for key in shared)
    na = norm(a) if norm_a is None else norm_a
    nb = norm(b) if norm_b is None else norm_b
    return min(1.0, dot / (na * nb))


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 (nothing shared) to 1 (the same characters in the same
    pairs)."""
    return cosine(vector(a), vector(b))


def similarities(text: str, others: Iterable[str]) -> list[float]:
    """`text` against each of `others`, its vector built once (one report against a few
    hundred candidates costs about a millisecond; bench/duplicates.py measures it)."""
    vec = vector(text)
    if not vec:
        return [0.0 for _ in others]
    size = norm(vec)
    return [cosine(vec, vector(other[:CANDIDATE_CHARS]), size) for other in others]


# ---- the duplicate score -----------------------------------------------------------------------

# Where a duplicate is looked for: within max(the category's radius, MIN_REACH_M) and reported
# within MAX_AGE_DAYS. A resident's point is often off by a block (the phone's position, a tap on
# the map), and a problem is reported again over days while it is open, rarely after a month.
MIN_REACH_M = 300
MAX_AGE_DAYS = 30
# Sharing the category is evidence too, but not required (占道堆物 and 楼道堆物, 机动车乱停放
# and 消防通道堵塞 are often one problem filed twice under two names).
SAME_CATEGORY_BONUS = 0.10
# How much of the score is lost at the edge of the reach and at MAX_AGE_DAYS (linearly).
DISTANCE_DECAY = 0.5
AGE_DECAY = 0.5
# The score at which a candidate is shown as a likely duplicate. Chosen on bench/duplicates.py:
# on the synthetic report pairs it gives precision 0.97, recall 0.91 (the old rule, same
# category within the radius: precision 0.55, recall 0.64); on pairs made of the real messages,
# where place and time say nothing, precision 0.93, recall 0.62. 0.35 gave more recall and
# lost precision on the messages (0.80), 0.45 lost recall on the reports; see
# docs/duplicates.md.
THRESHOLD = 0.40


@dataclass(frozen=True)
class Likeness:
    """Why a candidate is a likely duplicate: its text similarity, distance and age."""

    score: float
    similarity: float
    metres: float
    days: float
    same_category: bool


def reach_m(radius_m: int) -> int:
    """How far by-meaning duplicates are looked for around a point."""
    return max(radius_m, MIN_REACH_M)


def score(
    similarity: float, metres: float, days: float, same_category: bool, reach: float
) -> float:
    """The duplicate score: text similarity (plus a bonus for the same category), scaled down
    by distance (to half at `reach`) and by age (to half at MAX_AGE_DAYS); 0 beyond either."""
    if metres > reach or days > MAX_AGE_DAYS or days < -1:
        return 0.0
    text = min(1.0, similarity + (SAME_CATEGORY_BONUS if same_category else 0.0))
    near = 1.0 - DISTANCE_DECAY * (metres / reach)
    recent = 1.0 - AGE_DECAY * (max(days, 0.0) / MAX_AGE_DAYS)
    return text * near * recent


def likeness(
    similarity: float, metres: float, days: float, same_category: bool, reach: float
) -> Likeness:
    return Likeness(
        score=score(similarity, metres, days, same_category, reach),
        similarity=similarity,
        metres=metres,
        days=days,
        same_category=same_category,
    )
