"""Volunteer services: orders from the menu, taking, finishing, rating; records, hours,
certificates; the points seam for party members."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events.tests.conftest import jpeg
from civicgrid.party.models import PointEntry, PointKind
from civicgrid.volunteers import rollups, services
from civicgrid.volunteers.models import OrderStatus, VolunteerRecord, VolunteerRollup


def test_numbers_phones_and_party_members(service):
    assert service.li.number.endswith("-0001") and service.wang.number.endswith("-0002")
    assert service.wang.member == service.member
    assert service.wang.id_masked == "410102************"
    with pytest.raises(InvalidInput):
        services.register_volunteer(
            actor=service.staff,
            unit=service.li.unit,
            data=services.VolunteerData(name="重复", phone="135 0000 1111"),
        )


def test_a_unit_orders_only_what_its_menu_offers(service, tree, order):
    with pytest.raises(InvalidInput) as error:
        services.place_order(
            actor=None,
            unit=tree.community_b1,
            item=service.repair,
            name="x",
            phone="13800000000",
            address="y",
        )
    assert error.value.field == "item"
    made = order()
    assert made.status == OrderStatus.ORDERED and made.phone_masked == "138****5678"


def test_take_finish_rate(service, order, people):
    made = order()
    with pytest.raises(NotAllowed):
        services.take_order(actor=people["alice"], order=made)
    services.take_order(actor=service.li.user, order=made)
    with pytest.raises(Conflict) as error:
        services.take_order(actor=service.wang.user, order=made)
    assert "李师傅" in error.value.message
    with pytest.raises(NotAllowed):
        services.complete_order(
            actor=service.wang.user, order=made, hours=Decimal(1), report="修好"
        )
    with pytest.raises(InvalidInput):
        services.complete_order(actor=service.li.user, order=made, hours=Decimal(0), report="修好")
    done = services.complete_order(
        actor=service.li.user,
        order=made,
        hours=Decimal("1.5"),
        report="更换电源板",
        photos=[jpeg()],
    )
    assert done.status == OrderStatus.DONE and done.photos.count() == 1
    with pytest.raises(NotAllowed):
        services.rate_order(actor=None, order=made, token="x", rating=5)
    services.rate_order(actor=None, order=made, token=made.token, rating=5, comment="师傅很耐心")
    with pytest.raises(Conflict):
        services.rate_order(actor=None, order=made, token=made.token, rating=4)
    service.li.refresh_from_db()
    assert (service.li.hours, service.li.services, service.li.rating) == (Decimal("1.5"), 1, 5)
    assert [s.action for s in made.steps.all()] == ["order", "take", "complete", "rate"]


def test_a_party_member_earns_volunteering_points_once(service, order):
    made = order()
    services.assign_order(actor=service.staff, order=made, volunteer=service.wang)
    services.complete_order(actor=service.staff, order=made, hours=Decimal(2), report="清洗空调")
    entry = PointEntry.objects.get()
    assert (entry.member, entry.kind, entry.source) == (
        service.member,
        PointKind.VOLUNTEERING,
        f"order:{made.pk}",
    )


def test_cancel_by_link_or_staff_only(service, order):
    made = order()
    with pytest.raises(NotAllowed):
        services.cancel_order(actor=None, order=made, reason="不用了", token="guess")
    services.cancel_order(actor=None, order=made, reason="不用了", token=made.token)
    with pytest.raises(Conflict):
        services.take_order(actor=service.li.user, order=made)


def test_hours_and_figures_equal_recounts(service, order):
    for hours in ("1", "2.5", "0.5"):
        made = order()
        services.take_order(actor=service.li.user, order=made)
        services.complete_order(
            actor=service.li.user, order=made, hours=Decimal(hours), report="好"
        )
    order()  # still waiting
    services.add_record(
        actor=service.staff,
        volunteer=service.li,
        kind="training",
        day=service.li.registered_on,
        content="家电安全培训",
    )
    service.li.refresh_from_db()
    services_hours = VolunteerRecord.objects.filter(volunteer=service.li).aggregate(h=Sum("hours"))[
        "h"
    ]
    assert service.li.hours == services_hours == Decimal(4)
    rollup = VolunteerRollup.objects.aggregate(o=Sum("ordered"), d=Sum("done"), m=Sum("minutes"))
    assert rollup == {"o": 4, "d": 3, "m": 240}
    rollups.rebuild_rollups()
    assert rollup == VolunteerRollup.objects.aggregate(
        o=Sum("ordered"), d=Sum("done"), m=Sum("minutes")
    )
    certificate = services.issue_certificate(actor=service.staff, volunteer=service.li)
    assert certificate.hours == Decimal(4) and certificate.number.startswith("ZYZM")
    assert certificate.content == "Appliance repair"
    with pytest.raises(Conflict):
        services.issue_certificate(actor=service.staff, volunteer=service.wang)


def test_too_many_photos_of_a_finished_order_are_refused(service, order, settings):
    settings.PHOTO_MAX_FILES = 2
    made = order()
    services.take_order(actor=service.li.user, order=made)
    with pytest.raises(InvalidInput) as error:
        services.complete_order(
            actor=service.li.user,
            order=made,
            hours=Decimal(1),
            report="好",
            photos=[jpeg(f"{i}.jpg") for i in range(3)],
        )
    assert error.value.field == "photos"
