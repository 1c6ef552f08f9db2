"""One login per role on the shared tree (civicgrid/conftest.py), like the demo's logins:
each role posted where the demo posts it, a volunteer with no posting, a party member with a
login and no posting, and a superuser."""

import pytest

from civicgrid.org.roles import Role


@pytest.fixture
def personas(tree, make_user):
    from civicgrid.party import services as party
    from civicgrid.volunteers import services as volunteers

    made = {
        "district": make_user("district", unit=tree.district, role=Role.DISTRICT_STAFF),
        "street": make_user("street", unit=tree.street_a, role=Role.STREET_STAFF),
        "community": make_user("community", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "gridleader": make_user("gridleader", unit=tree.community_a1, role=Role.GRID_LEADER),
        "gridworker": make_user("gridworker", unit=tree.grid_a1_1, role=Role.GRID_WORKER),
        "microleader": make_user(
            "microleader", unit=tree.micro_a1_1_1, role=Role.MICRO_GRID_LEADER
        ),
        "department": make_user("department", unit=tree.police_a, role=Role.DEPARTMENT_HANDLER),
        "leader": make_user("leader", unit=tree.district, role=Role.LEADER_READONLY),
        "admin": make_user("admin", is_superuser=True, is_staff=True),
    }
    staff = made["community"]
    volunteer = volunteers.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="李师傅", phone="13500001111"),
    )
    volunteer.user = make_user("volunteer")
    volunteer.save()
    made["volunteer"] = volunteer.user
    branch = party.save_branch(actor=staff, unit=tree.community_a1, name="第一支部", kind="branch")
    member = party.save_member(
        actor=staff, data=party.MemberData(name="王党员", branch=branch, phone="13600003333")
    )
    member.user = make_user("partymember")
    member.save()
    made["partymember"] = member.user
    made["nobody"] = make_user("nobody")
    return made
