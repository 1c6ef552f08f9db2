"""A resident on a phone, in real headless Chromium: enrols in a full night-school session from
the unit's public page (with the code sent to her phone) and is waitlisted; someone cancels and
she is promoted; at the venue she scans the QR code (opens its link) and checks in with one tap
and the code shown at the venue; the display board shows the session with its QR code but not
the venue's code."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.classes import services
from civicgrid.classes.models import EnrolmentStatus
from civicgrid.classes.services import SessionData


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrol_waitlist_promotion_and_qr_check_in(browser, live_server, classroom, tree, sent_code):
    starts = timezone.now() + dt.timedelta(minutes=20)
    session = services.schedule_session(
        actor=classroom.staff,
        course=classroom.night_school,
        data=SessionData(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            capacity=1,
            venue=classroom.venue,
            topic="手机挂号",
        ),
    )
    first = services.enrol(actor=None, session=session, name="先来者", phone="13800000001")
    code = tree.community_a1.code

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/classes/c/{code}/")
    card = page.locator("article.session", has_text="手机挂号")
    card.locator("summary").click()
    card.locator("input[name=name]").fill("赵阿姨")
    card.locator("input[name=phone]").fill("139 0000 2222")
    # The phone is proved with the code sent to it (the test's sender keeps messages).
    card.locator("button.send-code").click()
    card.locator(".code-status .ok").wait_for()
    card.locator("input[name=code]").fill(sent_code("13900002222"))
    card.locator("form > button.primary").click()
    page.wait_for_url(f"{live_server.url}/classes/e/**")
    mine = page.url
    assert "139****2222" in page.inner_text("#status")
    enrolment = session.enrolments.get(name="赵阿姨")
    assert enrolment.status == EnrolmentStatus.WAITLISTED

    services.cancel_enrolment(actor=None, enrolment=first, token=first.token)
    page.goto(mine)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.get_status_display() in page.inner_text("#status")

    # The QR code on the board leads to the check-in page; this phone holds the enrolment.
    board = browser.new_page(viewport={"width": 1920, "height": 1080})
    board.goto(f"{live_server.url}/classes/c/{code}/board/")
    assert "手机挂号" in board.inner_text(".board-sessions")
    assert board.locator(".board-qr svg").count() == 1
    assert services.venue_code(session) not in board.content()
    board.close()

    # She types the code shown on the venue's screen (not on the public board).
    page.goto(f"{live_server.url}/classes/q/{session.checkin_token}/")
    held = page.locator("form.card", has_text="赵阿姨")
    held.locator("input[name=venue_code]").fill(services.venue_code(session))
    held.locator("button").click()
    page.wait_for_url(mine)
    enrolment.refresh_from_db()
    assert enrolment.checked_in_at is not None
    session.refresh_from_db()
    assert session.attended == 1
    page.close()
