"""Pages fit a 375 px phone: the crawl of issue 12 found unit, session, event and dashboard
pages 20-180 px wider than the screen (a grid column of `1fr` grows to its widest table)."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_page_with_a_wide_table_fits_a_phone(browser, live_server, tree, people):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/people/units/{tree.street_a.code}/")
    assert page.locator(".columns .card").count() >= 1
    # The demo's tables (completeness by unit, rosters, figures) are wider than the fixture's:
    # put one of that width in the first card, as the real pages have.
    page.evaluate(
        """() => {
          const table = document.createElement("table");
          table.className = "table";
          const row = table.insertRow();
          for (let i = 0; i < 9; i++) row.insertCell().textContent = "E20261202-00002" + i;
          document.querySelector(".columns .card").append(table);
        }"""
    )
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 377
