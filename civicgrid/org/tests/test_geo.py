import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from civicgrid.conftest import square
from civicgrid.org import selectors, services
from civicgrid.org.geo import IndexedUnit, UnitIndex, gcj02_to_wgs84, wgs84_to_gcj02
from civicgrid.org.kinds import DedicatedKind, Kind

# Community 1 (0..2 × 0..2) holds grids 10 (0..1) and 11 (1..2); grid 10 holds micro-grid 100;
# dedicated grid 50 lies over both grids. Ranks as selectors give them.
UNITS = [
    IndexedUnit(1, 3 * 64 + 12, box(110, 30, 112, 32)),
    IndexedUnit(10, 4 * 64 + 15, box(110, 30, 111, 32)),
    IndexedUnit(11, 4 * 64 + 15, box(111, 30, 112, 32)),
    IndexedUnit(100, 6 * 64 + 18, box(110, 30, 110.5, 30.5)),
    IndexedUnit(50, 5 * 64 + 15, box(110.9, 31.4, 111.1, 31.6)),
]


@pytest.fixture(scope="module")
def index():
    return UnitIndex(UNITS)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (110.2, 30.2, 100),  # micro-grid before grid before community
        (110.7, 30.2, 10),
        (111.5, 31.0, 11),
        (111.0, 31.5, 50),  # a dedicated grid before the grids under it
        (120.0, 30.0, None),  # outside every polygon: none, not an error
    ],
)
def test_it_finds_the_finest_unit(index, lon, lat, expected):
    assert index.locate(lon, lat) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(109.5, 112.5), st.floats(29.5, 32.5)), max_size=50))
def test_the_batch_form_agrees_with_single_lookups(points):
    index = UnitIndex(UNITS)
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    batch = index.locate_many(lons, lats)
    single = [index.locate(lon, lat) for lon, lat in points]
    assert [None if i < 0 else int(i) for i in batch] == single


def test_an_empty_index_finds_nothing():
    index = UnitIndex([])
    assert index.locate(110, 30) is None
    assert index.locate_many([110], [30]).tolist() == [-1]


def test_gcj02_round_trip_is_within_a_few_centimetres():
    for lon, lat in [(113.6253, 34.7466), (116.397, 39.909), (121.47, 31.23)]:
        shifted = wgs84_to_gcj02(lon, lat)
        assert shifted != (lon, lat)  # the offset is hundreds of metres in China
        back = gcj02_to_wgs84(*shifted)
        assert back == pytest.approx((lon, lat), abs=5e-7)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # no offset outside China


def test_it_places_points_in_the_demo_tree(tree):
    assert selectors.unit_at(113.51, 34.71) == tree.micro_a1_1_1
    assert selectors.unit_at(113.53, 34.74) == tree.grid_a1_1
    assert selectors.unit_at(113.58, 34.79) == tree.street_a
    assert selectors.unit_at(100.0, 30.0) is None
    assert selectors.units_at([(113.51, 34.71), (113.62, 34.72), (0, 0)]) == [
        tree.micro_a1_1_1,
        tree.grid_b1_1,
        None,
    ]
    assert selectors.units_at([]) == []


def test_the_index_is_rebuilt_when_polygons_change(tree):
    assert selectors.unit_at(113.545, 34.705) == tree.grid_a1_1
    office = services.create_unit(
        actor=None,
        parent=tree.community_a1,
        kind=Kind.DEDICATED_GRID,
        subkind=DedicatedKind.OFFICE_BUILDING,
        name="东方大厦",
        polygon=square(113.54, 34.70, 113.55, 34.71),
    )
    assert selectors.unit_at(113.545, 34.705) == office
    services.update_unit(actor=None, unit=office, active=False)
    assert selectors.unit_at(113.545, 34.705) == tree.grid_a1_1


def test_it_accepts_gcj02_points(tree):
    lon, lat = wgs84_to_gcj02(113.51, 34.71)
    assert selectors.unit_at(lon, lat, gcj02=True) == tree.micro_a1_1_1


def test_large_batches_run_in_parallel_chunks_with_the_same_answers(monkeypatch):
    rng = np.random.default_rng(7)
    index = UnitIndex(UNITS)
    lons, lats = rng.uniform(110, 112, 30_000), rng.uniform(30, 32, 30_000)
    sequential = index.locate_many(lons, lats)
    monkeypatch.setattr("civicgrid.org.geo.PARALLEL_CHUNK", 1_000)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert np.array_equal(index.locate_many(lons, lats), sequential)
    # Points land in proportion to area: the micro-grid covers 1/16 of the community.
    assert (sequential == 100).mean() == pytest.approx(0.0625, abs=0.01)
