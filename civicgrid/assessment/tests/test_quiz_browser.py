"""A worker takes the knowledge test in real headless Chromium on a 375 px phone: finds the
test on their first screen, reads the rules, starts, answers (each answer saved as it is
chosen, the countdown running from its script file), hands in and sees the score per topic."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.assessment.models import PaperAnswer, Question
from civicgrid.assessment.tests.quiz_kit import setup

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
def test_a_worker_takes_the_quiz_on_a_phone(browser, live_server, tree, people):
    now = timezone.now()
    s = setup(
        tree,
        people,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        quotas={"basic_data": 2, "disputes": 1, "cross_boundary": 1},
    )
    paper = s.paper()
    page = login(browser, live_server, "alice")
    page.click(f"#queue-quiz a[href$='/quiz/papers/{paper.pk}/']")
    page.wait_for_url(f"**/assessment/quiz/papers/{paper.pk}/")
    assert page.locator("[data-count=questions]").inner_text() == "4"
    fits(page)
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("#paper-form")
    fits(page)
    # The countdown's script runs (the CSP allows only files): it shows mm:ss.
    page.wait_for_function(
        "() => /^\\d\\d:\\d\\d$/.test(document.querySelector('.quiz-clock-left').textContent)"
    )
    asked = Question.objects.in_bulk(paper.questions)
    for number, pk in enumerate(paper.questions):
        question = asked[pk]
        # The first question answered wrong, the others right.
        chosen = [1] if number == 0 else question.answer
        for index in chosen:
            page.locator(f"#question-{pk} input[value='{index}']").check()
        page.wait_for_function(
            f"() => document.querySelector('#saved-{pk}').textContent.includes('已保存')"
        )
    assert PaperAnswer.objects.filter(paper=paper).count() == 4
    page.click("#hand-in")
    page.wait_for_selector("#quiz-score")
    fits(page)
    assert page.locator("[data-score]").inner_text() == "75.00"
    assert "基础信息采集" in page.locator("#by-topic").inner_text()
    assert page.locator("#answers-later").is_visible()
