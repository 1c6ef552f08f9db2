"""The weighted score of a plan's workers, and their ranking: pure rules plus the registry of
where each indicator's values come from.

**Values.** Each indicator has, per worker, a value 0–100 or none. A computed indicator takes
its values from the function registered for its source (`SOURCES`, filled by the parts that
own the records: `checks.values_*` for 查 and 听, `quiz.values` for 测); an entered indicator
(`Source.ENTERED`) takes them from the assessors' `Entry` rows of that very indicator (so two
entered indicators, say honours and deductions, keep their own values). A function returns
{PlanWorker.pk: value} for the workers that HAVE a value, and nothing for the others.

**The rule for a missing value.** Only the sampled communities' workers have 查 values, only
the inspected ones 听 values. A worker's score is taken over the indicators they have a value
for: score = Σ wᵢ·vᵢ / Σ wᵢ over those indicators (weights of the plan add up to 100). A worker
with no value at all has no score and no rank. Each part's figure (听, 查, 测, 彰) on the
results table is the same weighted mean over the part's indicators the worker has.

**Rounding.** Decimal throughout; the score and each part are rounded half up to 2 decimals
once, at the end (never a rounded figure summed again).

**Ranking.** Highest score first; equal scores share a rank and the next rank skips (1, 2, 2,
4: "competition ranking"), per community and across the plan.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from civicgrid.assessment.models import Entry, Indicator, Part, Plan, Source

Values = dict[int, Decimal]
SourceFunction = Callable[[Plan], Mapping[int, Any]]

# models.Source value → the function giving that source's values for a plan. ENTERED is not
# here: its values are per indicator (`entered_values`).
SOURCES: dict[str, SourceFunction] = {}

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def register(source: str, function: SourceFunction) -> SourceFunction:
    """Register `function` as the values of `source` (a models.Source value but ENTERED);
    returns it. Registering again replaces the function."""
    if source not in Source.values or source == Source.ENTERED:
        raise ValueError(f"{source!r} is not a computed source")
    SOURCES[source] = function
    return function


def unregistered(sources: Iterable[str]) -> list[str]:
    """The computed sources among `sources` that have no registered function."""
    return sorted({s for s in sources if s != Source.ENTERED and s not in SOURCES})


def value(raw: Any, *, source: str = "") -> Decimal:
    """A value of the contract as a Decimal: a finite number 0–100. Anything else is a bug of
    the source that gave it (ValueError naming the source)."""
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except Exception:
        raise ValueError(f"source {source!r} gave {raw!r}, not a number") from None
    if not number.is_finite() or not Decimal(0) <= number <= HUNDRED:
        raise ValueError(f"source {source!r} gave {raw!r}, outside 0–100")
    return number


def plain(number: Decimal) -> str:
    """A Decimal as people write it: 90, 12.5 (never 9E+1 or 90.00)."""
    return format(number.normalize(), "f")


def rounded(number: Decimal) -> Decimal:
    return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def entered_values(indicator: Indicator) -> Values:
    """The assessors' values of an entered indicator, by PlanWorker id."""
    rows = Entry.objects.filter(indicator=indicator).values_list("plan_worker_id", "value")
    return {pk: value(v, source=Source.ENTERED) for pk, v in rows}


def indicator_values(plan: Plan, indicators: Sequence[Indicator]) -> dict[int, Values]:
    """indicator id → {PlanWorker id: value} for every indicator of `plan`, each computed
    source asked once. A computed source with no registered function is a KeyError (the
    service refuses to score before asking)."""
    by_source: dict[str, Values] = {}
    result: dict[int, Values] = {}
    workers = set(plan.workers.values_list("pk", flat=True))
    for indicator in indicators:
        if indicator.source == Source.ENTERED:
            values = entered_values(indicator)
        else:
            if indicator.source not in by_source:
                raw = SOURCES[indicator.source](plan)
                by_source[indicator.source] = {
                    int(pk): value(v, source=indicator.source) for pk, v in raw.items()
                }
            values = by_source[indicator.source]
        # A value for a worker outside the plan (a stale id) is ignored.
        result[indicator.pk] = {pk: v for pk, v in values.items() if pk in workers}
    return result


@dataclass(frozen=True)
class Weighted:
    """One indicator as the rule needs it."""

    id: int
    part: str
    weight: Decimal


def weighted_mean(weights: Iterable[Weighted], values: Mapping[int, Decimal]) -> Decimal | None:
    """Σ w·v / Σ w over the indicators in `values` (id → value) with a weight above 0, rounded
    to 2 decimals; None when there is none."""
    total = Decimal(0)
    weight_sum = Decimal(0)
    for indicator in weights:
        if indicator.id in values and indicator.weight > 0:
            total += indicator.weight * values[indicator.id]
            weight_sum += indicator.weight
    if weight_sum == 0:
        return None
    return rounded(total / weight_sum)


def score_of(weights: Sequence[Weighted], values: Mapping[int, Decimal]) -> Decimal | None:
    """A worker's score from their values (indicator id → value)."""
    return weighted_mean(weights, values)


def parts_of(weights: Sequence[Weighted], values: Mapping[int, Decimal]) -> dict[str, Decimal]:
    """Each part's figure for a worker (only the parts they have a value in)."""
    parts: dict[str, Decimal] = {}
    for part in Part.values:
        mean = weighted_mean([w for w in weights if w.part == part], values)
        if mean is not None:
            parts[part] = mean
    return parts


def details_values(details: Mapping[str, Any]) -> dict[int, Decimal]:
    """A PlanWorker's `details` (indicator id as text → value as text) read back."""
    return {int(key): Decimal(str(raw)) for key, raw in details.items()}


def ranks(scores: Mapping[Any, Decimal | None]) -> dict[Any, int | None]:
    """Competition ranks of `scores` (key → score), highest first; equal scores share a rank
    (1, 2, 2, 4); a key without a score gets None."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first_place: dict[Decimal, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_place.setdefault(score, position)
    return {key: (None if s is None else first_place[s]) for key, s in scores.items()}


def weights_of(indicators: Iterable[Indicator]) -> list[Weighted]:
    return [Weighted(i.pk, i.part, Decimal(i.weight)) for i in indicators]
