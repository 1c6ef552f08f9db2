import json

import pytest
from django.utils import translation

from civicgrid.conftest import square
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.org import services
from civicgrid.org.kinds import DedicatedKind, DepartmentKind, Kind
from civicgrid.org.models import OrgUnit, Posting, TreeRevision, UnitChange
from civicgrid.org.roles import Role
from civicgrid.org.scoping import scope


@pytest.fixture(autouse=True)
def english():
    """Messages are checked against their English source; the Chinese is checked in pages."""
    with translation.override("en"):
        yield


def counts():
    return OrgUnit.objects.count(), Posting.objects.count(), UnitChange.objects.count()


@pytest.fixture
def unchanged(tree):
    """Asserts that the test body left no half-saved rows behind."""
    before = counts()
    yield
    assert counts() == before


def test_it_allocates_codes_by_kind(tree):
    assert tree.grid_a1_1.code == "410102001001001"
    assert tree.grid_a1_2.code == "410102001001002"
    assert tree.micro_a1_1_1.code == "410102001001001001"
    assert tree.police_a.code == "410102001901"
    dedicated = services.create_unit(
        actor=None,
        parent=tree.community_a1,
        kind=Kind.DEDICATED_GRID,
        subkind=DedicatedKind.OFFICE_BUILDING,
        name="东方大厦",
        polygon=square(113.51, 34.71, 113.515, 34.715),
    )
    assert dedicated.code == "410102001001801"


def test_it_logs_each_creation_and_bumps_the_revision_for_polygons(tree):
    revision = TreeRevision.objects.get().revision
    unit = services.create_unit(
        actor=None,
        parent=tree.grid_a1_2,
        kind=Kind.MICRO_GRID,
        name="微网格",
        polygon=square(113.55, 34.7, 113.56, 34.71),
    )
    assert UnitChange.objects.filter(unit=unit, action="created").count() == 1
    assert TreeRevision.objects.get().revision != revision
    assert unit.centre_lon == pytest.approx(113.555, abs=0.005)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"kind": Kind.GRID, "code": "410102001099"}, "parent", "cannot be placed under"),
        ({"kind": Kind.COMMUNITY, "code": "41010200109"}, "code", "is not a child code"),
        ({"kind": Kind.COMMUNITY, "code": "410103001009"}, "code", "is not a child code"),
        ({"kind": Kind.COMMUNITY, "code": "41010200100A"}, "code", "digits only"),
        ({"kind": Kind.COMMUNITY, "code": "410102001000"}, "code", "cannot all be zero"),
        ({"kind": Kind.COMMUNITY, "code": "410102001001"}, "code", "already taken"),
        ({"kind": "village", "code": "410102001009"}, "kind", "Unknown unit kind"),
        ({"kind": Kind.COMMUNITY, "name": "  "}, "name", "needs a name"),
        ({"kind": Kind.DEPARTMENT}, "subkind", "Choose one of"),
    ],
)
def test_it_rejects_bad_units_with_a_clear_error(tree, unchanged, kwargs, field, message):
    arguments = {"name": "新单位", **kwargs}
    with pytest.raises((InvalidInput, Conflict)) as caught:
        services.create_unit(actor=None, parent=tree.street_a, **arguments)
    assert caught.value.field == field
    assert message in caught.value.message


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[113.51, 34.71], [113.53, 34.73], [113.53, 34.71], [113.51, 34.73], [113.51, 34.71]]
    ],
}


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        (BOWTIE, "Self-intersection"),
        ("{not json", "not valid JSON"),
        ({"type": "Point", "coordinates": [113.5, 34.7]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[113.5, 34.7], [113.6, 34.7]]]}, "malformed"),
        (square(34.7, 113.5, 34.72, 113.52), "outside China"),
        (square(113.55, 34.7, 113.56, 34.71), "overlaps 甲一第2网格"),
        (square(113.45, 34.7, 113.52, 34.72), "partly outside 甲一社区"),
    ],
)
def test_it_rejects_bad_polygons_with_a_clear_error(tree, unchanged, polygon, message):
    with pytest.raises(InvalidInput) as caught:
        services.create_unit(
            actor=None, parent=tree.community_a1, kind=Kind.GRID, name="新网格", polygon=polygon
        )
    assert caught.value.field == "polygon"
    assert message in caught.value.message


def test_it_accepts_polygons_as_geojson_text_and_features(tree):
    feature = {"type": "Feature", "properties": {}, "geometry": square(113.6, 34.75, 113.7, 34.8)}
    unit = services.create_unit(
        actor=None,
        parent=tree.street_b,
        kind=Kind.COMMUNITY,
        name="乙二社区",
        polygon=json.dumps(feature),
    )
    assert unit.polygon["type"] == "Polygon"


def test_a_dedicated_grid_may_lie_over_ordinary_grids_but_not_over_another(tree):
    office = services.create_unit(
        actor=None,
        parent=tree.community_a1,
        kind=Kind.DEDICATED_GRID,
        subkind=DedicatedKind.OFFICE_BUILDING,
        name="海一云商",
        polygon=square(113.54, 34.71, 113.56, 34.72),
    )
    assert office.pk
    with pytest.raises(InvalidInput, match="overlaps 海一云商"):
        services.create_unit(
            actor=None,
            parent=tree.community_a1,
            kind=Kind.DEDICATED_GRID,
            subkind=DedicatedKind.MARKET,
            name="农贸市场",
            polygon=square(113.55, 34.71, 113.57, 34.72),
        )


def test_it_moves_a_subtree_and_rewrites_every_code_in_one_go(tree, people):
    # A community handed to another street is redrawn too; here it simply loses its outline.
    services.update_unit(actor=None, unit=tree.community_a1, polygon=None)
    services.move_unit(actor=None, unit=tree.community_a1, new_parent=tree.street_b)
    moved = OrgUnit.objects.get(pk=tree.community_a1.pk)
    assert moved.code == "410102002002" and moved.parent_id == tree.street_b.pk
    assert OrgUnit.objects.get(pk=tree.micro_a1_1_1.pk).code == "410102002002001001"
    alice_posting = Posting.objects.get(user=people["alice"])
    assert alice_posting.unit_code == "410102002002001"
    assert not OrgUnit.objects.filter(code__under="410102001001").exists()
    assert (
        UnitChange.objects.filter(unit=moved, action="moved").get().before["code"] == "410102001001"
    )
    # Carol (street A) no longer sees the community; a fresh user object re-reads postings.
    carol = type(people["carol"]).objects.get(pk=people["carol"].pk)
    assert not scope(OrgUnit.objects.all(), carol, "code").filter(pk=moved.pk).exists()


def test_it_refuses_to_move_a_unit_under_itself(tree, unchanged):
    with pytest.raises(InvalidInput, match="under itself"):
        services.move_unit(actor=None, unit=tree.community_a1, new_parent=tree.community_a1)


def test_it_refuses_a_move_whose_polygon_does_not_fit(tree, unchanged):
    with pytest.raises(InvalidInput, match="partly outside"):
        services.move_unit(actor=None, unit=tree.grid_a1_1, new_parent=tree.community_b1)


def test_only_managers_above_a_unit_may_change_it(tree, people, unchanged):
    with pytest.raises(NotAllowed):
        services.create_unit(
            actor=people["alice"], parent=tree.grid_a1_1, kind=Kind.MICRO_GRID, name="x"
        )
    with pytest.raises(NotAllowed):
        services.create_unit(
            actor=people["carol"], parent=tree.street_b, kind=Kind.COMMUNITY, name="x"
        )
    with pytest.raises(NotAllowed):
        services.create_unit(
            actor=people["dave"], parent=tree.street_a, kind=Kind.COMMUNITY, name="x"
        )
    with pytest.raises(NotAllowed):
        services.move_unit(actor=people["carol"], unit=tree.community_a1, new_parent=tree.street_b)
    with pytest.raises(NotAllowed):
        services.update_unit(actor=people["carol"], unit=tree.street_a, name="改名")


def test_a_street_officer_manages_units_in_her_street(tree, people):
    unit = services.create_unit(
        actor=people["carol"], parent=tree.community_a1, kind=Kind.GRID, name="甲一第3网格"
    )
    services.update_unit(actor=people["carol"], unit=unit, name="甲一第三网格")
    assert OrgUnit.objects.get(pk=unit.pk).name == "甲一第三网格"


def test_it_will_not_deactivate_a_unit_with_active_sub_units(tree, unchanged):
    with pytest.raises(InvalidInput, match="active sub-units"):
        services.update_unit(actor=None, unit=tree.grid_a1_1, active=False)


def test_postings_must_fit_the_units_kind_and_the_unit_must_be_active(tree, make_user):
    user = make_user("zoe")
    before = counts()
    with pytest.raises(InvalidInput, match="is posted to a"):
        services.post_user(actor=None, user=user, unit=tree.street_a, role=Role.GRID_WORKER)
    services.update_unit(actor=None, unit=tree.grid_a1_2, active=False)
    with pytest.raises(InvalidInput, match="inactive"):
        services.post_user(actor=None, user=user, unit=tree.grid_a1_2, role=Role.GRID_WORKER)
    services.update_unit(actor=None, unit=tree.grid_a1_2, active=True)
    assert counts()[:2] == before[:2]


def test_a_posting_cannot_be_held_twice(tree, people):
    with pytest.raises(Conflict):
        services.post_user(
            actor=None, user=people["alice"], unit=tree.grid_a1_1, role=Role.GRID_WORKER
        )


def test_departments_hang_under_districts_and_streets_only(tree, unchanged):
    with pytest.raises(InvalidInput, match="cannot be placed under"):
        services.create_unit(
            actor=None,
            parent=tree.community_a1,
            kind=Kind.DEPARTMENT,
            subkind=DepartmentKind.FIRE,
            name="消防",
        )
