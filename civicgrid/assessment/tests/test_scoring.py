"""The weighted score rule, pure: weights, missing values, ties, rounding with Decimal."""

from decimal import Decimal

import pytest

from civicgrid.assessment import scoring
from civicgrid.assessment.models import Part, Source
from civicgrid.assessment.scoring import Weighted

pytestmark = pytest.mark.usefixtures("own_sources")

D = Decimal
STANDARD = [
    Weighted(1, Part.HEAR, D(30)),
    Weighted(2, Part.CHECK, D(40)),
    Weighted(3, Part.TEST, D(20)),
    Weighted(4, Part.HONOUR, D(10)),
]


def test_the_score_is_the_weighted_sum_when_every_value_is_there():
    values = {1: D(90), 2: D(80), 3: D(70), 4: D(100)}
    assert scoring.score_of(STANDARD, values) == D("83.00")


def test_a_missing_value_leaves_its_weight_out():
    # No 查 value (community not sampled): (30·60 + 20·100 + 10·50) / 60.
    values = {1: D(60), 3: D(100), 4: D(50)}
    assert scoring.score_of(STANDARD, values) == D("71.67")


def test_no_value_at_all_is_no_score():
    assert scoring.score_of(STANDARD, {}) is None


def test_a_zero_weight_counts_for_nothing_and_alone_gives_no_score():
    weights = [Weighted(1, Part.HEAR, D(0)), Weighted(2, Part.CHECK, D(100))]
    assert scoring.score_of(weights, {1: D(0), 2: D(50)}) == D("50.00")
    assert scoring.score_of(weights, {1: D(100)}) is None


def test_a_zero_value_is_a_value_not_a_missing_one():
    assert scoring.score_of(STANDARD, {1: D(0), 2: D(100)}) == D("57.14")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # 1/3 → 33.333… → 33.33; 2/3 → 66.666… → 66.67
        ({1: D(100)}, D("100.00")),
        ({1: D(100), 2: D(0), 3: D(0)}, D("33.33")),
        ({1: D(100), 2: D(100), 3: D(0)}, D("66.67")),
        # Exactly half a cent rounds up: (30·0.01 + 40·0.02)/70 … use a direct case instead.
        ({2: D("80.125")}, D("80.13")),
        ({2: D("80.124")}, D("80.12")),
    ],
)
def test_rounding_is_half_up_to_two_decimals_once_at_the_end(values, expected):
    weights = [
        Weighted(1, Part.HEAR, D(1)),
        Weighted(2, Part.CHECK, D(1)),
        Weighted(3, Part.TEST, D(1)),
    ]
    result = scoring.score_of(weights, values)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_no_float_creeps_in():
    weights = [Weighted(1, Part.HEAR, D("33.33")), Weighted(2, Part.CHECK, D("66.67"))]
    result = scoring.score_of(weights, {1: D("0.1"), 2: D("0.2")})
    # (33.33·0.1 + 66.67·0.2) / 100 = 0.166670 → 0.17
    assert result == D("0.17") and isinstance(result, Decimal)


def test_parts_are_each_parts_weighted_mean():
    weights = [
        Weighted(1, Part.CHECK, D(10)),
        Weighted(2, Part.CHECK, D(30)),
        Weighted(3, Part.TEST, D(60)),
    ]
    parts = scoring.parts_of(weights, {1: D(100), 2: D(60)})
    assert parts == {Part.CHECK: D("70.00")}


def test_ties_share_a_rank_and_the_next_rank_skips():
    scores = {"a": D("90"), "b": D("85.5"), "c": D("85.50"), "d": D(80), "e": None}
    assert scoring.ranks(scores) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_ranks_of_nobody_and_of_all_equal():
    assert scoring.ranks({}) == {}
    assert scoring.ranks({1: D(50), 2: D(50), 3: D(50)}) == {1: 1, 2: 1, 3: 1}


@pytest.mark.parametrize("bad", [D(-1), D("100.01"), D("NaN"), D("Infinity"), "x", None])
def test_a_source_value_outside_0_to_100_is_a_bug_named_by_its_source(bad):
    with pytest.raises(ValueError, match="quiz"):
        scoring.value(bad, source="quiz")


def test_values_at_the_edges_are_accepted():
    assert scoring.value(0) == D(0)
    assert scoring.value("100") == D(100)
    assert scoring.value(D("99.99")) == D("99.99")


def test_only_computed_sources_register(monkeypatch):
    monkeypatch.setattr(scoring, "SOURCES", {})
    with pytest.raises(ValueError):
        scoring.register(Source.ENTERED, lambda plan: {})
    with pytest.raises(ValueError):
        scoring.register("nonsense", lambda plan: {})
    scoring.register(Source.QUIZ, lambda plan: {})
    assert scoring.unregistered([Source.QUIZ, Source.ENTERED, Source.RATES]) == [Source.RATES]


def test_details_read_back_as_decimals():
    assert scoring.details_values({"3": "70.50", "4": "100"}) == {3: D("70.50"), 4: D(100)}
