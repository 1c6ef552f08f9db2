"""Query counts of the plan's list pages: the same with few rows as with many, so an N+1 (a
query per plan, per worker, per appeal, per honour) breaks the test. Each page is measured
on a small and a grown plan and must cost the same, and equal its pin."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.assessment import services
from civicgrid.assessment.models import Source
from civicgrid.assessment.tests.conftest import STANDARD, indicator, line
from civicgrid.org.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "own_sources")]

# The pins: session, user, postings (and the bell's count) for a login; then the page's own
# reads. The public pages: the unit (or the honour) and its photos.
PINS = {"list": 8, "plan": 11, "appeals": 6, "mine": 7, "honours": 3, "story": 2}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def build(tree, cast, make_user, values, extra: int, year: int):
    """A plan of street A for `year` with alice, bob and `extra` more workers, scored, each
    with an appeal answered, published, and everyone on the honour list."""
    for i in range(extra):
        grid = tree.grid_a1_1 if i % 2 else tree.grid_a1_2
        make_user(f"w{year}{i}", unit=grid, role=Role.GRID_WORKER)
    plan = services.create_plan(actor=cast.carol, unit=tree.street_a, year=year)
    services.save_indicators(actor=cast.carol, plan=plan, rows=STANDARD)
    services.open_plan(actor=cast.carol, plan=plan)
    lines = list(plan.workers.all())
    for source in (Source.INSPECTION, Source.COMPLETENESS, Source.QUIZ):
        values(source, {pw.pk: 50 + pw.pk % 50 for pw in lines})
    honours = indicator(plan, Source.ENTERED)
    services.save_entries(
        actor=cast.carol,
        indicator=honours,
        rows=[services.EntryData(pw, 80, "表彰") for pw in lines],
    )
    services.score_plan(actor=cast.carol, plan=plan)
    for pw in lines:
        appeal = services.file_appeal(actor=pw.worker, plan_worker=pw, reason="复核")
        services.answer_appeal(actor=cast.sam, appeal=appeal, uphold=False, answer="无误")
    plan.refresh_from_db()
    services.publish_plan(
        actor=cast.carol, plan=plan, now=plan.appeals_until + dt.timedelta(minutes=1)
    )
    for pw in lines:
        services.add_honour(
            actor=cast.carol,
            plan_worker=pw,
            data=services.HonourData("优秀网格员", "事迹", "https://v.example.cn/1"),
        )
    return plan


def pages(plan, cast, tree) -> dict[str, tuple[object, str]]:
    return {
        "list": (cast.carol, "/assessment/"),
        "plan": (cast.carol, f"/assessment/plans/{plan.pk}/"),
        "appeals": (cast.carol, f"/assessment/plans/{plan.pk}/appeals/"),
        "mine": (cast.alice, "/assessment/mine/"),
        "honours": (None, f"/assessment/honours/{tree.street_a.code}/"),
        "story": (None, f"/assessment/honours/story/{line(plan, cast.alice).honour.pk}/"),
    }


def measure(client, plan, cast, tree) -> dict[str, int]:
    counts = {}
    for name, (user, url) in pages(plan, cast, tree).items():
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        counts[name] = _count(client, url)
    return counts


def test_the_plan_pages_cost_the_same_for_two_workers_as_for_eight(
    client, tree, cast, make_user, values, pinned
):
    small = measure(client, build(tree, cast, make_user, values, 0, 2024), cast, tree)
    large = measure(client, build(tree, cast, make_user, values, 6, 2025), cast, tree)
    print("COUNTS", large)
    assert large == small
    for name, count in large.items():
        assert count <= PINS[name], (name, count)
