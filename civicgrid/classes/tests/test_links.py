"""A live-stream link is a web link: javascript: and other schemes are refused everywhere a
session is scheduled (service, page, admin form)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from civicgrid.classes import services
from civicgrid.classes.models import Audience, Category, Mode, Programme, Session
from civicgrid.classes.services import CourseData, SessionData
from civicgrid.classes.tests.conftest import at
from civicgrid.core.errors import InvalidInput


@pytest.fixture
def online(classroom):
    return services.save_course(
        actor=classroom.staff,
        unit=classroom.venue.unit,
        data=CourseData(
            title="网上党课",
            programme=Programme.LECTURE_SERIES,
            category=Category.THEORY,
            audience=Audience.PARTY_MEMBERS,
            mode=Mode.ONLINE,
        ),
    )


def _data(link: str) -> SessionData:
    starts = at(2)
    return SessionData(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1), capacity=50, stream_url=link
    )


@pytest.mark.parametrize(
    "link", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,x"]
)
def test_a_script_link_is_refused(classroom, online, link):
    with pytest.raises(InvalidInput) as error:
        services.schedule_session(actor=classroom.staff, course=online, data=_data(link))
    assert error.value.field == "stream_url"
    assert not Session.objects.exists()


def test_a_web_link_is_kept(classroom, online):
    session = services.schedule_session(
        actor=classroom.staff, course=online, data=_data(" https://live.example.org/dangke ")
    )
    assert session.stream_url == "https://live.example.org/dangke"


def test_the_page_refuses_a_script_link(client, classroom, online):
    client.force_login(classroom.staff)
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        f"/classes/courses/{online.pk}/",
        {
            "day": day,
            "start": "19:00",
            "end": "20:00",
            "capacity": "20",
            "stream_url": "javascript:alert(1)",
        },
    )
    assert response.status_code in {200, 302}
    assert not Session.objects.exists()


def test_the_model_field_refuses_a_script_link(classroom, online):
    session = services.schedule_session(
        actor=classroom.staff, course=online, data=_data("https://live.example.org/x")
    )
    session.stream_url = "javascript:alert(1)"
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "stream_url" in error.value.message_dict
