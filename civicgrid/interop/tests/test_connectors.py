"""Work orders pushed over the API: one event per order, replays, conflicts, categories, keys;
progress pushed back by a department's own system."""

import datetime as dt
import json

import pytest

from civicgrid.accounts.tokens import issue_token
from civicgrid.core import privacy
from civicgrid.events import services
from civicgrid.events.models import Event, Status
from civicgrid.interop.models import CategoryMapping, Connector, WorkOrder

BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_a_push_reports_an_event_with_its_order_and_times(push, tree):
    response = push()
    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(number=body["event"])
    assert body["system"] == "12345" and body["order_number"] == "GD2026120300017"
    assert event.work_order.order_number == "GD2026120300017"
    assert event.source == "hotline"
    assert event.unit_id == tree.grid_a1_1.pk
    # The order's own times: created (no zone: Beijing) and its deadline as closure deadline.
    assert event.reported_at == dt.datetime(2026, 11, 16, 9, 30, tzinfo=BEIJING)
    assert event.closure_due == dt.datetime(2026, 11, 20, 18, 0, tzinfo=BEIJING)
    assert event.reporter_name == "张女士"
    assert "13800138000" not in event.reporter_phone  # sealed at rest
    assert privacy.decrypt(event.reporter_phone) == "13800138000"


def test_the_same_push_again_answers_the_same_event_and_makes_nothing(push):
    first = push()
    events, orders = Event.objects.count(), WorkOrder.objects.count()
    again = push()
    assert again.status_code == 200
    assert again.json()["event"] == first.json()["event"]
    assert (Event.objects.count(), WorkOrder.objects.count()) == (events, orders)


def test_the_same_number_with_other_content_is_a_conflict_naming_the_event(push):
    first = push().json()["event"]
    response = push(title="另一件事")
    assert response.status_code == 409
    error = response.json()["error"]
    assert first in error["message"]
    assert error["details"] == {"event": first}
    assert Event.objects.count() == 1


def test_an_unknown_category_code_is_a_400_naming_it_and_a_mapping_fixes_it(push, category):
    response = push(category="ZX-0815")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "category"
    assert "ZX-0815" in response.json()["error"]["message"]
    assert Event.objects.count() == 0
    CategoryMapping.objects.create(system="12345", code="ZX-0815", category=category)
    response = push(category="ZX-0815")
    assert response.status_code == 201
    assert Event.objects.get().category == category


def test_the_place_may_be_a_unit_code(push, tree):
    response = push(lat=None, long=None, address_id=tree.grid_a1_2.code)
    assert response.status_code == 201, response.content
    assert Event.objects.get().unit_id == tree.grid_a1_2.pk
    assert push(order_number="X2", lat=None, long=None, address_id="999").status_code == 400


def test_only_the_systems_key_pushes_and_a_role_without_rights_is_refused(
    push, staff, client, hotline, tree
):
    # Another staff member's key: not the system's.
    _t, alice_key = issue_token(user=staff["alice"], name="alice")
    response = push(key=alice_key)
    assert response.status_code == 403
    # The system's own account, when it holds only a resident's rights (no posting).
    connector, _key = hotline
    connector.user = staff["mallory"]
    connector.save()
    _t, mallory_key = issue_token(user=staff["mallory"], name="mallory")
    response = push(key=mallory_key)
    assert response.status_code == 403
    # No key at all; an unknown system.
    anonymous = client.post(
        "/api/v1/work-orders", data="{}", content_type="application/json"
    ).status_code
    assert anonymous == 401
    assert push(system="nowhere").status_code == 400
    assert Event.objects.count() == 0


def test_a_deadline_before_the_order_is_refused(push):
    response = push(deadline="2026-11-01T00:00:00+08:00")
    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_a_departments_system_reports_in_and_resolves_through_the_same_path(
    client, push, staff, tree
):
    number = push().json()["event"]
    event = Event.objects.get(number=number)
    event = services.accept_event(actor=staff["frank"], event=event)
    services.whistle_event(
        actor=staff["frank"], event=event, kind="routine", departments=[tree.police_a]
    )
    _t, key = issue_token(user=staff["erin"], name="police system")
    Connector.objects.create(
        system="police", name="派出所系统", user=staff["erin"], department=tree.police_a
    )

    def update(path: str, **body):
        return client.post(
            f"/api/v1/work-orders/{path}/updates",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    response = update(f"by-event/{number}", action="report_in", note="民警已到场")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.HANDLING
    # Reporting in twice is the workflow's conflict, not a second step.
    assert update(f"by-event/{number}", action="report_in").status_code == 409
    # The police's key may not speak for the 12345 order.
    assert update("12345/GD2026120300017", action="resolve", note="x").status_code == 403
    response = update(f"by-event/{number}", action="resolve", note="已劝离车辆")
    assert response.status_code == 400  # 2101 needs an after-photo: the service's own rule
    assert Event.objects.get(number=number).status == Status.HANDLING


def test_the_hotlines_key_updates_its_order_by_number(client, push, staff, hotline):
    number = push().json()["event"]
    response = client.post(
        "/api/v1/work-orders/12345/GD2026120300017/updates",
        data=json.dumps({"action": "start"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hotline[1]}",
    )
    # Nobody dispatched it yet: the workflow refuses, clearly.
    assert response.status_code == 409
    assert Event.objects.get(number=number).status == Status.REPORTED
    missing = client.post(
        "/api/v1/work-orders/12345/NOPE/updates",
        data=json.dumps({"action": "start"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hotline[1]}",
    )
    assert missing.status_code == 404


@pytest.mark.parametrize("source", ["hotline", "city_app"])
def test_staff_record_a_hotline_order_by_hand_and_a_clash_names_the_event(
    client, staff, category, source
):
    client.force_login(staff["frank"])
    form = {
        "title": "楼道堆物",
        "category": category.code,
        "lon": "113.53",
        "lat": "34.73",
        "source": source,
        "reporter_name": "李先生",
        "reporter_phone": "13900139000",
        "order_system": "12345",
        "order_number": "GD-1",
    }
    response = client.post("/events/report/", form)
    assert response.status_code == 302, response.content.decode()[:500]
    event = Event.objects.get()
    assert (event.source, event.reporter_name) == (source, "李先生")
    assert event.work_order.order_number == "GD-1"
    page = client.get(event.get_absolute_url()).content.decode()
    assert "GD-1" in page
    response = client.post("/events/report/", form | {"title": "又一件"})
    assert response.status_code == 400
    assert event.number in response.content.decode()
    assert Event.objects.count() == 1


def test_a_resident_may_not_record_an_order(client, staff, category):
    client.force_login(staff["mallory"])
    form = {"title": "路灯坏了", "category": category.code, "lon": "113.53", "lat": "34.73"}
    form |= {"reporter_phone": "13900139000", "order_system": "12345", "order_number": "GD-2"}
    client.post("/events/report/", form)
    assert not WorkOrder.objects.exists()
