"""What the 查/听 tests share (imported by tests/test_check*.py, test_inspection*.py): street A of
the shared tree with a second community (A2, one grid), a RUNNING plan of street A for this
year with alice (grid A1-1) and bob (grid A1-2) in scope, the assessor carol (street A's
staff), and a few ledger rows. Plans and workers are built with the models directly: the plan's
services belong to another part."""

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicgrid.assessment.models import Plan, PlanStatus, PlanWorker
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.org.roles import Role
from civicgrid.people import ledger_rollups
from civicgrid.people.models import Household, Person, Place


@dataclass
class Setup:
    plan: Plan
    alice: PlanWorker
    bob: PlanWorker
    carol: object  # street A's staff: the assessor
    sven: object  # street B's staff
    community_a2: object
    grid_a2_1: object


def build(tree, people, make_user, *, status=PlanStatus.RUNNING) -> Setup:
    a2 = org_services.create_unit(
        actor=None, parent=tree.street_a, kind=Kind.COMMUNITY, name="甲二社区"
    )
    grid = org_services.create_unit(actor=None, parent=a2, kind=Kind.GRID, name="甲二第1网格")
    sven = make_user("sven", unit=tree.street_b, role=Role.STREET_STAFF)
    plan = Plan.objects.create(
        unit=tree.street_a,
        title="甲街道网格员考核",
        year=timezone.localdate().year,
        status=status,
        created_by=people["carol"],
        created_at=timezone.now(),
    )
    alice = PlanWorker.objects.create(
        plan=plan,
        worker=people["alice"],
        community=tree.community_a1,
        grid_codes=[tree.grid_a1_1.code],
    )
    bob = PlanWorker.objects.create(
        plan=plan,
        worker=people["bob"],
        community=tree.community_a1,
        grid_codes=[tree.grid_a1_2.code],
    )
    return Setup(plan, alice, bob, people["carol"], sven, a2, grid)


def ledger(grid, n: int = 3) -> list[Person]:
    """A household with `n` members (the first its head), and a shop, in `grid`."""
    household = Household.objects.create(unit=grid, address=f"{grid.name}1号楼101")
    persons = [
        Person.objects.create(
            unit=grid,
            name=name,
            gender="1",
            household=household,
            relation="head" if i == 0 else "child",
            id_masked="410102************",
            phone_masked="138****5678",
        )
        for i, name in enumerate(["张建国", "张小明", "张小红", "张小刚"][:n])
    ]
    Place.objects.create(unit=grid, name=f"{grid.name}便利店", kind="shop", address="纺机路1号")
    # Rows made around the services: counted in the basic-data rollup as the services would.
    ledger_rollups.add_objects(persons=persons, households=[household])
    return persons


def jpeg(name: str = "inspection.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def sample_all(setup, tree, count_communities: int = 2, count_grids: int = 3):
    """Draw every community and every grid of street A (so alice and bob are in the sample)."""
    from civicgrid.assessment import checks

    checks.draw_communities(actor=setup.carol, plan=setup.plan, count=count_communities)
    return checks.draw_grids(actor=setup.carol, plan=setup.plan, count=count_grids)


ASPECTS = {
    "on_duty": ("22", "按时在岗"),
    "key_work": ("20.5", "重点人群走访到位"),
    "discipline": ("25", ""),
    "service": ("18", "群众反映回应稍慢"),
}
