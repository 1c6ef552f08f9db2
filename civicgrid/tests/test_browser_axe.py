"""WCAG 2.1 A/AA with axe-core (from npm, injected by the test, never served): the public
pages and the main pages of a grid worker and of community staff show no violation.
Colour contrast, labels, names, landmarks… are axe's; what it cannot see (keyboard use,
focus order) the keyboard test of the report page covers."""

from pathlib import Path

import pytest

from civicgrid.events.tests.conftest import A1_1

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}
SCRIPT = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(r =>
  r.violations.map(v => [v.id, v.impact, v.nodes.slice(0, 6).map(n =>
    n.target.join(" ") + " :: " + n.failureSummary.replace(/\\n/g, " "))]))"""


def violations(page) -> list[str]:
    """axe's WCAG 2.1 A/AA violations on the page, one line each (rule, impact, nodes)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(SCRIPT, TAGS)
    return [f"{rule} ({impact}): {nodes}" for rule, impact, nodes in found]


def context(browser, **viewport):
    # The CSP forbids inline scripts, and add_script_tag injects axe inline.
    return browser.new_context(bypass_csp=True, viewport=viewport or PHONE)


def login(browser, live_server, username, **viewport):
    page = context(browser, **viewport).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def staff(people, tree, make_user):
    from civicgrid.org.roles import Role

    return people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
    }


@pytest.fixture
def events(staff):
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")
    return [
        services.report_event(
            actor=staff["alice"], title=f"楼道堆物{i}", category=category, lon=A1_1[0], lat=A1_1[1]
        )
        for i in range(2)
    ]


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in found.items())


def check(page, url, found):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = violations(page)
    if problems:
        found[url] = problems


@pytest.fixture
def offers(tree, staff, make_user):
    """A class session to enrol in and volunteer services to order, in community A1."""
    import datetime as dt

    from django.utils import timezone

    from civicgrid.classes import services as classes
    from civicgrid.classes.models import Audience, Category, Programme, VenueKind
    from civicgrid.volunteers.tests.conftest import build_service

    frank = staff["frank"]
    venue = classes.save_venue(
        actor=frank,
        unit=tree.community_a1,
        name="党群服务中心",
        kind=VenueKind.SERVICE_CENTRE,
        capacity=30,
    )
    course = classes.save_course(
        actor=frank,
        unit=tree.community_a1,
        data=classes.CourseData(
            title="夜校·智能手机",
            programme=Programme.NIGHT_SCHOOL,
            category=Category.SKILLS,
            audience=Audience.ELDERLY,
        ),
    )
    starts = timezone.now() + dt.timedelta(days=2)
    classes.schedule_session(
        actor=frank,
        course=course,
        data=classes.SessionData(
            starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=20, venue=venue
        ),
    )
    return build_service(tree, make_user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_pass_axe(browser, live_server, tree, staff, events, offers):
    page = context(browser).new_page()
    found: dict[str, list[str]] = {}
    # The classes and volunteers pages show what is on offer.
    for path in (
        "/login/",
        "/r/",
        f"/classes/c/{tree.community_a1.code}/",
        f"/volunteers/c/{tree.community_a1.code}/",
        f"/volunteers/c/{tree.community_a1.code}/wall/",
    ):
        check(page, f"{live_server.url}{path}", found)
    assert found == {}, report(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "viewport",
    [{"width": 375, "height": 812}, {"width": 1280, "height": 900}],
    ids=["phone", "desk"],
)
def test_the_main_pages_of_a_grid_worker_and_community_staff_pass_axe(
    browser, live_server, tree, staff, events, viewport
):
    found: dict[str, list[str]] = {}
    worker = login(browser, live_server, "alice", **viewport)
    for path in ("/", "/events/report/", "/events/tasks/", "/people/", "/events/map/"):
        check(worker, f"{live_server.url}{path}", found)
    desk = login(browser, live_server, "frank", **viewport)
    code = tree.community_a1.code
    for path in (
        "/",
        f"/events/board/{code}/",
        f"/events/dashboard/{code}/",
        f"/events/{events[0].number}/",
        "/people/",
        f"/people/units/{code}/",
        f"/people/units/{code}/situations/",
        f"/people/units/{code}/facilities/",
        "/events/map/",
        "/org/map/",
    ):
        check(desk, f"{live_server.url}{path}", found)
    assert found == {}, report(found)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus: it is reachable without a mouse."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_files_a_report_with_the_keyboard_only(browser, live_server, tree):
    from civicgrid.events.models import Event

    # No location permission: "use my position" must say so, not fail silently.
    page = context(browser).new_page()
    page.goto(f"{live_server.url}/r/")
    tab_to(page, "#category")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#title")
    page.keyboard.type("楼道灯坏了")
    tab_to(page, "#locate")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('place').textContent.includes('位置')")
    assert "拒绝" in page.locator("#place").inner_text()
    assert page.locator("#lon").input_value() == ""

    # Sending without a place: the message sits under the place and the search takes the focus.
    tab_to(page, "#reporter_phone")
    page.keyboard.type("13800000000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    error = page.locator("#location-error")
    assert error.is_visible()
    assert page.evaluate("document.activeElement.id") == "place-unit-search"
    assert page.locator("#place-unit-search").get_attribute("aria-invalid") == "true"
    field = page.locator("#place-unit-search").bounding_box()
    assert abs(field["y"] - error.bounding_box()["y"]) < 250
    assert page.locator("#title").input_value() == "楼道灯坏了"
    assert violations(page) == []

    # The place from the searchable list, with the keyboard.
    page.keyboard.type("甲一第1")
    page.wait_for_selector("#place-unit-list [role=option]")
    assert "1" in page.locator("#place-unit-status").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#lon").input_value() != ""
    assert "甲一第1网格" in page.locator("#place").inner_text()
    tab_to(page, "#report-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/t/*/")
    event = Event.objects.get()
    assert event.unit == tree.grid_a1_1 and event.title == "楼道灯坏了"

    # The resident's tracking page passes axe too.
    assert violations(page) == []
