"""In real headless Chromium on a 375 px phone: an assessor opens the inspections of a plan,
records an on-site inspection of a worker with the four aspects scored and remarked, and
sees it listed with its score; the 查 pages (sample, draw log, a grid's checklist, the 三跨
list) work there too; nothing on the way is wider than the phone."""

import pytest

from civicgrid.assessment import checks
from civicgrid.assessment.models import Inspection, SpotCheckItem
from civicgrid.assessment.tests.check_setup import build, ledger

PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 800}


def login(browser, live_server, username):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_assessor_records_an_on_site_inspection_on_a_phone(
    browser, live_server, tree, people, make_user
):
    setup = build(tree, people, make_user)
    page = login(browser, live_server, "carol")

    page.goto(f"{live_server.url}/assessment/plans/{setup.plan.pk}/inspections/")
    fits(page)
    page.click("#new-inspection")
    page.wait_for_url("**/inspections/new/")
    fits(page)
    page.select_option("#plan_worker", str(setup.alice.pk))
    page.fill("#place", "甲一社区党群服务中心")
    scores = {"on_duty": "23", "key_work": "21.5", "discipline": "25", "service": "19"}
    for aspect, score in scores.items():
        page.fill(f"#score-{aspect}", score)
        page.fill(f"#remark-{aspect}", f"{aspect} 现场查看")
    page.fill("#remarks", "在岗在位，台账清楚")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_url(f"**/assessment/plans/{setup.plan.pk}/inspections/")

    inspection = Inspection.objects.get()
    assert inspection.plan_worker == setup.alice and inspection.inspector == setup.carol
    assert inspection.score == 88.5 and inspection.place == "甲一社区党群服务中心"
    assert {i.aspect: str(i.score) for i in inspection.items.all()} == {
        "on_duty": "23.0",
        "key_work": "21.5",
        "discipline": "25.0",
        "service": "19.0",
    }
    card = page.locator(f"[data-worker='{setup.alice.pk}']")
    assert card.locator("[data-mean]").inner_text() == "88.50"
    card.locator(f"[data-inspection='{inspection.pk}'] summary").click()
    assert "在岗在位，台账清楚" in card.inner_text()
    assert card.locator("[data-score]").inner_text() == "88.50"
    fits(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_check_pages_fit_a_phone(browser, live_server, tree, people, make_user):
    """The sample, the draw log with its recipe, a grid's checklist and the 三跨 list."""
    setup = build(tree, people, make_user)
    ledger(tree.grid_a1_1, n=4)
    checks.draw_communities(actor=setup.carol, plan=setup.plan, count=2)
    checks.draw_grids(actor=setup.carol, plan=setup.plan, count=3)
    checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=5)
    page = login(browser, live_server, "carol")
    base = f"{live_server.url}/assessment/plans/{setup.plan.pk}"
    page.goto(f"{base}/check/")
    page.click("#redraw summary")
    assert page.locator("#grids [data-grid]").count() == 3
    fits(page)
    page.goto(f"{base}/check/grids/{tree.grid_a1_1.code}/")
    assert page.locator("#mark-form [data-item]").count() == 5
    page.check("#mark-form [data-item] input[value=right] >> nth=0")
    page.click("#mark-form button[type=submit]")
    page.wait_for_load_state()
    assert SpotCheckItem.objects.filter(correct=True).count() == 1
    fits(page)
    page.goto(f"{base}/check/cross/")
    fits(page)
