"""Mediation in the JSON API: scoped per role like the pages, parties with masked phones only,
the chain's steps with optimistic concurrency, the pool, consultations and figures."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from civicgrid.accounts.tokens import issue_token
from civicgrid.mediation import services
from civicgrid.mediation.tests.conftest import an_hour_ago, dispute
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db
API = "/api/v1/mediation"


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='t')[1]}"}


def _post(client, url, body, auth):
    return client.post(url, json.dumps(body, default=str), content_type="application/json", **auth)


def test_cases_are_seen_by_the_desk_and_their_mediators_only(
    client, desk, walk_in, tree, people, make_user
):
    case = walk_in()
    services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    walk_in(title="另一个案件")  # no lead: the mediator does not see it
    for user, count in ((desk.staff, 2), (people["carol"], 2), (desk.mediator_user, 1)):
        answer = client.get(f"{API}/cases", **_auth(user))
        assert answer.status_code == 200 and len(answer.json()) == count, user
    other = make_user("olga", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    for user in (people["alice"], people["erin"], people["dave"], people["mallory"], other):
        auth = _auth(user)
        assert client.get(f"{API}/cases", **auth).json() == [], user
        assert client.get(f"{API}/cases/{case.pk}", **auth).status_code == 404
        assert (
            _post(client, f"{API}/cases/{case.pk}/steps/risk", {"risk": "high"}, auth).status_code
            == 404
        )
    assert client.get(f"{API}/cases").status_code == 401
    filtered = client.get(f"{API}/cases?status=accepted&kind=neighbour", **_auth(desk.staff))
    assert [c["id"] for c in filtered.json()] == [case.pk]
    assert client.get(f"{API}/cases?unit=410102002", **_auth(desk.staff)).json() == []
    assert (
        client.get(f"{API}/cases?limit=1&offset=1", **_auth(desk.staff)).json()[0]["id"] == case.pk
    )


def test_the_detail_shows_masked_phones_only(client, desk, walk_in):
    case = walk_in()
    body = client.get(f"{API}/cases/{case.pk}", **_auth(desk.staff))
    assert body.status_code == 200
    data = body.json()
    text = body.content.decode()
    assert "13812345678" not in text and "13987654321" not in text
    assert {p["name"] for p in data["parties"]} == {"张三", "李四"}
    assert all("****" in p["phone_masked"] for p in data["parties"])
    assert "id_number" not in text and "phone_hash" not in text
    assert data["steps"][0]["action"] == "receive"
    assert data["document_number"].startswith(f"〔{case.year}〕")


def test_a_case_runs_its_chain_through_the_api(client, desk, tree):
    staff, other, mia = _auth(desk.staff), _auth(desk.other_staff), _auth(desk.mediator_user)
    created = _post(
        client,
        f"{API}/cases",
        {
            "unit": tree.community_a1.code,
            "channel": "hotline",
            "title": "物业费纠纷",
            "kind": "property",
            "facts": "业主拒交物业费",
            "amount": "1200",
            "parties": [
                {"role": "applicant", "name": "王五", "phone": "13700001111", "age": 60},
                {"role": "respondent", "name": "某物业公司"},
            ],
        },
        staff,
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert "13700001111" not in created.content.decode()
    url = f"{API}/cases/{case['id']}/steps"
    accepted = _post(client, f"{url}/accept", {"version": 1, "lead": desk.lead.pk}, staff)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # A stale version is a 409 and changes nothing.
    stale = _post(client, f"{url}/decline", {"version": 1, "note": "不属于调解范围"}, staff)
    assert stale.status_code == 409
    # The mediator may not decline: 403.
    refused = _post(client, f"{url}/decline", {"note": "x"}, mia)
    assert refused.status_code == 403
    # Bad input: 400 naming the field.
    bad = _post(client, f"{url}/session", {"notes": "谈话"}, mia)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "held_at"
    party = accepted.json()["parties"][0]["id"]
    session = _post(
        client,
        f"{url}/session",
        {
            "held_at": an_hour_ago().isoformat(),
            "notes": "双方陈述",
            "venue": desk.room.pk,
            "parties": [party],
        },
        mia,
    )
    assert session.status_code == 200, session.content
    assert session.json()["status"] == "mediating" and len(session.json()["sessions"]) == 1
    agreed = _post(client, f"{url}/agree", {"terms": "分两期交清", "version": 3}, mia)
    assert agreed.json()["status"] == "agreed"
    assert _post(client, f"{url}/follow_up", {"kept": True, "note": "回访"}, mia).status_code == 403
    assert _post(client, f"{url}/follow_up", {"note": "回访"}, other).status_code == 400
    assert (
        _post(client, f"{url}/follow_up", {"kept": True, "note": "回访"}, other).status_code == 200
    )
    closed = _post(client, f"{url}/close", {"outcome": "已履行"}, staff)
    assert closed.json()["status"] == "closed" and closed.json()["resolved"] is True
    # Closed: nothing more is allowed.
    assert _post(client, f"{url}/resume", {"note": "再调"}, staff).status_code == 409
    steps = [s["action"] for s in closed.json()["steps"]]
    assert steps == ["receive", "accept", "session", "agree", "follow_up", "close"]


def test_bad_input_is_400_or_422(client, desk, tree, people):
    staff = _auth(desk.staff)
    base = {"unit": tree.community_a1.code, "channel": "walk_in", "title": "t", "facts": "f"}
    no_applicant = _post(client, f"{API}/cases", base | {"kind": "neighbour"}, staff)
    assert no_applicant.status_code == 400 and no_applicant.json()["error"]["field"] == "parties"
    bad_kind = _post(
        client,
        f"{API}/cases",
        base | {"kind": "war", "parties": [{"role": "applicant", "name": "甲"}]},
        staff,
    )
    assert bad_kind.status_code == 400 and bad_kind.json()["error"]["field"] == "kind"
    assert _post(client, f"{API}/cases", base | {"channel": "event"}, staff).status_code == 422
    alice = _auth(people["alice"])
    refused = _post(
        client,
        f"{API}/cases",
        base | {"kind": "neighbour", "parties": [{"role": "applicant", "name": "甲"}]},
        alice,
    )
    assert refused.status_code == 403
    assert _post(client, f"{API}/cases", base | {"unit": "999"}, staff).status_code in (404, 422)


def test_a_case_from_an_event_and_open311_shows_no_party(client, desk, tree, people):
    event = dispute(people["alice"], tree)
    staff = _auth(desk.staff)
    created = _post(
        client, f"{API}/from-event", {"event": event.number, "lead": desk.lead.pk}, staff
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert created.json()["event"] == event.number
    again = _post(client, f"{API}/from-event", {"event": event.number}, staff)
    assert again.status_code == 409
    services.add_party(
        actor=desk.staff,
        case=services.Case.objects.get(pk=case_id),
        data=services.PartyData(role="applicant", name="赵六", phone="13611112222"),
    )
    other = _auth(people["bob"])
    assert _post(client, f"{API}/from-event", {"event": event.number}, other).status_code == 404
    for url in (f"/open311/v2/requests/{event.number}.json", "/open311/v2/requests.json"):
        body = client.get(url).content.decode()
        assert "赵六" not in body and "13611112222" not in body and "2222" not in body


def test_pool_consultations_and_figures(client, desk, walk_in, tree, people):
    staff, dave = _auth(desk.staff), _auth(people["dave"])
    code = tree.community_a1.code
    case = walk_in()
    services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    pool = client.get(f"{API}/units/{code}/pool", **staff).json()
    assert {m["name"] for m in pool} == {"米调解", "王律师"}
    assert client.get(f"{API}/units/{code}/pool", **dave).status_code == 404
    today = timezone.localdate()
    made = _post(
        client,
        f"{API}/units/{code}/consultations",
        {
            "held_on": today.isoformat(),
            "residents_served": 33,
            "topics": "继承、租房",
            "lawyer": desk.lawyer.pk,
        },
        staff,
    )
    assert made.status_code == 201, made.content
    assert made.json()["lawyer_name"] == "王律师"
    assert (
        _post(
            client,
            f"{API}/units/{code}/consultations",
            {
                "held_on": (today + dt.timedelta(days=2)).isoformat(),
                "residents_served": 1,
                "topics": "x",
            },
            staff,
        ).status_code
        == 400
    )
    assert (
        _post(
            client,
            f"{API}/units/{code}/consultations",
            {"held_on": today.isoformat(), "residents_served": 1, "topics": "x"},
            dave,
        ).status_code
        == 403
    )
    listed = client.get(f"{API}/units/{code}/consultations", **dave).json()
    assert [c["residents_served"] for c in listed] == [33]
    start = today.replace(day=1).isoformat()
    figures = client.get(f"{API}/units/{code}/figures?start={start}", **dave).json()
    assert figures["counts"]["received"] == 1 and figures["counts"]["accepted"] == 1
    assert figures["counts"]["consulted"] == 33 and figures["counts"]["open"] == 1
    assert figures["rates"]["success_rate"] is None
    assert figures["trend"][0]["received"] == 1
    assert client.get(f"{API}/units/{code}/figures", **_auth(people["alice"])).status_code == 404
    assert client.get(f"{API}/units/{code}/figures?start=1800-01-01", **dave).status_code == 400


def test_the_openapi_document_lists_mediation(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = [p for p in document["paths"] if p.startswith("/api/v1/mediation/")]
    assert "/api/v1/mediation/cases/{case_id}/steps/{action}" in paths
    assert len(paths) >= 7


def test_the_case_list_costs_the_same_for_one_case_or_many(client, pinned, desk, walk_in):
    auth = _auth(desk.staff)
    walk_in()
    client.get(f"{API}/cases", **auth)  # the token's first use is noted once
    pinned({f"{API}/cases": 4}, **auth)
    for title in ("二", "三", "四"):
        walk_in(title=title)
    assert (
        json.loads(pinned({f"{API}/cases": 4}, **auth)[f"{API}/cases"])[3]["title"]
        == "邻里噪音纠纷"
    )
