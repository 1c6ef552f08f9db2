"""The draw is pure and reproducible: the same seed gives the same sample, other seeds give
others, a count beyond the population is refused, and a logged draw re-draws to its result by
the recipe the docs give (a few lines of standard-library Python)."""

import hashlib

import pytest

from civicgrid.assessment import checks, sampling
from civicgrid.assessment.tests.check_setup import build
from civicgrid.core.errors import InvalidInput

# 21 communities, as the source's street has.
COMMUNITIES = [f"410102005{n:03d}" for n in range(1, 22)]


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def setup(tree, people, make_user):
    return build(tree, people, make_user)


def recipe(population, seed, count):
    """The recipe of docs/assessment-checks.md, copied as a reader would type it."""
    rank = lambda m: (hashlib.sha256(f"{seed}\n{m}".encode()).hexdigest(), m)  # noqa: E731
    return sorted(population, key=rank)[:count]


def test_the_same_seed_gives_the_same_sample():
    first = sampling.draw(COMMUNITIES, "2025-桐柏路", 3)
    assert first == sampling.draw(COMMUNITIES, "2025-桐柏路", 3)
    assert first == sampling.draw(list(reversed(COMMUNITIES)), "2025-桐柏路", 3)
    assert len(first) == 3 and set(first) <= set(COMMUNITIES)


def test_different_seeds_give_different_samples():
    assert sampling.draw(COMMUNITIES, "seed-1", 3) != sampling.draw(COMMUNITIES, "seed-2", 3)
    samples = {tuple(sampling.draw(COMMUNITIES, f"s{n}", 3)) for n in range(50)}
    assert len(samples) > 40  # C(21,3) = 1330 samples: 50 seeds hardly ever repeat one
    drawn = {member for sample in samples for member in sample}
    assert len(drawn) > 15  # every community can be drawn, not just a few


def test_the_draw_is_the_documented_recipe():
    for seed in ("a", "7f3c9e01b2d4a6c8", "第三次抽取"):
        for count in (1, 3, 21):
            assert sampling.draw(COMMUNITIES, seed, count) == recipe(COMMUNITIES, seed, count)
    # A known answer, so a change of the algorithm cannot pass unnoticed.
    expected = sorted(COMMUNITIES, key=lambda m: hashlib.sha256(f"x\n{m}".encode()).hexdigest())[:2]
    assert sampling.draw(COMMUNITIES, "x", 2) == expected


@pytest.mark.parametrize(
    ("population", "seed", "count", "message"),
    [
        (COMMUNITIES, "s", 22, "Cannot draw 22 of 21"),
        (COMMUNITIES, "s", 0, "at least one"),
        (COMMUNITIES, "s", -1, "at least one"),
        ([], "s", 1, "Cannot draw 1 of 0"),
        (["a", "b", "a"], "s", 1, "twice"),
        (COMMUNITIES, "", 1, "needs a seed"),
    ],
)
def test_a_draw_that_cannot_be_made_is_refused(population, seed, count, message):
    with pytest.raises(InvalidInput, match=message):
        sampling.draw(population, seed, count)


def test_a_seed_is_random_unless_given_and_must_be_one_short_line():
    first, second = sampling.clean_seed(""), sampling.clean_seed(None)
    assert first != second and len(first) == 16 and int(first, 16) >= 0
    assert sampling.clean_seed("  会上宣读 20251201 ") == "会上宣读 20251201"
    with pytest.raises(InvalidInput, match="at most 64"):
        sampling.clean_seed("x" * 65)
    with pytest.raises(InvalidInput, match="one line"):
        sampling.clean_seed("a\nb")


@pytest.mark.django_db
def test_a_logged_draw_re_draws_to_its_result(setup):
    drawn = checks.draw_communities(actor=setup.carol, plan=setup.plan, count=1)
    drawn.refresh_from_db()
    assert drawn.population == sorted(drawn.population)  # canonical: by code
    assert len(drawn.population) == 2  # community A1 and A2
    assert recipe(drawn.population, drawn.seed, drawn.count) == drawn.result
    given = checks.draw_communities(
        actor=setup.carol, plan=setup.plan, count=2, seed="会上宣读", reason="test"
    )
    assert given.seed == "会上宣读"
    assert sampling.draw(given.population, "会上宣读", 2) == given.result
