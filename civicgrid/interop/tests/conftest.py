import json

import pytest

from civicgrid.events.tests.conftest import (  # noqa: F401  (fixtures shared with events)
    A1_1,
    category,
    fire,
    plain_category,
    report,
    staff,
)


@pytest.fixture
def hotline(staff, tree, make_user):  # noqa: F811
    """The 12345 hotline's connector, pushed for by a district account with its API key."""
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.interop.models import Connector
    from civicgrid.org.roles import Role

    user = make_user("hotline", unit=tree.district, role=Role.DISTRICT_STAFF)
    _token, key = issue_token(user=user, name="12345")
    connector = Connector.objects.create(
        system="12345", name="12345热线", source="hotline", user=user
    )
    return connector, key


@pytest.fixture
def push(client, hotline):
    """POST an order to /api/v1/work-orders with the hotline's key (or `key`)."""

    def send(key=None, **fields):
        body = {
            "system": "12345",
            "order_number": "GD2026120300017",
            "title": "小区消防通道被堵",
            "category": "2101",
            "lat": A1_1[1],
            "long": A1_1[0],
            "created_time": "2026-11-16T09:30:00",
            "deadline": "2026-11-20T18:00:00+08:00",
            "caller_name": "张女士",
            "caller_phone": "13800138000",
        } | fields
        return client.post(
            "/api/v1/work-orders",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key or hotline[1]}",
        )

    return send
