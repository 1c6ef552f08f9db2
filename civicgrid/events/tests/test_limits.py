"""Rate limits on the events' public doors: the residents' report link, its tracking page, the
duplicate hint and Open311. Each door: N requests pass, the next from that address is a 429
with Retry-After, another address still passes, a forged X-Forwarded-For does not escape."""

import ipaddress
import itertools
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

ME, OTHER = "203.0.113.5", "203.0.113.6"


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        "report_ip": (2, 3600),
        "report_phone": (2, 86400),
        "track_ip": (2, 3600),
        "read_ip": (2, 3600),
        "nearby_ip": (2, 3600),
        "open311_ip": (2, 3600),
    }


_phones = itertools.count(13700000000)


def _report(client, address: str, phone: str = "", **extra):
    """A resident's report; a fresh phone number each time unless `phone` is given."""
    data = {"title": "楼道堆物", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]}
    data["reporter_phone"] = phone or str(next(_phones))
    return client.post(reverse("events:public_report"), data, REMOTE_ADDR=address, **extra)


def test_it_limits_public_reports_by_address(client, staff, tight):
    assert [_report(client, ME).status_code for _ in range(2)] == [302, 302]
    refused = _report(client, ME)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Event.objects.count() == 2
    # A forged X-Forwarded-For from a client that is no trusted proxy changes nothing.
    assert _report(client, ME, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert _report(client, OTHER).status_code == 302
    # Reading the form is not a report.
    assert client.get(reverse("events:public_report"), REMOTE_ADDR=ME).status_code == 200


def test_it_limits_public_reports_by_phone_across_addresses(client, staff, tight):
    assert _report(client, "203.0.113.1", "13800000000").status_code == 302
    assert _report(client, "203.0.113.2", "138-0000-0000").status_code == 302
    assert _report(client, "203.0.113.3", "+8613800000000").status_code == 429
    assert _report(client, "203.0.113.3", "13900000000").status_code == 302
    assert Event.objects.count() == 3


def test_behind_a_trusted_proxy_each_resident_has_their_own_count(client, staff, tight, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        assert _report(client, proxy["REMOTE_ADDR"], HTTP_X_FORWARDED_FOR=ME).status_code == 302
    # The resident cannot escape by putting a made-up address in front: the proxy appends hers.
    forged = f"198.51.100.9, {ME}"
    assert _report(client, "10.0.0.2", HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert _report(client, "10.0.0.2", HTTP_X_FORWARDED_FOR=OTHER).status_code == 302


def test_staff_reports_are_not_limited_as_public_ones(client, staff, tight):
    client.force_login(staff["alice"])
    for _ in range(3):
        response = client.post(
            reverse("events:report"),
            {"title": "占道", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]},
            REMOTE_ADDR=ME,
        )
        assert response.status_code == 302


def test_it_limits_the_tracking_page_and_its_rating(client, staff, report, tight):
    event = report(actor=None)
    url = reverse("events:track", args=[event.token])
    assert [client.get(url, REMOTE_ADDR=ME).status_code for _ in range(2)] == [200, 200]
    assert client.get(url, REMOTE_ADDR=ME).status_code == 429
    assert client.get(url, REMOTE_ADDR=OTHER).status_code == 200
    for _ in range(2):
        client.post(url, {"solved": "yes", "satisfaction": "satisfied"}, REMOTE_ADDR=ME)
    refused = client.post(url, {"solved": "yes", "satisfaction": "satisfied"}, REMOTE_ADDR=ME)
    assert refused.status_code == 429 and refused["Retry-After"]


def test_it_limits_the_duplicate_hint(client, staff, tight):
    url = reverse("events:nearby")
    query = {"category": "2101", "lon": A1_1[0], "lat": A1_1[1]}
    assert [client.get(url, query, REMOTE_ADDR=ME).status_code for _ in range(2)] == [200, 200]
    assert client.get(url, query, REMOTE_ADDR=ME).status_code == 429
    assert client.get(url, query, REMOTE_ADDR=ME, HTTP_X_FORWARDED_FOR=OTHER).status_code == 429
    assert client.get(url, query, REMOTE_ADDR=OTHER).status_code == 200


def _open311(name, *args, fmt="json"):
    return reverse(f"open311:{name}", args=[*args, fmt])


def test_it_limits_open311_posts_with_the_spec_error(client, staff, tight):
    key = issue_token(user=staff["alice"], name="test")[1]
    data = {"api_key": key, "service_code": "1101", "lat": A1_1[1], "long": A1_1[0]}
    data["attribute[hazard]"] = "missing"
    for _ in range(2):
        assert client.post(_open311("requests"), data, REMOTE_ADDR=ME).status_code == 201
    refused = client.post(_open311("requests", fmt="xml"), data, REMOTE_ADDR=ME)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    error = ET.fromstring(refused.content).find("error")
    assert error.find("code").text == "429" and error.find("description").text
    refused = client.post(_open311("requests"), data, REMOTE_ADDR=ME)
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429
    assert client.post(_open311("requests"), data, REMOTE_ADDR=OTHER).status_code == 201
    assert Event.objects.count() == 3


def test_open311_counts_a_phone_with_the_residents_page(client, staff, tight):
    key = issue_token(user=staff["alice"], name="test")[1]
    data = {"api_key": key, "service_code": "1101", "lat": A1_1[1], "long": A1_1[0]}
    data["attribute[hazard]"] = "missing"
    assert _report(client, "203.0.113.1", "13800000000").status_code == 302
    phoned = data | {"phone": "13800000000"}
    assert client.post(_open311("requests"), phoned, REMOTE_ADDR=OTHER).status_code == 201
    refused = client.post(_open311("requests"), phoned, REMOTE_ADDR=OTHER)
    assert refused.status_code == 429
    assert Event.objects.count() == 2


def test_it_limits_open311_reads(client, staff, report, tight):
    from civicgrid.events.open311 import request_token

    event = report()
    url = _open311("token", request_token(event))
    assert [client.get(url, REMOTE_ADDR=ME).status_code for _ in range(2)] == [200, 200]
    assert client.get(url, REMOTE_ADDR=ME).status_code == 429
    assert client.get(_open311("services"), REMOTE_ADDR=ME).status_code == 429
    assert client.get(url, REMOTE_ADDR=OTHER).status_code == 200
