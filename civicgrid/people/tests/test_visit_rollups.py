"""Per-visitor rows (assessment figures): each visit counts for its visitor at the household's
grid in the month of the visit, and the kept rows equal a recount."""

import datetime as dt

import pytest
from django.core.management import call_command

from civicgrid.people import rollups, services
from civicgrid.people.models import VisitMonthRollup

pytestmark = pytest.mark.django_db


def test_visits_count_for_the_visitor_and_equal_a_recount(estate, people, tree):
    alice, bob = people["alice"], people["bob"]
    today = dt.date.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    services.record_visit(actor=alice, household=estate.household, findings="独居老人")
    services.record_visit(actor=alice, household=estate.household, findings="再访")
    services.record_visit(
        actor=alice, household=estate.household, findings="上月", visited_on=last_month
    )
    services.record_visit(actor=bob, household=estate.other_household, findings="新户")
    rows = {
        (row.user_id, row.unit_code, row.month): row.visits
        for row in VisitMonthRollup.objects.all()
    }
    assert rows == {
        (alice.pk, tree.grid_a1_1.code, today.replace(day=1)): 2,
        (alice.pk, tree.grid_a1_1.code, last_month.replace(day=1)): 1,
        (bob.pk, tree.grid_a1_2.code, today.replace(day=1)): 1,
    }
    assert rollups.check_all() == []
    VisitMonthRollup.objects.filter(user=bob).update(visits=5)
    drift = rollups.check_all()
    assert [(d.counter, d.stored, d.expected) for d in drift] == [("visits", 5, 1)]
    call_command("rebuild_visit_rollups", verbosity=0)
    assert rollups.check_all() == []
