"""The whole chain in real headless Chromium on a 375 px phone: community staff open a dispute
event and take it on as a case in one click; the mediator records a session and the agreement
and opens the printable agreement; another member of staff records the follow-up; the case is
closed; the figures page shows one agreement and a success rate of 100 %."""

import os
from pathlib import Path

import pytest

from civicgrid.mediation.models import Case
from civicgrid.mediation.tests.conftest import build_desk, dispute
from civicgrid.org.roles import Role

PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 800}
# Set to a folder to keep a screenshot of each page on the way (for looking at the layout).
SHOTS = os.environ.get("MEDIATION_SHOTS", "")


def login(browser, live_server, username):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def submit(page, action: str) -> None:
    form = page.locator(f"#step-{action}")
    if not form.is_visible():
        page.locator("details.more-steps > summary").click()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_to_case_session_agreement_follow_up_close_and_figures(
    browser, live_server, tree, make_user
):
    desk = build_desk(tree, make_user)
    worker = make_user("gabe", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    event = dispute(worker, tree)

    # Community staff open the event on the phone: one click makes it a case.
    staff = login(browser, live_server, "cathy")
    staff.goto(f"{live_server.url}/events/{event.number}/")
    staff.click("#open-case button")
    staff.wait_for_url("**/mediation/cases/*/")
    case = Case.objects.get()
    assert case.event_id == event.pk and case.number in staff.content()
    fits(staff)
    shot(staff, "case-received")
    # The event named no parties: the desk records the two neighbours.
    for role, name in (("applicant", "楼下住户王某"), ("respondent", "楼上住户赵某")):
        staff.select_option("#party-role", role)
        staff.fill("#party-0-name", name)
        staff.click("#add-party button[type=submit]")
        staff.wait_for_load_state()
    assert Case.objects.get().parties.count() == 2
    staff.locator("#step-accept select[name=lead]").select_option(str(desk.lead.pk))
    submit(staff, "accept")
    assert Case.objects.get().status == "accepted"

    # The mediator, on her phone page, records a session and the agreement.
    mediator = login(browser, live_server, "mia")
    mediator.goto(f"{live_server.url}/mediation/")
    assert case.number in mediator.content()
    fits(mediator)
    shot(mediator, "mediator-home")
    mediator.click(f"[data-case='{case.number}'] a[href$='/sessions/new/']")
    mediator.wait_for_url("**/sessions/new/")
    fits(mediator)
    mediator.select_option("#venue", str(desk.room.pk))
    mediator.fill("#notes", "双方到场，各自陈述漏水经过")
    mediator.click("#session-form button[type=submit]")
    mediator.wait_for_url(f"**/mediation/cases/{case.pk}/")
    assert "双方到场" in mediator.content()
    mediator.fill("#agree-agreement", "楼上住户三日内修复管道并赔偿楼下 800 元")
    submit(mediator, "agree")
    assert Case.objects.get().status == "agreed"
    fits(mediator)
    shot(mediator, "case-agreed")

    # The printable agreement (人民调解协议书) carries the terms.
    mediator.click("#document-agreement")
    mediator.wait_for_load_state()
    assert "楼上住户三日内修复管道并赔偿楼下 800 元" in mediator.content()

    # Another member of staff asks whether it was kept; the case is closed.
    other = login(browser, live_server, "colin")
    other.goto(f"{live_server.url}/mediation/cases/{case.pk}/")
    other.check("#step-follow_up input[name=kept][value=yes]")
    other.fill("#follow_up-note", "电话回访双方，已修复并赔偿")
    submit(other, "follow_up")
    assert Case.objects.get().status == "followed_up"
    staff.goto(f"{live_server.url}/mediation/cases/{case.pk}/")
    staff.fill("#close-outcome", "协议已履行，纠纷化解")
    submit(staff, "close")
    closed = Case.objects.get()
    assert closed.status == "closed" and closed.resolved is True

    # The figures: one agreement, 100 %.
    staff.goto(f"{live_server.url}/mediation/u/{tree.community_a1.code}/figures/")
    assert staff.locator("[data-count=agreed]").inner_text() == "1"
    assert staff.locator("#mediation-figures [data-count=success_rate]").inner_text() == "100 %"
    fits(staff)
    shot(staff, "figures")
    staff.goto(f"{live_server.url}/mediation/u/{tree.community_a1.code}/?status=closed")
    assert case.number in staff.content()
    fits(staff)
    shot(staff, "board")
