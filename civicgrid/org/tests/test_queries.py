"""Query counts of the unit tree pages, pinned: the same with one row as with many, so an N+1
(a query per unit below, per posting…) breaks a pin."""

import json

import pytest
from shapely.geometry import box, mapping

from civicgrid.org import services
from civicgrid.org.kinds import Kind
from civicgrid.org.roles import Role


@pytest.fixture
def grow(tree, make_user):
    """Adds to grid A1-1 a micro-grid with an outline (beside the one it has) and a grid
    leader posted to the grid. Returns the micro-grids added so far."""
    made: list = []

    def add(count: int) -> list:
        for _ in range(count):
            i = len(made)
            west = 113.521 + 0.004 * i
            made.append(
                services.create_unit(
                    actor=None,
                    parent=tree.grid_a1_1,
                    kind=Kind.MICRO_GRID,
                    name=f"新微网格{i}",
                    polygon=mapping(box(west, 34.73, west + 0.003, 34.735)),
                )
            )
            make_user(f"leader{i}", unit=tree.grid_a1_1, role=Role.GRID_LEADER)
        return made

    return add


def test_the_tree_pages_cost_the_same_for_one_unit_as_for_six(client, tree, people, grow, pinned):
    client.force_login(people["carol"])
    grid = tree.grid_a1_1.code
    pages = {
        "/org/tree/": 6,
        f"/org/tree/{grid}/children/": 5,
        f"/org/units/{grid}/": 11,
        "/org/map/units.geojson?kind=micro_grid": 4,
        f"/org/map/units.geojson?parent={grid}": 5,
    }
    grow(1)
    pinned(pages)
    grow(5)
    bodies = pinned(pages)
    assert "新微网格5" in bodies[f"/org/tree/{grid}/children/"]
    assert (
        "新微网格5" in bodies[f"/org/units/{grid}/"] and "Leader5" in bodies[f"/org/units/{grid}/"]
    )
    micro_grids = json.loads(bodies["/org/map/units.geojson?kind=micro_grid"])["features"]
    assert len(micro_grids) == 1 + 6
    outlines = json.loads(bodies[f"/org/map/units.geojson?parent={grid}"])["features"]
    assert len(outlines) == 1 + 1 + 6  # the grid, its first micro-grid and the new ones
