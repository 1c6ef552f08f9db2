"""智能分拨 as events sees it: the 改类 step, automatic routing at intake (API, Open311), the
report page's suggestions and the board's one-tap accept. A deterministic suggester is
registered here, so that these tests do not depend on civicgrid.routing."""

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from civicgrid.accounts.tokens import issue_token
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events import rollups, selectors, services, suggestions
from civicgrid.events.models import Category, Event, EventStep, Status
from civicgrid.events.tests.conftest import A1_1, B1_1
from civicgrid.messaging.models import Notification

pytestmark = pytest.mark.django_db


@dataclass
class Fake:
    """What the test suggester answers: `category` (code) with `confidence`, the runner-ups,
    and `department` (a unit, or None) with `department_confidence`."""

    category: str = "2102"
    confidence: float = 0.83
    department: object = None
    department_kind: str = "police"
    department_confidence: float = 0.9
    prefill: bool = True
    silent: bool = False
    fail: bool = False
    calls: list = field(default_factory=list)
    # Read once by the fixture: the suggester itself costs no query (a real one keeps its model
    # in memory), so that the board's own queries are what its pin counts.
    known: dict = field(default_factory=dict)

    def __call__(self, text, lon, lat):
        self.calls.append((text, lon, lat))
        if self.fail:
            raise RuntimeError("model file is broken")
        if self.silent:
            return None
        codes = [self.category, *(c for c in ("2201", "2402", "2102") if c != self.category)]
        found = self.known
        categories = [
            suggestions.Choice(found[code].name, confidence, category=found[code])
            for code, confidence in zip(codes, (self.confidence, 0.1, 0.05, 0.02), strict=False)
        ]
        departments = [
            suggestions.Choice(
                "派出所",
                self.department_confidence,
                department_kind=self.department_kind,
                department=self.department,
            )
        ]
        return suggestions.Suggestions(
            categories=categories, departments=departments, model="test v1", prefill=self.prefill
        )


@pytest.fixture
def suggester(db, tree):
    fake = Fake(department=tree.police_a)
    fake.known = {
        c.code: c for c in Category.objects.filter(code__in=("2101", "2102", "2201", "2402"))
    }
    cache.clear()
    # First in the list: it answers before the routing app's own suggester is asked.
    suggestions.suggesters.insert(0, fake)
    yield fake
    suggestions.suggesters.remove(fake)
    cache.clear()


def steps_of(event) -> list[tuple[str, dict]]:
    return [(s.action, s.details) for s in EventStep.objects.filter(event=event).order_by("id")]


# ---- 改类 ---------------------------------------------------------------------------------------


def test_a_dispatcher_changes_the_category_and_the_log_says_from_and_to(staff, report):
    event = report()
    due = (event.response_due, event.closure_due)
    new = Category.objects.get(code="2102")
    changed = services.recategorize_event(
        actor=staff["frank"], event=event, category=new, note="不是通道", version=event.version
    )
    assert changed.category == new and changed.status == Status.REPORTED
    assert (changed.response_due, changed.closure_due) == due
    step = EventStep.objects.filter(event=event).latest("id")
    assert (step.action, step.from_status, step.to_status) == (
        "recategorize",
        "reported",
        "reported",
    )
    assert step.details == {"from": "2101", "to": "2102"}
    assert step.note == "不是通道" and step.actor == staff["frank"]


def test_a_grid_worker_may_not_change_the_category_and_nobody_after_resolution(staff, report):
    event = report()
    new = Category.objects.get(code="2102")
    assert "recategorize" not in services.allowed_actions(staff["alice"], event)
    assert "recategorize" in services.allowed_actions(staff["frank"], event)
    with pytest.raises(NotAllowed):
        services.recategorize_event(actor=staff["alice"], event=event, category=new)
    with pytest.raises(NotAllowed):  # another community's staff
        services.recategorize_event(actor=staff["grace"], event=event, category=new)
    Event.objects.filter(pk=event.pk).update(status=Status.RESOLVED)
    with pytest.raises(Conflict):
        services.recategorize_event(actor=staff["frank"], event=event, category=new)


def test_the_same_category_a_class_or_an_inactive_one_is_refused(staff, report, category):
    event = report()
    with pytest.raises(InvalidInput) as same:
        services.recategorize_event(actor=staff["frank"], event=event, category=category)
    assert same.value.field == "category"
    with pytest.raises(InvalidInput):
        services.recategorize_event(actor=staff["frank"], event=event, category=category.parent)
    inactive = Category.objects.get(code="2102")
    inactive.active = False
    inactive.save()
    with pytest.raises(InvalidInput):
        services.recategorize_event(actor=staff["frank"], event=event, category=inactive)
    assert steps_of(event) == [("report", {"source": "patrol"})]


def test_the_rollups_follow_the_new_category(staff, report):
    event = report()
    event = services.accept_event(actor=staff["frank"], event=event)
    services.recategorize_event(
        actor=staff["frank"], event=event, category=Category.objects.get(code="2102")
    )
    assert rollups.check_all() == []
    by_category: dict[str, int] = {}
    for row in rollups.EventRollup.objects.filter(unit=event.unit).select_related("category"):
        by_category[row.category.code] = by_category.get(row.category.code, 0) + row.reported
    assert by_category.get("2102") == 1 and not by_category.get("2101")


def test_the_api_takes_the_step_and_answers_bad_codes_with_400(client, staff, report):
    event = report()
    frank = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=staff['frank'], name='d')[1]}"}
    alice = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=staff['alice'], name='p')[1]}"}
    url = f"/api/v1/events/{event.number}/steps/recategorize"

    def post(body, auth=frank):
        return client.post(url, body, content_type="application/json", **auth)

    for body in ({"category": "9999"}, {"category": ""}, {}, {"category": "2101"}):
        answer = post({"version": 1} | body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["error"]["field"] == "category"
    assert post({"version": 1, "category": "2102"}, alice).status_code == 403
    done = post({"version": 1, "category": "2102", "note": "改类"})
    assert done.status_code == 200, done.content
    assert done.json()["category"] == "2102"
    assert done.json()["steps"][-1]["details"] == {"from": "2101", "to": "2102"}
    assert post({"version": 1, "category": "2103"}).status_code == 409  # stale


def test_the_event_page_offers_the_step_to_dispatchers(client, staff, report):
    event = report()
    client.force_login(staff["alice"])
    assert 'id="step-recategorize"' not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(staff["frank"])
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="step-recategorize"' in page and 'name="category"' in page
    url = f"/events/{event.number}/act/recategorize/"
    refused = client.post(url, {"version": event.version, "category": "nope"})
    assert refused.status_code == 400
    assert client.post(url, {"version": event.version, "category": "2102"}).status_code == 302
    assert Event.objects.get(pk=event.pk).category.code == "2102"


# ---- automatic routing at intake ---------------------------------------------------------------


def auto_route(code: str, at: float | None) -> None:
    Category.objects.filter(code=code).update(auto_route_confidence=at)


def api_report(client, staff, headers=None, **fields):
    key = issue_token(user=staff["alice"], name="phone app")[1]
    body = {"title": "派出所门口有人打架", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]}
    return client.post(
        "/api/v1/events",
        body | fields,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **(headers or {}),
    )


def test_an_api_report_is_routed_at_the_threshold(client, staff, tree, suggester):
    erin = staff["erin"]  # the police station's handler
    auto_route("2101", 0.9)
    answer = api_report(client, staff, description="请民警来")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "dispatched" and body["handler_unit"] == tree.police_a.code
    route = body["steps"][-1]
    assert route["action"] == "route" and route["actor"] is None
    assert route["details"] == {
        "unit": tree.police_a.code,
        "model": "test v1",
        "confidence": 0.9,
        "kind": "police",
    }
    event = Event.objects.get(number=body["number"])
    assert event.accepted_at and event.dispatched_at and event.response_due
    assert suggester.calls[-1] == ("派出所门口有人打架\n请民警来", A1_1[0], A1_1[1])
    told = Notification.objects.filter(user=erin, link=event.get_absolute_url())
    assert [n.text for n in told] == [f"派遣给您：{event.number}"]
    assert rollups.check_all() == []


def test_below_the_threshold_or_without_one_nothing_is_routed(client, staff, suggester):
    auto_route("2101", 0.91)
    assert api_report(client, staff).json()["status"] == "reported"
    auto_route("2101", None)
    assert api_report(client, staff).json()["status"] == "reported"
    assert len(suggester.calls) == 1  # no threshold: not even asked


def test_no_suggester_no_department_or_a_far_one_routes_nothing(client, staff, tree, suggester):
    auto_route("2101", 0.5)
    suggester.silent = True
    assert api_report(client, staff).json()["status"] == "reported"
    suggester.silent = False
    suggester.department = None  # a kind, but no unit serving the place
    assert api_report(client, staff).json()["status"] == "reported"
    suggester.department = tree.police_a  # street A's: not for a place in street B
    far = api_report(client, staff, lon=B1_1[0], lat=B1_1[1])
    assert far.status_code == 201 and far.json()["status"] == "reported"


def test_a_failing_suggester_never_loses_the_report(client, staff, suggester):
    auto_route("2101", 0.5)
    suggester.fail = True
    answer = api_report(client, staff)
    assert answer.status_code == 201 and answer.json()["status"] == "reported"
    assert Event.objects.filter(number=answer.json()["number"]).exists()


def test_an_idempotent_replay_is_not_routed_twice(client, staff, suggester):
    auto_route("2101", 0.5)
    first = api_report(client, staff, {"HTTP_IDEMPOTENCY_KEY": "k1"})
    again = api_report(client, staff, {"HTTP_IDEMPOTENCY_KEY": "k1"})
    assert first.json()["number"] == again.json()["number"]
    event = Event.objects.get(number=first.json()["number"])
    assert [a for a, _d in steps_of(event)] == ["report", "route"]


def test_open311_reports_are_routed_too(client, staff, tree, suggester):
    from django.urls import reverse

    key = issue_token(user=staff["alice"], name="city app")[1]
    url = reverse("open311:requests", args=["json"])
    data = {
        "api_key": key,
        "service_code": "2201",
        "lat": A1_1[1],
        "long": A1_1[0],
        "description": "楼下吵架",
    }
    auto_route("2201", 0.9)
    created = client.post(url, data)
    assert created.status_code == 201, created.content
    event = Event.objects.get(number=created.json()[0]["service_request_id"])
    assert event.status == Status.DISPATCHED and event.handler_unit == tree.police_a
    assert steps_of(event)[-1][0] == "route"
    suggester.department_confidence = 0.89
    below = client.post(url, data)
    event = Event.objects.get(number=below.json()[0]["service_request_id"])
    assert event.status == Status.REPORTED


def test_the_staff_report_page_is_never_routed(client, staff, suggester):
    auto_route("2101", 0.1)
    client.force_login(staff["alice"])
    answer = client.post(
        "/events/report/",
        {"title": "通道堵塞", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]},
    )
    assert answer.status_code == 302
    assert Event.objects.get().status == Status.REPORTED
    assert suggester.calls == []


def test_a_route_step_is_the_systems_only(staff, report):
    event = report()
    with pytest.raises(NotAllowed):
        services.step_event(event, "route", actor=staff["frank"])
    assert "route" not in services.PERSON_STEPS


# ---- the report page ---------------------------------------------------------------------------


def fragment(client, **params) -> tuple[int, str]:
    answer = client.get("/events/suggest/", params)
    return answer.status_code, answer.content.decode()


def test_a_resident_sees_categories_but_never_departments(client, staff, suggester):
    status, html = fragment(client, title="消防车进不来", lon=A1_1[0], lat=A1_1[1], public=1)
    assert status == 200
    assert 'data-category="2102"' in html and "83%" in html
    assert html.count("data-category=") == 3  # the top three
    assert "data-departments" not in html and "甲派出所" not in html
    assert suggester.calls[-1] == ("消防车进不来", A1_1[0], A1_1[1])
    client.force_login(staff["mallory"])  # a resident's own account
    assert "data-departments" not in fragment(client, title="消防车进不来")[1]


def test_staff_also_see_the_department(client, staff, suggester):
    client.force_login(staff["alice"])
    status, html = fragment(client, title="消防车进不来", lon=A1_1[0], lat=A1_1[1])
    assert status == 200 and "data-departments" in html and "甲派出所 90%" in html
    # Staff on the residents' page see what residents see.
    assert "data-departments" not in fragment(client, title="消防车进不来", public=1)[1]


def test_prefill_only_when_the_suggester_is_sure(client, suggester):
    html = fragment(client, title="消防车进不来")[1]
    assert 'data-prefill="2102"' in html and "data-prefill-note" in html
    suggester.prefill = False
    cache.clear()
    html = fragment(client, title="消防车进不来")[1]
    assert 'data-prefill=""' in html and "data-prefill-note" not in html


def test_no_suggester_no_text_or_a_failing_one_gives_an_empty_fragment(client, suggester):
    assert fragment(client, title="  ", description="") == (200, "")
    suggester.silent = True
    assert fragment(client, title="消防车进不来") == (200, "")
    suggester.silent = False
    suggester.fail = True
    assert fragment(client, title="消防车进不来", lon="nan", lat="x") == (200, "")
    suggestions.suggesters.remove(suggester)
    try:
        assert fragment(client, title="消防车进不来") == (200, "")
    finally:
        suggestions.suggesters.append(suggester)


def test_long_texts_are_cut_and_bad_places_ignored(client, suggester):
    status, _html = fragment(client, title="堵" * 5000, description="塞" * 5000, lon="999", lat="1")
    assert status == 200
    text, lon, lat = suggester.calls[-1]
    assert len(text) == suggestions.MAX_CHARS and (lon, lat) == (None, None)


def test_the_report_page_asks_for_suggestions(client, staff):
    client.force_login(staff["alice"])
    page = client.get("/events/report/").content.decode()
    assert 'id="suggestions"' in page and "/events/suggest/" in page
    public = client.get("/r/").content.decode()
    assert "/events/suggest/?public=1" in public


def test_the_fragment_is_rate_limited(client, suggester, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"suggest_ip": (2, 3600)}
    assert fragment(client, title="a")[0] == 200
    assert fragment(client, title="b")[0] == 200
    assert fragment(client, title="c")[0] == 429


# ---- the dispatch board ------------------------------------------------------------------------


def test_the_board_shows_the_suggestion_and_one_tap_accepts_it(
    client, staff, tree, report, suggester
):
    event = report()
    client.force_login(staff["frank"])
    board = client.get(f"/events/board/{tree.community_a1.code}/").content.decode()
    assert 'data-suggested-category="2102"' in board
    assert f'data-suggested-department="{tree.police_a.code}"' in board
    assert f"/events/{event.number}/accept-suggestion/" in board
    answer = client.post(
        f"/events/{event.number}/accept-suggestion/",
        {"version": event.version, "next": f"/events/board/{tree.community_a1.code}/"},
    )
    assert answer.status_code == 302 and answer["Location"].startswith("/events/board/")
    event.refresh_from_db()
    assert event.category.code == "2102" and event.status == Status.DISPATCHED
    assert event.handler_unit == tree.police_a
    actions = steps_of(event)
    assert [a for a, _d in actions] == ["report", "recategorize", "accept", "dispatch"]
    assert actions[1][1] == {
        "from": "2101",
        "to": "2102",
        "suggested": True,
        "model": "test v1",
        "confidence": 0.83,
    }
    assert rollups.check_all() == []
    # Dispatched: no more suggestion on the board.
    board = client.get(f"/events/board/{tree.community_a1.code}/").content.decode()
    assert "accept-suggestion" not in board


def test_accepting_the_same_category_only_dispatches(client, staff, tree, report, suggester):
    suggester.category = "2101"
    event = services.accept_event(actor=staff["frank"], event=report())
    client.force_login(staff["frank"])
    client.post(f"/events/{event.number}/accept-suggestion/", {"version": event.version})
    assert [a for a, _d in steps_of(event)] == ["report", "accept", "dispatch"]


def test_a_stale_tap_or_a_grid_worker_changes_nothing(client, staff, tree, report, suggester):
    event = report()
    client.force_login(staff["alice"])
    board = client.get(f"/events/board/{tree.grid_a1_1.code}/").content.decode()
    assert 'data-suggested-category="2102"' in board and "accept-suggestion/" not in board
    alice = client.post(f"/events/{event.number}/accept-suggestion/", {"version": 1}, follow=True)
    assert alice.status_code == 200
    client.force_login(staff["frank"])
    stale = client.post(f"/events/{event.number}/accept-suggestion/", {"version": 7}, follow=True)
    assert stale.status_code == 200 and "刚被他人处理过" in stale.content.decode()
    # Off-site `next` is not followed.
    away = client.post(
        f"/events/{event.number}/accept-suggestion/",
        {"version": 1, "next": "https://evil.example/"},
    )
    assert away["Location"] == event.get_absolute_url()
    assert [a for a, _d in steps_of(event)] == ["report", "recategorize", "accept", "dispatch"]
    client.force_login(staff["grace"])  # another street: the event is not hers to see
    assert (
        client.post(f"/events/{event.number}/accept-suggestion/", {"version": 4}).status_code == 404
    )


def test_the_board_costs_the_same_with_suggestions_for_one_row_as_for_many(
    client, staff, tree, report, suggester, pinned, monkeypatch
):
    monkeypatch.setattr(selectors, "SUGGESTED_ROWS", 3)
    client.force_login(staff["frank"])
    url = f"/events/board/{tree.community_a1.code}/"
    report()
    pinned({url: 9})
    for _ in range(5):
        report()
    cache.clear()
    suggester.calls.clear()
    body = pinned({url: 9})[url]
    assert body.count("accept-suggestion/") == 3 and len(suggester.calls) == 3
    suggester.calls.clear()
    pinned({url: 9})  # cached per event and version
    assert suggester.calls == []


# ---- Chinese first -----------------------------------------------------------------------------

NEW_MESSAGES = [
    "Change category",
    "Routed automatically",
    "auto-route at confidence ≥",
    "There is no suggestion to accept.",
    "This event is no longer waiting for dispatch.",
    "Unknown category “%(code)s”.",
    "The event already has the category “%(category)s”.",
    "Suggestion accepted: %(number)s.",
    "Suggested department (%(model)s, %(percent)s%%).",
    "Between 0 and 1. Reports through the API or Open311 whose suggested department is at least "
    "this confident are dispatched to it at once. Empty: never.",
]


def test_every_new_message_and_template_string_is_translated():
    import re
    from pathlib import Path

    from django.utils import translation
    from django.utils.translation import gettext
    from django.utils.translation.template import templatize

    templates = Path(__file__).resolve().parents[1] / "templates" / "events"
    found = list(NEW_MESSAGES)
    for name in ("_suggestions.html", "_suggested_row.html"):
        code = templatize((templates / name).read_text(encoding="utf-8"))
        found += re.findall(r"gettext\(u'([^']*)'\)", code)
    assert len(found) > len(NEW_MESSAGES) + 5
    with translation.override("zh-hans"):
        untranslated = [str(m) for m in found if gettext(str(m)) == str(m)]
    assert untranslated == []


# ---- in a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_phone_page_prefills_and_a_tap_chooses(browser, live_server, staff, suggester):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/r/")
    page.fill("#title", "消防车进不来")
    page.wait_for_selector("#suggestions button[data-category='2102']")
    assert page.input_value("#category") == "2102"  # sure enough: pre-selected
    assert page.locator("[data-prefill-note]").is_visible()
    assert page.locator("#suggestions [data-departments]").count() == 0
    page.click("#suggestions button[data-category='2201']")
    assert page.input_value("#category") == "2201"
    assert page.get_attribute("#suggestions button[data-category='2201']", "aria-pressed") == "true"
    assert not page.locator("[data-prefill-note]").is_visible()
    page.screenshot(path="/tmp/ui-suggestions-phone.png", full_page=True)
    # Chosen by hand: a new suggestion does not overrule it.
    suggester.category = "2402"
    page.fill("#description", "楼道里堆满杂物")
    page.wait_for_selector("#suggestions button[data-category='2402']")
    assert page.input_value("#category") == "2201"

    # Not sure enough: nothing is pre-selected.
    suggester.prefill = False
    fresh = browser.new_page(viewport={"width": 375, "height": 800})
    fresh.goto(f"{live_server.url}/r/")
    fresh.fill("#title", "墙皮掉了")
    fresh.wait_for_selector("#suggestions button[data-category='2402']")
    assert fresh.input_value("#category") == ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_board_accepts_in_one_tap(browser, live_server, staff, tree, report, suggester):
    event = report()
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "frank")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/events/board/{tree.community_a1.code}/")
    row = page.locator(f"tr[data-number='{event.number}']")
    assert "消防安全 83%" in row.inner_text() and "甲派出所 90%" in row.inner_text()
    page.screenshot(path="/tmp/ui-suggestions-board.png", full_page=True)
    row.locator("button", has_text="采纳建议").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and event.category.code == "2102"
    assert "已采纳建议" in page.content()


def test_the_event_page_shows_dispatchers_the_suggestion(client, staff, tree, report, suggester):
    event = report()
    client.force_login(staff["alice"])
    assert "data-suggested-category" not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(staff["frank"])
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-suggested-category="2102"' in page and "accept-suggestion/" in page
    answer = client.post(f"/events/{event.number}/accept-suggestion/", {"version": 1})
    assert answer["Location"] == event.get_absolute_url()
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-from="2101" data-to="2102"' in page
    assert "data-suggested-category" not in page  # dispatched: nothing left to suggest


def test_district_staff_set_the_threshold_between_0_and_1(client, staff, tree, make_user):
    from civicgrid.org.roles import Role

    district = make_user("dora", unit=tree.district, role=Role.DISTRICT_STAFF, is_staff=True)
    client.force_login(district)
    category = Category.objects.get(code="2101")
    url = f"/admin/events/category/{category.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="auto_route_confidence"' in form.content.decode()
    fields = {
        "code": category.code,
        "name": category.name,
        "parent": category.parent_id,
        "department_kind": category.department_kind,
        "response_hours": category.response_hours,
        "closure_days": category.closure_days,
        "duplicate_radius_m": category.duplicate_radius_m,
        "attributes": "[]",
        "public": "on",
        "active": "on",
    }
    assert client.post(url, fields | {"auto_route_confidence": "1.5"}).status_code == 200
    assert client.post(url, fields | {"auto_route_confidence": "0.8"}).status_code == 302
    category.refresh_from_db()
    assert category.auto_route_confidence == 0.8
