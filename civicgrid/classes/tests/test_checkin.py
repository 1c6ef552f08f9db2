"""Remote check-in: the board's QR code alone earns nothing. A resident's check-in counts (and
credits a party member's points and class hours) only with the code shown at the venue, which
changes every few minutes and is not on the public board; without it the check-in waits for
staff to confirm it on the roster."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from civicgrid.classes import services
from civicgrid.classes.models import Enrolment
from civicgrid.classes.services import SessionData
from civicgrid.core.errors import InvalidInput
from civicgrid.party.models import StudyCredit


def later(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(services, "_now", lambda: moment)


@pytest.fixture
def started(classroom, session, monkeypatch):
    """A two-hour session that started five minutes ago, with the party member enrolled."""
    s = session(hours=2)
    member = services.enrol(actor=None, session=s, name="刘党员", phone="13600002222")
    later(monkeypatch, s.starts_at + dt.timedelta(minutes=5))
    return s, member


def _credited(classroom) -> tuple[int, int]:
    classroom.member.refresh_from_db()
    return classroom.member.balance, StudyCredit.objects.filter(member=classroom.member).count()


def test_the_board_does_not_show_the_venue_code(client, classroom, tree):
    starts = timezone.now() + dt.timedelta(minutes=20)  # check-in is open: the board shows it
    s = services.schedule_session(
        actor=classroom.staff,
        course=classroom.night_school,
        data=SessionData(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            capacity=5,
            venue=classroom.venue,
        ),
    )
    board = client.get(f"/classes/c/{tree.community_a1.code}/board/").content.decode()
    assert "board-qr" in board  # the QR code is there, for this session
    code = services.venue_code(s)
    assert code not in board
    assert code not in client.get(f"/classes/q/{s.checkin_token}/").content.decode()


def test_the_roster_shows_the_venue_code(client, started, classroom):
    s, _member = started
    client.force_login(classroom.staff)
    assert services.venue_code(s) in client.get(f"/classes/sessions/{s.pk}/").content.decode()
    fragment = client.get(f"/classes/sessions/{s.pk}/venue-code").content.decode()
    assert services.venue_code(s) in fragment


def test_a_check_in_from_the_qr_code_alone_credits_nothing_until_staff_confirm(started, classroom):
    s, member = started
    claimed = services.check_in(actor=None, enrolment=member, token=s.checkin_token)
    assert claimed.checked_in_at is None and claimed.checkin_claimed_at is not None
    s.refresh_from_db()
    assert s.attended == 0
    assert _credited(classroom) == (0, 0)
    services.check_in(actor=classroom.staff, enrolment=claimed)  # staff confirm on the roster
    assert Enrolment.objects.get(pk=member.pk).checked_in_at is not None
    assert _credited(classroom) == (2, 1)


def test_a_check_in_with_the_venue_code_credits_at_once(started, classroom):
    s, member = started
    done = services.check_in(
        actor=None, enrolment=member, token=s.checkin_token, venue_code=services.venue_code(s)
    )
    assert done.checked_in_at is not None
    assert _credited(classroom) == (2, 1)
    assert StudyCredit.objects.get().hours == Decimal("2.0")


def test_an_old_windows_code_is_refused(started, classroom, settings):
    s, member = started
    now = services._now()
    window = dt.timedelta(minutes=settings.CHECKIN_CODE_MINUTES)
    just_before = services.venue_code(s, now - window)
    stale = services.venue_code(s, now - 2 * window)
    assert stale != services.venue_code(s)
    with pytest.raises(InvalidInput):
        services.check_in(actor=None, enrolment=member, token=s.checkin_token, venue_code=stale)
    assert _credited(classroom) == (0, 0)
    # The window just before still counts: the code may have changed while it was typed.
    assert services.venue_code_valid(s, just_before)


def test_a_walk_in_needs_the_venue_code(started):
    s, _member = started
    with pytest.raises(InvalidInput):
        services.check_in_by_phone(
            session=s, checkin_token=s.checkin_token, phone="13800000009", name="远方"
        )
    assert not Enrolment.objects.filter(name="远方").exists()


def test_the_check_in_page_takes_the_code(client, started, classroom):
    s, _member = started
    url = f"/classes/q/{s.checkin_token}/"
    client.post(url, {"phone": "13600002222", "venue_code": "000000"})
    assert _credited(classroom) == (0, 0)
    client.post(url, {"phone": "13600002222", "venue_code": services.venue_code(s)})
    assert _credited(classroom) == (2, 1)


def test_guessing_the_venue_code_is_limited_per_address(client, started, classroom, settings):
    s, _member = started
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"checkin_code_ip": (2, 3600)}
    url = f"/classes/q/{s.checkin_token}/"
    for guess in ("000001", "000002"):
        client.post(url, {"phone": "13600002222", "venue_code": guess})
    client.post(url, {"phone": "13600002222", "venue_code": services.venue_code(s)})
    assert _credited(classroom) == (0, 0)


def test_a_phone_without_the_venue_code_does_not_hand_over_the_enrolment_link(client, started):
    # The QR code is on the public board during check-in: someone elsewhere who knows an
    # enrolled resident's phone must not get her enrolment's secret link (her name, cancel,
    # rate) by claiming her check-in.
    s, member = started
    response = client.post(f"/classes/q/{s.checkin_token}/", {"phone": "13600002222"})
    assert response.status_code == 302 and member.token not in response.url
    assert member.token not in str(client.session.items())
    page = client.get(f"/classes/q/{s.checkin_token}/").content.decode()
    assert member.token not in page and "刘党员" not in page
    member.refresh_from_db()
    assert member.checkin_claimed_at is not None  # the claim itself is kept for staff


def test_a_phone_with_the_venue_code_leads_to_the_enrolment(client, started):
    s, member = started
    code = services.venue_code(s)
    response = client.post(
        f"/classes/q/{s.checkin_token}/", {"phone": "13600002222", "venue_code": code}
    )
    assert response.status_code == 302 and member.token in response.url


def test_without_the_venue_code_every_phone_gets_the_same_answer(client, started):
    # From the public board's QR code, the answer must not tell whether a phone is enrolled.
    s, _member = started
    url = f"/classes/q/{s.checkin_token}/"

    def answer(data):
        client.post(url, data)
        return [str(m) for m in get_messages(client.get(url).wsgi_request)]

    for extra in ({}, {"name": "某人"}):
        enrolled = answer({"phone": "13600002222", **extra})
        stranger = answer({"phone": "13900009999", **extra})
        assert enrolled == stranger and len(enrolled) == 1


def test_only_wrong_venue_codes_count_against_the_address(client, started, classroom, settings):
    # A venue's Wi-Fi is one address for the whole room: right codes never use up the limit.
    s, _member = started
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"checkin_code_ip": (1, 3600)}
    url = f"/classes/q/{s.checkin_token}/"
    # Two walk-ins and the enrolled member: the session's three places.
    for phone, name in [("13700000000", "来宾"), ("13700000001", "来宾"), ("13600002222", "")]:
        client.post(url, {"phone": phone, "name": name, "venue_code": services.venue_code(s)})
    assert Enrolment.objects.filter(checked_in_at__isnull=False).count() == 3
