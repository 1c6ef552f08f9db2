"""Rate limits on the classes' public doors (pages and API): each door lets N requests from one
address through, refuses the next with 429 and Retry-After, and still serves another address;
phone-keyed doors also count one phone across addresses."""

import pytest

from civicgrid.classes import services

pytestmark = pytest.mark.django_db

ME, OTHER = "203.0.113.5", "203.0.113.6"


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        name: (2, 3600)
        for name in (
            "enrol_ip",
            "enrol_phone",
            "topic_ip",
            "topic_phone",
            "checkin_ip",
            "checkin_phone",
            "track_ip",
            "read_ip",
        )
    }


def _codes(call, times: int) -> list[int]:
    return [call().status_code for _ in range(times)]


def _refused(response) -> bool:
    return response.status_code == 429 and int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    "form",
    [
        {"action": "enrol", "name": "甲"},
        {"action": "propose", "title": "学用智能手机", "name": "甲"},
        {"action": "support"},
    ],
)
def test_the_public_page_forms_are_limited_by_address(
    client, classroom, session, tree, tight, form
):
    s = session(capacity=30)
    topic = services.propose_topic(
        unit=tree.community_a1, title="防诈骗", proposer="乙", phone="13900000000"
    )
    url = f"/classes/c/{tree.community_a1.code}/"
    phones = iter(f"1380000{n:04d}" for n in range(100))

    def post(address=ME, **extra):
        data = form | {"session": s.pk, "topic": topic.pk, "phone": next(phones)}
        return client.post(url, data, REMOTE_ADDR=address, **extra)

    assert 429 not in _codes(post, 2)
    assert _refused(post())
    assert _refused(post(HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert post(OTHER).status_code != 429
    # The page itself still shows.
    assert client.get(url, REMOTE_ADDR=ME).status_code == 200


def test_the_public_page_forms_are_limited_by_phone(client, classroom, session, tree, tight):
    s = session(capacity=30)
    url = f"/classes/c/{tree.community_a1.code}/"
    addresses = iter(f"203.0.113.{n}" for n in range(10, 20))

    def enrol(phone="13800000001"):
        data = {"action": "enrol", "session": s.pk, "name": "甲", "phone": phone}
        return client.post(url, data, REMOTE_ADDR=next(addresses))

    assert 429 not in _codes(enrol, 2)
    assert _refused(enrol("138-0000-0001"))
    assert enrol("13800000002").status_code != 429


def test_the_enrolment_page_and_check_in_are_limited(client, classroom, session, tree, tight):
    s = session(capacity=30)
    made = services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    mine = f"/classes/e/{made.token}/"
    assert _codes(lambda: client.get(mine, REMOTE_ADDR=ME), 2) == [200, 200]
    assert _refused(client.get(mine, REMOTE_ADDR=ME))
    assert client.get(mine, REMOTE_ADDR=OTHER).status_code == 200
    assert 429 not in _codes(lambda: client.post(mine, {"action": "rate"}, REMOTE_ADDR=ME), 2)
    assert _refused(client.post(mine, {"action": "cancel"}, REMOTE_ADDR=ME))

    checkin = f"/classes/q/{s.checkin_token}/"
    phones = iter(["13800000005", "13800000006", "13800000007", "13800000008"])

    def check_in(address=ME):
        return client.post(checkin, {"phone": next(phones)}, REMOTE_ADDR=address)

    assert 429 not in _codes(check_in, 2)
    assert _refused(check_in())
    assert check_in(OTHER).status_code != 429


def test_the_public_api_is_limited_with_the_error_shape(client, classroom, session, tree, tight):
    s = session(capacity=30)
    base = "/api/v1/classes/public"
    phones = iter(f"1380000{n:04d}" for n in range(100))

    def enrol(address=ME):
        return client.post(
            f"{base}/sessions/{s.pk}/enrolments",
            {"name": "甲", "phone": next(phones)},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    assert 429 not in _codes(enrol, 2)
    refused = enrol()
    assert _refused(refused) and refused.json()["error"]["details"]["retry_after"] > 0
    assert enrol(OTHER).status_code != 429

    def sessions(address=ME):
        return client.get(f"{base}/{tree.community_a1.code}/sessions", REMOTE_ADDR=address)

    assert _codes(sessions, 2) == [200, 200]
    assert _refused(sessions()) and "error" in sessions().json()
    assert client.get(f"{base}/enrolments/nope", REMOTE_ADDR=ME).status_code == 429
    assert sessions(OTHER).status_code == 200

    def cancel(address=ME):
        return client.post(f"{base}/enrolments/nope/cancel", REMOTE_ADDR=address)

    assert _codes(cancel, 2) == [404, 404]
    assert _refused(cancel())
    assert cancel(OTHER).status_code == 404
