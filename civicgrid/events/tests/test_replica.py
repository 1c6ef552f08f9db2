"""Figures from a read replica (issue 15): with FIGURES_DATABASE set (DATABASE_REPLICA_URL),
rollup reads go to the replica outside transactions; writes, and reads inside a write
transaction, stay on the primary. The replica here is a real second database holding rows
of its own (another SQLite database, or another PostgreSQL database), so a read that goes to
the wrong one shows."""

import pytest
from django.db import router, transaction
from django.db.models import F
from django.urls import reverse

from civicgrid.events import selectors
from civicgrid.events.models import Category, EventDayRollup, EventMonthRollup, EventRollup
from civicgrid.org.models import OrgUnit

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)

TABLES = (EventRollup, EventDayRollup, EventMonthRollup)


def _replica_with_ten_more(settings):
    """The replica holds the primary's units and rollup rows, each with 10 more reports."""
    OrgUnit.objects.using("replica").bulk_create(list(OrgUnit.objects.order_by("code")))
    Category.objects.using("replica").bulk_create(list(Category.objects.order_by("code")))
    for model in TABLES:
        model.objects.using("replica").bulk_create(list(model.objects.all()))
        model.objects.using("replica").update(reported=F("reported") + 10)
    settings.FIGURES_DATABASE = "replica"


def _reported(unit) -> int:
    return selectors.figures_for(unit, *selectors.default_period()).counts["reported"]


def test_figures_are_read_from_the_replica_when_set(settings, report, tree, people, client):
    report()
    assert _reported(tree.district) == 1  # no replica configured: the primary
    _replica_with_ten_more(settings)

    assert _reported(tree.district) == 11
    client.force_login(people["dave"])
    page = client.get(reverse("events:dashboard", args=[tree.district.code]))
    assert page.status_code == 200
    assert page.context["figures"].counts["reported"] == 11

    settings.FIGURES_DATABASE = ""
    assert _reported(tree.district) == 1


def test_writes_and_reads_in_a_transaction_stay_on_the_primary(settings, report, tree):
    report()
    _replica_with_ten_more(settings)
    assert router.db_for_write(EventMonthRollup) == "default"

    report()  # the rollups of the new event are written to the primary only
    assert EventMonthRollup.objects.using("default").get(unit=tree.district).reported == 2
    assert EventMonthRollup.objects.using("replica").get(unit=tree.district).reported == 11
    assert _reported(tree.district) == 11  # the (lagging) replica, outside a transaction

    with transaction.atomic():
        assert router.db_for_read(EventMonthRollup) == "default"
        assert _reported(tree.district) == 2


def test_other_tables_are_never_read_from_the_replica(settings):
    settings.FIGURES_DATABASE = "replica"
    assert router.db_for_read(OrgUnit) == "default"
    assert router.db_for_read(EventRollup) == "replica"
