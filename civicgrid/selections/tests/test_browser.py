"""A resident votes on a 375 px phone in real headless Chromium: opens /vote/, opens the
selection, asks for a code (read from the memory outbox, as a phone would receive it), enters
it, votes once and sees the count go up, sees a neighbour's vote arrive without a reload (the
counts fragment polled by htmx), and a second vote in the same category is refused with a clear
Chinese message."""

import datetime as dt
import re

import pytest

from civicgrid.selections import services
from civicgrid.selections.tests.conftest import build

PHONE = {"width": 375, "height": 800}
NUMBER = "13912345678"


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resident_proves_a_phone_votes_once_and_sees_the_counts_live(
    browser, live_server, tree, make_user, outbox, settings
):
    from civicgrid.org.roles import Role

    settings.LANGUAGE_CODE = "zh-hans"
    staff = make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF)
    setup = build(staff, tree.street_a)
    wang, li = setup.candidates["王秀兰"], setup.candidates["李建国"]

    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/vote/")
    assert "评选投票" in page.content()
    fits(page)
    page.click(f"a[href='/vote/{setup.selection.pk}/']")
    page.wait_for_url(f"**/vote/{setup.selection.pk}/")
    fits(page)

    page.fill("#voter-phone", NUMBER)
    page.click("#send-code")
    page.wait_for_selector("#code-status .ok")
    code = re.search(r"\d{6}", [m.text for m in outbox if m.to == NUMBER][-1]).group()
    page.fill("#voter-code", code)
    page.click("#verify")
    page.wait_for_selector(f"button[data-vote='{wang.pk}']")
    assert "139****5678" in page.content()

    page.click(f"button[data-vote='{wang.pk}']")
    page.wait_for_selector(".messages .success")
    assert "投票成功" in page.locator(".messages").inner_text()
    assert page.locator(f"#count-{wang.pk}").inner_text() == "1"
    fits(page)

    # A neighbour votes from their own phone: the count goes up on this page without a reload.
    services.cast_vote(
        selection=setup.selection,
        nomination=wang,
        voter=services.voter_for("13700000000"),
        ip="198.51.100.1",
        device="n" * 24,
        now=setup.voting + dt.timedelta(days=12),
    )
    page.wait_for_function(
        f"() => document.querySelector('#count-{wang.pk}').textContent.trim() === '2'",
        timeout=15000,
    )

    # A second vote in the same category the same day: refused, in Chinese.
    page.click(f"button[data-vote='{li.pk}']")
    page.wait_for_selector(".messages .error")
    assert "今天已在这个类别投过票" in page.locator(".messages").inner_text()
    assert page.locator(f"#count-{li.pk}").inner_text() == "0"
    assert services.check_tallies() == []
