"""Query counts of the volunteer service lists, pinned: the same with one row as with many, so
an N+1 (a query per order, volunteer, item, team, record…) breaks a pin."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.events.tests.conftest import jpeg
from civicgrid.volunteers import services


@pytest.fixture
def grow(service, order, tree):
    """Adds to community A1 a team, a menu item, a volunteer in the team, and three orders:
    one waiting, one taken by 李师傅 and one he finished with a photo, plus a record of his.
    Returns the orders he finished so far."""
    staff, li = service.staff, service.li
    done = []

    def add(count: int) -> list:
        for _ in range(count):
            i = len(done)
            team = services.save_team(actor=staff, unit=tree.community_a1, name=f"服务队{i}")
            item = services.save_item(
                actor=staff, unit=tree.community_a1, name=f"服务{i}", category="repair", team=team
            )
            services.register_volunteer(
                actor=staff,
                unit=tree.community_a1,
                data=services.VolunteerData(
                    name=f"志愿者{i}", phone=f"1350000{i:04d}", teams=[team]
                ),
            )
            order(item=item, note="waiting")
            services.take_order(actor=li.user, order=order(item=item))
            finished = services.take_order(actor=li.user, order=order(item=item))
            done.append(
                services.complete_order(
                    actor=li.user,
                    order=finished,
                    hours=Decimal(1),
                    report=f"修好了{i}",
                    photos=[jpeg()],
                )
            )
            services.add_record(
                actor=staff,
                volunteer=li,
                kind="training",
                day=timezone.localdate() - dt.timedelta(days=i),
                content=f"培训{i}",
            )
        return done

    return add


def test_the_volunteer_lists_cost_the_same_for_one_row_as_for_six(
    client, service, tree, grow, pinned
):
    code = tree.community_a1.code
    finished = grow(1)[0]
    staff_pages = {
        f"/volunteers/u/{code}/": 14,
        f"/volunteers/orders/{finished.pk}/": 11,
        f"/volunteers/v/{service.li.pk}/": 9,
        f"/api/v1/volunteers/units/{code}/orders": 5,
    }
    own = {"/volunteers/my/": 9}
    public = {
        f"/volunteers/c/{code}/": 2,
        f"/volunteers/c/{code}/wall/": 3,
        f"/volunteers/o/{finished.token}/": 2,
        f"/api/v1/volunteers/public/{code}/menu": 2,
    }
    client.force_login(service.staff)
    pinned(staff_pages)
    client.force_login(service.li.user)
    pinned(own)
    client.logout()
    pinned(public)
    grow(5)
    client.force_login(service.staff)
    bodies = pinned(staff_pages)
    assert "服务5" in bodies[f"/volunteers/u/{code}/"]
    assert "志愿者5" in bodies[f"/volunteers/u/{code}/"]
    assert "培训5" in bodies[f"/volunteers/v/{service.li.pk}/"]
    assert len(json.loads(bodies[f"/api/v1/volunteers/units/{code}/orders"])) == 6 * 3
    client.force_login(service.li.user)
    assert "服务5" in pinned(own)["/volunteers/my/"]
    client.logout()
    bodies = pinned(public)
    assert "服务5" in bodies[f"/volunteers/c/{code}/"]
    assert "李师傅" in bodies[f"/volunteers/c/{code}/wall/"]
    menu = json.loads(bodies[f"/api/v1/volunteers/public/{code}/menu"])
    assert {"服务5", "家电维修"} <= {item["name"] for item in menu}
