"""Basic data per unit (LedgerRollup, issue 19): every write keeps it equal to a recount of the
ledgers, and the counts and completeness read from it equal those counted from the rows."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from civicgrid.org import services as org_services
from civicgrid.people import ledger_rollups, ledgers, selectors, services
from civicgrid.people.models import Household, LedgerRollup, Person
from civicgrid.people.services import PersonData
from civicgrid.people.tests.conftest import id_number
from civicgrid.people.tests.test_ledgers import houses, person, xlsx

pytestmark = pytest.mark.django_db


def rows_of(unit) -> Counter:
    """The unit's kept counters, zeros left out (and read as 0)."""
    row = LedgerRollup.objects.filter(unit=unit).values(*ledger_rollups.COUNTERS).first() or {}
    return Counter({name: value for name, value in row.items() if value})


def same_as_rows(unit, children) -> None:
    """Rollup and rows agree, for every check of every child, and in the recount."""
    assert ledger_rollups.check_all() == []
    kept = selectors.completeness_below(None, unit, children, scoped=False)
    counted = selectors.counted_below(None, unit, children, scoped=False)
    for ours, theirs in zip(kept, counted, strict=True):
        assert [(c.code, c.total, c.done) for c in ours.checks] == [
            (c.code, c.total, c.done) for c in theirs.checks
        ]
        assert ours.score == theirs.score


def test_the_estate_is_counted_where_each_row_hangs(estate, tree):
    assert rows_of(tree.grid_a1_1) == {
        "persons": 2,
        "persons_filled": 2,
        "persons_in_household": 2,
        "households": 1,
        "households_headed": 1,
        "houses": 1,
    }
    assert rows_of(tree.grid_a1_2)["persons"] == 1
    assert selectors.basic_data(tree.community_a1) == {
        "persons": 3,
        "households": 2,
        "houses": 2,
        "organisations": 0,
        "completeness": 80.0,  # 8 of 10: neither house's use is known
    }
    same_as_rows(tree.district, [tree.street_a, tree.street_b, tree.community_a1])


def test_each_write_keeps_the_rollup_equal_to_a_recount(estate, tree, people):
    alice, carol = people["alice"], people["carol"]
    grids = [tree.grid_a1_1, tree.grid_a1_2, tree.micro_a1_1_1, tree.grid_b1_1]
    # A person without an ID number, then with it.
    lone = services.save_person(actor=alice, data=PersonData(name="王小二"), unit=tree.grid_a1_1)
    assert rows_of(tree.grid_a1_1)["persons_filled"] == 2
    services.save_person(
        actor=alice,
        data=PersonData(name="王小二", id_number=id_number(dt.date(1985, 2, 3), 5)),
        unit=tree.grid_a1_1,
        person=lone,
    )
    assert rows_of(tree.grid_a1_1)["persons_filled"] == 3
    same_as_rows(tree.community_a1, grids)
    # The head moves out: her household loses its head and her count.
    services.record_departure(actor=alice, person=estate.mother, status="moved_out")
    assert rows_of(tree.grid_a1_1)["households_headed"] == 0
    assert rows_of(tree.grid_a1_1)["persons"] == 2
    same_as_rows(tree.community_a1, grids)
    # The son becomes the head (the household gains one again).
    son = Person.objects.get(pk=estate.son.pk)
    services.save_person(
        actor=alice,
        data=PersonData(name=son.name, id_number=None, phone=None, relation="head"),
        household=estate.household,
        person=son,
    )
    assert rows_of(tree.grid_a1_1)["households_headed"] == 1
    # A house's use becomes known; an organisation with a contact.
    services.save_house(
        actor=carol,
        building=estate.other_household.house.building,
        entrance=1,
        room="101",
        use="rent",
        house=estate.other_household.house,
    )
    services.save_organisation(
        actor=carol,
        unit=tree.grid_a1_2,
        name="便民超市",
        kind="shop",
        contact_name="王经理",
        contact_phone="13812340000",
    )
    assert rows_of(tree.grid_a1_2)["houses_used"] == 1
    assert rows_of(tree.grid_a1_2)["organisations_reachable"] == 1
    # A household with no house moved to a micro-grid: its members follow it.
    loose = services.save_household(actor=carol, house=None, unit=tree.grid_a1_1)
    services.save_person(
        actor=carol, data=PersonData(name="孙大", relation="head"), household=loose
    )
    services.save_household(actor=carol, house=None, unit=tree.micro_a1_1_1, household=loose)
    assert rows_of(tree.micro_a1_1_1)["persons"] == 1
    assert rows_of(tree.micro_a1_1_1)["households_headed"] == 1
    same_as_rows(tree.community_a1, grids)
    # Erasure: the record and its counts go, and so does its household's head.
    services.delete_person(
        actor=carol, person=Person.objects.get(name="孙大"), reason="本人申请删除"
    )
    assert "persons" not in rows_of(tree.micro_a1_1_1)
    assert rows_of(tree.micro_a1_1_1) == {"households": 1}
    same_as_rows(tree.district, [tree.street_a, tree.community_a1, *grids])


def test_imports_are_counted(tree, people):
    alice = people["alice"]
    job = ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", houses(4, ""))
    )
    assert job.state == "done", job.errors
    rows = [person(i, f"{1 + i % 4:03d}", 与户主关系="户主" if i < 4 else "子") for i in range(8)]
    job = ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="persons", upload=xlsx("persons", rows)
    )
    assert job.state == "done", job.errors
    assert rows_of(tree.grid_a1_1) == {
        "persons": 8,
        "persons_filled": 8,
        "persons_in_household": 8,
        "households": 4,
        "households_headed": 4,
        "houses": 4,
        "houses_used": 4,
    }
    same_as_rows(tree.community_a1, [tree.grid_a1_1, tree.grid_a1_2])


def test_a_moved_grid_takes_its_counts_along(estate, tree):
    type(tree.grid_a1_2).objects.filter(pk=tree.grid_a1_2.pk).update(polygon=None)  # no shape
    org_services.move_unit(actor=None, unit=tree.grid_a1_2, new_parent=tree.community_b1)
    assert selectors.basic_data(tree.community_a1)["persons"] == 2
    assert selectors.basic_data(tree.community_b1)["persons"] == 1
    assert ledger_rollups.check_all() == []


def test_a_users_completeness_counts_only_what_they_see(estate, tree, people):
    """The rollup is scoped by its unit code like the rows it counts: a grid worker asking
    for the community's grids gets her own grid's counts and nothing of the other one."""
    alice = people["alice"]
    below = selectors.completeness_below(alice, tree.community_a1, [tree.grid_a1_1, tree.grid_a1_2])
    assert [check.total for check in below[0].checks][:1] == [2]
    assert all(check.total == 0 for check in below[1].checks)
    mine = selectors.completeness(alice, tree.grid_a1_1)
    theirs = selectors.counted_below(alice, tree.grid_a1_1, [tree.grid_a1_1])[0]
    assert [(c.total, c.done) for c in mine.checks] == [(c.total, c.done) for c in theirs.checks]
    # The rows to fix still come from the ledgers (alice's own house of unknown use).
    missing = {check.code: check.missing for check in mine.checks}
    assert missing["house_use"] == [estate.house] and missing["person_fields"] == []


def test_rows_made_around_the_services_are_seen_and_rebuilt(estate, tree):
    household = Household.objects.create(unit=tree.grid_b1_1, address="乙一1号楼")
    Person.objects.create(unit=tree.grid_b1_1, name="周一", household=household, relation="head")
    drift = ledger_rollups.check_all()
    assert {(d.counter, d.stored, d.expected) for d in drift} == {
        ("persons", 0, 1),
        ("persons_in_household", 0, 1),
        ("households", 0, 1),
        ("households_headed", 0, 1),
    }
    with pytest.raises(CommandError):
        call_command("check_figures", verbosity=0)
    call_command("rebuild_ledger_rollups", verbosity=0)
    assert ledger_rollups.check_all() == []
    # add_objects counts rows made with the ORM (what tests that make rows so call).
    more = Person.objects.create(unit=tree.grid_b1_1, name="周二", gender="1")
    ledger_rollups.add_objects(persons=[more])
    assert ledger_rollups.check_all() == []
    assert rows_of(tree.grid_b1_1)["persons"] == 2
    # A subtree rebuilt alone leaves the rest as it is.
    LedgerRollup.objects.filter(unit=tree.grid_b1_1).update(persons=9)
    assert ledger_rollups.rebuild(tree.street_b.code) == 1
    assert ledger_rollups.check_all() == []
