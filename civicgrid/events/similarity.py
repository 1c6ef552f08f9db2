"""Duplicates by meaning: how alike two reports' texts are, and how likely a new report is a
duplicate of an open event given also how far apart and how far apart in time they are.

Python and numpy, no model file: a report is a bag of its Chinese characters and character
bigrams (a resident writes 堵了 where a grid worker writes 堵塞, 楼道 where another writes 楼梯间;
characters and pairs of characters carry most of that overlap without a word segmenter),
compared by cosine. The thresholds below were chosen on the labelled pairs of
`bench/duplicates.py` (see docs/duplicates.md); their figures are quoted where they are set.
"""

import math
import re

import numpy as np

# Chinese characters only: punctuation, digits, Latin letters and spaces say little about what
# the problem is (房号, 楼号, plate numbers differ between two reports of one problem).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Characters so common in any report that sharing them says nothing (particles, pronouns,
# politeness and the words every complaint uses). Bigrams made of them still count.
_STOP_CHARS = frozenset("的了是在有和与及或等把被给让对向从到也都就还又很太我你他她它们这那哪请您")

# A character weighs less than a pair of characters: sharing 堵 is weaker evidence than sharing
# 堵塞. 0.5, with SAME_CATEGORY_BONUS 0.10 and both decays 0.5, was the best of a small grid
# (0.3/0.5/1.0 × 0.10/0.15/0.25 × 0.3/0.5 × 0.3/0.5) on the sum of both sets' best F1; the
# differences were within 0.03.
UNIGRAM_WEIGHT = 0.5
# How much of a candidate's text is compared (the new report's is cut at 2,000 characters by
# the caller): a long description beyond this adds cost and dilutes its title.
CANDIDATE_CHARS = 200

# Text is turned into arrays of code points and every candidate is compared at once in numpy:
# one report against 300 candidate texts of 100 characters costs a few milliseconds, where a
# dictionary per text cost about ten times more (bench/duplicates.py measures it).
_RUN_END = ord("|")  # between runs of Chinese characters in one text
_TEXT_END = 0  # between texts
_STOP = np.array(sorted(ord(char) for char in _STOP_CHARS), dtype=np.int64)
_PAIR_SHIFT = 21  # a code point fits in 21 bits: a bigram's id is (first << 21) | second
_OWNER_SHIFT = 42


def normalise(text: str) -> str:
    """The text's Chinese characters, in order, without anything else."""
    return "".join(_HAN.findall(text or ""))


def has_words(text: str) -> bool:
    """Whether the text has something to compare (a bigram or a character that is not a stop
    character)."""
    return any(len(run) > 1 or run not in _STOP_CHARS for run in _HAN.findall(text or ""))


def _features(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text's features as (owner text index, feature id, weight), one row per distinct
    feature of a text: character bigrams within a run of Chinese characters (weight 1 per
    occurrence) and characters that are not stop characters (UNIGRAM_WEIGHT per occurrence).
    A bigram never spans a removed digit or comma, nor two texts."""
    joined = chr(_TEXT_END).join("|".join(_HAN.findall(text or "")) for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.cumsum(codes == _TEXT_END)
    letter = (codes != _TEXT_END) & (codes != _RUN_END)
    pair = letter[:-1] & letter[1:]
    single = letter & ~np.isin(codes, _STOP)
    ids = np.concatenate([(codes[:-1][pair] << _PAIR_SHIFT) | codes[1:][pair], codes[single]])
    owners = np.concatenate([owner[:-1][pair], owner[single]])
    keys, counts = np.unique((owners << _OWNER_SHIFT) | ids, return_counts=True)
    feature = keys & ((1 << _OWNER_SHIFT) - 1)
    weights = counts * np.where(feature >= (1 << _PAIR_SHIFT), 1.0, UNIGRAM_WEIGHT)
    return keys >> _OWNER_SHIFT, feature, weights


def similarities(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of `text` with each of `others` (cut at CANDIDATE_CHARS), 0 (nothing
    shared) to 1 (the same characters in the same pairs)."""
    if not others:
        return []
    _, query, query_weights = _features([text])
    if not len(query):
        return [0.0] * len(others)
    owner, feature, weights = _features([other[:CANDIDATE_CHARS] for other in others])
    norms = np.sqrt(np.bincount(owner, weights=weights**2, minlength=len(others)))
    at = np.minimum(np.searchsorted(query, feature), len(query) - 1)
    shared = query[at] == feature
    dots = np.bincount(
        owner[shared], weights=weights[shared] * query_weights[at[shared]], minlength=len(others)
    )
    scale = norms * math.sqrt(float(np.sum(query_weights**2)))
    cosines = np.divide(dots, scale, out=np.zeros(len(others)), where=scale > 0)
    return [min(1.0, float(value)) for value in cosines]


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 (nothing shared) to 1 (the same characters in the same
    pairs)."""
    return similarities(a, [b])[0]


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
# The score at which a candidate is a likely duplicate. Chosen on bench/duplicates.py (3,704
# labelled pairs, 1,752 duplicates; the sweep is in its output): at 0.25 the by-meaning hint has
# precision 0.94, recall 0.70 over all pairs (the old rule, same category within 100 m: 0.51 and
# 0.64); on the written report pairs 0.85 / 0.77 (old 0.51 / 0.49), on the real messages, where
# place and time say nothing, 0.98 / 0.68 (old 0.51 / 0.69). 0.20 gained recall (0.89 on the
# reports) but fell to precision 0.82 and 0.95; 0.30 kept 0.88 / 0.996 precision and lost a sixth
# of the recall. A hint that cries wolf is ignored, so precision came first.
THRESHOLD = 0.25


def reach_m(radius_m: int) -> int:
    """How far by-meaning duplicates are looked for around a point."""
    return max(radius_m, MIN_REACH_M)


def score(
    similarity: float, metres: float, days: float, same_category: bool, reach: float
) -> float:
    """The duplicate score: text similarity (plus a bonus for the same category), scaled down
    by distance (by DISTANCE_DECAY at `reach`) and by age (by AGE_DECAY at MAX_AGE_DAYS); 0
    beyond either. `days` is how far apart in time, either way."""
    if metres > reach or days > MAX_AGE_DAYS:
        return 0.0
    text = min(1.0, similarity + (SAME_CATEGORY_BONUS if same_category else 0.0))
    near = 1.0 - DISTANCE_DECAY * (metres / reach)
    recent = 1.0 - AGE_DECAY * (max(days, 0.0) / MAX_AGE_DAYS)
    return text * near * recent
