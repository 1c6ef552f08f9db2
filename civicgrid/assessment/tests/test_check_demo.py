"""The demo's 查/听 loader, given an open plan: a logged community and grid draw that re-draw
to their results, spot checks marked, the workers' cross-boundary reports reviewed, and an
inspection of every worker, all dated in the plan's year."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.assessment import check_demo, checks, sampling
from civicgrid.assessment.models import CrossReview, Draw, Inspection, SpotCheck
from civicgrid.assessment.tests.check_setup import build, ledger

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_demo_loads_a_sample_checks_reviews_and_inspections(tree, people, make_user):
    setup = build(tree, people, make_user)
    setup.plan.year = timezone.localdate().year - 1
    setup.plan.save()
    ledger(tree.grid_a1_1, n=4)
    ledger(setup.grid_a2_1, n=2)
    now = timezone.now().replace(year=setup.plan.year, month=11, day=20, hour=9)
    made = check_demo.load(setup.plan, setup.carol, now)
    draws = list(Draw.objects.filter(plan=setup.plan).order_by("pk"))
    assert [d.kind for d in draws[:2]] == ["communities", "grids"]
    assert len(draws[0].result) == 2  # the street has two communities: both
    for drawn in draws:
        assert sampling.draw(drawn.population, drawn.seed, drawn.count) == drawn.result
        assert drawn.drawn_by == setup.carol and drawn.drawn_at.year == setup.plan.year
    assert made["spot_checks"] == SpotCheck.objects.count() >= 1
    assert SpotCheck.objects.filter(items__correct=True).exists()
    assert made["reviews"] == CrossReview.objects.count() == 2
    inspected = set(Inspection.objects.values_list("plan_worker_id", flat=True))
    assert inspected == {setup.alice.pk, setup.bob.pk}
    for inspection in Inspection.objects.all():
        assert timezone.localtime(inspection.inspected_at).year == setup.plan.year
        assert 40 <= inspection.score <= 100
    assert set(checks.values_inspections(setup.plan)) == inspected
    assert checks.values_cross_boundary(setup.plan)
    assert checks.values_spot_checks(setup.plan)
    assert timezone.now() - dt.timedelta(days=1) > max(
        i.inspected_at for i in Inspection.objects.all()
    )
