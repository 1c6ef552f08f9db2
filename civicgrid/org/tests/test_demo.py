import random

import pytest
import shapely
from shapely.geometry import box, shape

from civicgrid.org import selectors
from civicgrid.org.demo import DEMO_LOGINS, DEMO_PASSWORD, district_outline, load_demo, split
from civicgrid.org.divisions import divisions, import_divisions, subtree
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit, Posting


def test_the_bundled_table_has_every_division_of_zhengzhou():
    table = divisions()
    kinds = [d.kind for d in table.values()]
    assert kinds.count(Kind.DISTRICT) == 15
    assert kinds.count(Kind.STREET) == 208
    assert kinds.count(Kind.COMMUNITY) == 3306
    assert table["410102006006"].short_name == "河南纺机社区"
    assert table["410102006"].short_name == "三官庙街道"


def test_split_tiles_an_area_without_gaps_or_overlaps():
    area = box(113.5, 34.7, 113.6, 34.8)
    cells = split(area, 7, random.Random(1))
    assert len(cells) == 7
    assert sum(c.area for c in cells) == pytest.approx(area.area, rel=1e-4)
    assert shapely.union_all(cells).symmetric_difference(area).area < 1e-6 * area.area


def test_the_outline_is_shifted_to_wgs84():
    outline = district_outline("410102")
    # 中原区 lies west of Zhengzhou's centre; GCJ-02 data shifted back moves west-south.
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    assert 113.4 < min_lon < max_lon < 113.7 and 34.6 < min_lat < max_lat < 34.9
    assert outline.is_valid


@pytest.mark.django_db
def test_an_unknown_division_code_is_refused_and_nothing_is_imported():
    from civicgrid.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="999999"):
        import_divisions(["410103", "999999"], progress=False)
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
def test_importing_divisions_is_idempotent():
    assert import_divisions(["410103"], progress=False) == len(subtree("410103"))
    assert import_divisions(["410103"], progress=False) == 0
    district = OrgUnit.objects.get(code="410103")
    assert district.parent is None and district.short_name == "二七区"
    assert OrgUnit.objects.get(code="410103007007").parent.code == "410103007"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_district_loads_completely_and_only_once():
    result = load_demo(progress=False)
    units = OrgUnit.objects.filter(code__under="410102")
    assert units.filter(kind=Kind.STREET).count() == 14
    assert units.filter(kind=Kind.COMMUNITY).count() == 157
    grids = units.filter(kind=Kind.GRID).count()
    micro_grids = units.filter(kind=Kind.MICRO_GRID).count()
    # Zhengzhou's rule: 300–500 households a grid, 50–70 a micro-grid, so 5–10 micro-grids a grid.
    assert 157 * 3 <= grids <= 157 * 16
    assert 5 * grids <= micro_grids <= 10 * grids
    assert units.filter(kind=Kind.DEDICATED_GRID).count() == 6
    assert units.filter(kind=Kind.DEPARTMENT).count() == 14 * 4 + 5
    assert not units.exclude(kind=Kind.DEPARTMENT).filter(polygon__isnull=True).exists()

    # Every micro-grid's inner point lands in that micro-grid (or a dedicated grid on top).
    sample = list(units.filter(kind=Kind.MICRO_GRID).order_by("?")[:200])
    points = [shape(u.polygon).representative_point() for u in sample]
    found = selectors.units_at([(p.x, p.y) for p in points])
    assert all(f == u or f.kind == Kind.DEDICATED_GRID for f, u in zip(found, sample, strict=True))

    for username, role, code in DEMO_LOGINS:
        assert Posting.objects.filter(
            user__username=username, role=role, unit__code=code, active=True
        ).exists()
    assert Posting.objects.filter(role="grid_worker").count() == grids + 2
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="street").check_password(DEMO_PASSWORD)

    again = load_demo(progress=False)
    assert again["units_created"] == 0 and again["units"] == result["units"]
