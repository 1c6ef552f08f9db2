"""The service order machine for the shared workflow property test
(civicgrid/tests/test_workflows.py)."""

from decimal import Decimal

from civicgrid.org.roles import Role
from civicgrid.tests.walking import Walk
from civicgrid.volunteers import rollups, services
from civicgrid.volunteers.tests.conftest import build_service


def walk_orders(request) -> Walk:
    tree = request.getfixturevalue("tree")
    make_user = request.getfixturevalue("make_user")
    service = build_service(tree, make_user)
    elsewhere = make_user("grace", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    zhou = services.register_volunteer(
        actor=elsewhere,
        unit=tree.community_b1,
        data=services.VolunteerData(name="周师傅", phone="13700002222"),
    )
    zhou.user = make_user("zhou")
    zhou.save()
    cast = {
        "cathy": service.staff,  # community staff
        "li": service.li.user,  # volunteer
        "wang": service.wang.user,  # volunteer and party member
        "zhou": zhou.user,  # a volunteer of another community
        "resident": None,  # holds the order's link
    }

    def start():
        return services.place_order(
            actor=None,
            unit=tree.community_a1,
            item=service.repair,
            name="张秀英",
            phone="13812345678",
            address="保利百合3号楼2单元501",
        )

    def link(actor, order) -> str:
        # Only the resident has the link; staff and volunteers act under their own name.
        return order.token if actor is None else ""

    steps = {
        "take": lambda a, o: services.take_order(actor=a, order=o),
        "assign": lambda a, o: services.assign_order(
            actor=a,
            order=o,
            volunteer=service.wang if o.volunteer_id == service.li.pk else service.li,
        ),
        "complete": lambda a, o: services.complete_order(
            actor=a, order=o, hours=Decimal("1.5"), report="更换电源板"
        ),
        "cancel": lambda a, o: services.cancel_order(
            actor=a, order=o, reason="不用了", token=link(a, o)
        ),
        "rate": lambda a, o: services.rate_order(
            actor=a, order=o, token=link(a, o), rating=4, comment="很耐心"
        ),
    }
    return Walk(start=start, steps=steps, people=cast, recount=rollups.check_all)


WALKS = {"volunteers.ServiceOrder": walk_orders}
