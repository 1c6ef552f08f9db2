"""In real headless Chromium on a 375 px phone: an assessor opens the inspections of a plan,
records an on-site inspection of a worker with the four aspects scored and remarked, and
sees it listed with its score; nothing on the way is wider than the phone."""

import pytest

from civicgrid.assessment.models import Inspection
from civicgrid.assessment.tests.check_setup import URLS, build

PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 800}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


@pytest.mark.browser
@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_assessor_records_an_on_site_inspection_on_a_phone(
    browser, live_server, tree, people, make_user
):
    setup = build(tree, people, make_user)
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

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
