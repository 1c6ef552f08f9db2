"""The levels above a code are read from the tree, not from the code's length: a dedicated
grid or a department hanging on a street has a community's 12 digits, a district's
department a street's 9."""

import pytest

from civicgrid.org import services
from civicgrid.org.kinds import DedicatedKind, DepartmentKind, Kind
from civicgrid.org.tree import (
    community_of,
    district_of,
    is_under,
    levels_of,
    neighbourhood_of,
    street_of,
)


@pytest.fixture
def beside(tree):
    """Units that stand beside the communities: a dedicated grid of street A with a
    micro-grid, and the district's own housing bureau."""

    def make(parent, kind, name, **extra):
        return services.create_unit(actor=None, parent=parent, kind=kind, name=name, **extra)

    dedicated = make(
        tree.street_a, Kind.DEDICATED_GRID, "东方大厦", subkind=DedicatedKind.OFFICE_BUILDING
    )
    return {
        "dedicated": dedicated,
        "dedicated_micro": make(dedicated, Kind.MICRO_GRID, "东方大厦第1微网格"),
        "bureau": make(tree.district, Kind.DEPARTMENT, "住建局", subkind=DepartmentKind.HOUSING),
    }


def test_it_finds_the_levels_of_an_ordinary_grid(tree):
    code = tree.micro_a1_1_1.code
    assert district_of(code) == "410102"
    assert street_of(code) == "410102001"
    assert community_of(code) == "410102001001"
    assert neighbourhood_of(code) == "410102001001"
    assert community_of(tree.community_a1.code) == tree.community_a1.code


def test_a_dedicated_grid_of_a_street_lies_in_no_community(tree, beside):
    dedicated, micro = beside["dedicated"], beside["dedicated_micro"]
    assert len(dedicated.code) == 12  # the length a slice took for a community
    for code in (dedicated.code, micro.code):
        assert community_of(code) is None
        assert street_of(code) == tree.street_a.code
        assert district_of(code) == tree.district.code
        # It stands for a community for what lies in it.
        assert neighbourhood_of(code) == dedicated.code


def test_a_department_is_no_community_and_a_districts_is_no_street(tree, beside):
    police, bureau = tree.police_a, beside["bureau"]
    assert len(police.code) == 12 and len(bureau.code) == 9
    assert community_of(police.code) is None
    assert street_of(police.code) == tree.street_a.code
    assert street_of(bureau.code) is None
    assert district_of(bureau.code) == tree.district.code
    assert neighbourhood_of(bureau.code) is None


def test_a_street_and_above_have_no_neighbourhood(tree):
    assert neighbourhood_of(tree.street_a.code) is None
    assert neighbourhood_of(tree.district.code) is None
    assert community_of(tree.street_a.code) is None


def test_levels_of_reads_every_level_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        levels = levels_of(tree.grid_b1_1.code)
    assert levels == {
        Kind.DISTRICT: tree.district.code,
        Kind.STREET: tree.street_b.code,
        Kind.COMMUNITY: tree.community_b1.code,
        Kind.GRID: tree.grid_b1_1.code,
    }


def test_is_under_holds_for_the_subtree_and_its_root_only(tree):
    assert is_under(tree.micro_a1_1_1.code, tree.community_a1.code)
    assert is_under(tree.community_a1.code, tree.community_a1.code)
    assert not is_under(tree.community_b1.code, tree.street_a.code)
    assert not is_under(tree.street_a.code, tree.community_a1.code)
